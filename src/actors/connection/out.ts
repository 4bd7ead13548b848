/** What a handler may do besides changing the context: emit an effect, or raise an event to itself. */
import type { ConnectionEffect, ConnectionEvent } from './types.js';

export interface Out {
  emit(effect: ConnectionEffect): void;
  raise(event: ConnectionEvent): void;
}
