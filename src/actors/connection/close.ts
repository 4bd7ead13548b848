/**
 * Ending a connection: the last packet the server owes (DISCONNECT in 5.0, a refusing CONNACK), the
 * recorded reason, and the closing effects, emitted once when the actor reaches its final state.
 */
import type { ErrorKind } from '../../protocol/reason-codes.js';
import { buildDisconnect } from './build.js';
import type { ConnectionContext } from './context.js';
import type { Out } from './out.js';
import type { CloseReason } from './types.js';

/** Records why the connection ends; the first reason wins. */
export function setCloseReason(ctx: ConnectionContext, reason: CloseReason): void {
  ctx.closeReason ??= reason;
}

/**
 * A server-side error: MQTT 5.0 says why with DISCONNECT [MQTT-4.13.1-1], then the connection closes;
 * 3.1.1 just closes [MQTT-4.8.0-1]. Before CONNACK no DISCONNECT is sent [MQTT-3.14.0-1]. The will
 * is published (this is not a DISCONNECT by the client).
 */
export function closeWithError(ctx: ConnectionContext, kind: ErrorKind, message: string, out: Out): void {
  const packet = ctx.connackSent ? buildDisconnect(ctx.version, kind) : null;
  if (packet !== null) out.emit({ type: 'send', packet });
  setCloseReason(ctx, { kind: 'error', error: kind, message });
}

/** Entry of the final state: close the socket and tell the broker, exactly once. */
export function finish(ctx: ConnectionContext, out: Out): void {
  const reason = ctx.closeReason ?? { kind: 'socket-closed' };
  out.emit({ type: 'close', reason });
  out.emit({ type: 'ended', reason });
}
