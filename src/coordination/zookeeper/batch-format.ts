/**
 * What a log entry's znode holds. A batch is a framed document (codec.ts): the header
 * {brokerId, epoch, seq, count} as document kind 'batch', followed by its events, each encoded once
 * when it was appended. The last entry of a sealed segment is a 'seal' document naming the next
 * segment, so that a follower moves on by reading entries in order, never by listing.
 */
import { decodeDocument, decodeFramed, decodeHead, encodeDocument, encodePart } from '../codec.js';
import type { LogEvent } from '../log-events.js';

export interface BatchHeader {
  brokerId: string;
  /** The writer's incarnation: with `seq`, identifies the batch across resends. */
  epoch: string;
  seq: number;
  count: number;
}

export type LogRecord =
  { kind: 'batch'; header: BatchHeader; events: LogEvent[] } | { kind: 'seal'; next: number };

export function encodeEvent(event: LogEvent): Buffer {
  return encodePart(event);
}

export function encodeBatch(header: BatchHeader, events: readonly Buffer[]): Buffer {
  return Buffer.concat([encodeDocument('batch', header), ...events]);
}

/** Size of the header of a batch, so that a writer can keep whole batches under its cap. */
export function batchOverhead(brokerId: string, epoch: string): number {
  return encodeDocument('batch', { brokerId, epoch, seq: 2 ** 40, count: 2 ** 31 }).length;
}

export function encodeSeal(next: number): Buffer {
  return encodeDocument('seal', { next });
}

export function decodeRecord(bytes: Uint8Array): LogRecord {
  const { kind } = decodeHead(bytes);
  if (kind === 'seal') return { kind, next: (decodeDocument('seal', bytes) as { next: number }).next };
  const { body, parts } = decodeFramed('batch', bytes);
  return { kind: 'batch', header: body as BatchHeader, events: parts as LogEvent[] };
}

/** Only the header (the in-doubt scan reads many entries and needs no events); null for a seal. */
export function decodeBatchHeader(bytes: Uint8Array): BatchHeader | null {
  const { kind, body } = decodeHead(bytes);
  return kind === 'batch' ? (body as BatchHeader) : null;
}
