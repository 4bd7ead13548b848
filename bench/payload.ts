/**
 * The benchmark payload: 100 bytes that say which run, which publisher, which message and when it
 * was sent, so that loss, duplicates, order and latency all come out of one run.
 *
 * Layout (little-endian):
 *   0  u32  magic 'MQZB'       (anything else is not ours and is ignored)
 *   4  u16  run tag            (warm-up and measured phases use different tags)
 *   6  u16  publisher index
 *   8  u32  sequence number    (0, 1, 2 ... per publisher and phase)
 *   12 f64  send time, µs      (bench/clock.ts)
 *   20 ..   filler up to 100 bytes
 *
 * The readers below take a buffer and an offset so that the hot path decodes straight out of a
 * socket chunk without allocating.
 */
export const PAYLOAD_SIZE = 100;
export const PAYLOAD_MAGIC = 0x425a514d; // 'MQZB' read as u32 LE

export const OFFSET_TAG = 4;
export const OFFSET_PUBLISHER = 6;
export const OFFSET_SEQ = 8;
export const OFFSET_SENT_AT = 12;
const HEADER_END = 20;

export interface PayloadFields {
  tag: number;
  publisher: number;
  seq: number;
  sentAtUs: number;
}

/** A fresh payload with every field set; the filler is a fixed pattern. */
export function encodePayload(fields: PayloadFields): Buffer {
  const buf = Buffer.alloc(PAYLOAD_SIZE);
  buf.writeUInt32LE(PAYLOAD_MAGIC, 0);
  buf.writeUInt16LE(fields.tag, OFFSET_TAG);
  buf.writeUInt16LE(fields.publisher, OFFSET_PUBLISHER);
  buf.writeUInt32LE(fields.seq, OFFSET_SEQ);
  buf.writeDoubleLE(fields.sentAtUs, OFFSET_SENT_AT);
  for (let i = HEADER_END; i < PAYLOAD_SIZE; i++) buf[i] = 0x61 + (i % 26);
  return buf;
}

/** Hot path: stamps sequence number and send time into a copied template at `offset`. */
export function stampPayload(buf: Buffer, offset: number, seq: number, sentAtUs: number): void {
  buf.writeUInt32LE(seq, offset + OFFSET_SEQ);
  buf.writeDoubleLE(sentAtUs, offset + OFFSET_SENT_AT);
}

/** Whether `length` bytes at `offset` look like one of our payloads. */
export function isBenchPayload(buf: Buffer, offset: number, length: number): boolean {
  return length === PAYLOAD_SIZE && buf.readUInt32LE(offset) === PAYLOAD_MAGIC;
}

/** All fields, for tests and diagnostics (allocates; the hot path reads fields one by one). */
export function decodePayload(buf: Buffer, offset = 0, length = buf.length - offset): PayloadFields | null {
  if (!isBenchPayload(buf, offset, length)) return null;
  return {
    tag: buf.readUInt16LE(offset + OFFSET_TAG),
    publisher: buf.readUInt16LE(offset + OFFSET_PUBLISHER),
    seq: buf.readUInt32LE(offset + OFFSET_SEQ),
    sentAtUs: buf.readDoubleLE(offset + OFFSET_SENT_AT),
  };
}
