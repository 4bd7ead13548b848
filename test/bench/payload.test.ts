// Test whether the benchmark payload carries tag, publisher, sequence and send time in 100 bytes.
import { describe, expect, it } from 'vitest';
import {
  decodePayload,
  encodePayload,
  isBenchPayload,
  PAYLOAD_SIZE,
  stampPayload,
} from '../../bench/payload.js';

describe('benchmark payload', () => {
  it('is 100 bytes and decodes to what was encoded', () => {
    const fields = { tag: 2, publisher: 7, seq: 123_456, sentAtUs: 98_765_432.125 };
    const buf = encodePayload(fields);
    expect(buf.length).toBe(PAYLOAD_SIZE);
    expect(decodePayload(buf)).toEqual(fields);
  });

  it('stamps sequence and time in place at an offset, leaving the rest', () => {
    const frame = Buffer.concat([
      Buffer.from([1, 2, 3]),
      encodePayload({ tag: 1, publisher: 3, seq: 0, sentAtUs: 0 }),
    ]);
    stampPayload(frame, 3, 42, 1.5);
    expect(decodePayload(frame, 3)).toEqual({ tag: 1, publisher: 3, seq: 42, sentAtUs: 1.5 });
    expect([...frame.subarray(0, 3)]).toEqual([1, 2, 3]);
  });

  it('does not take other payloads for ours', () => {
    expect(isBenchPayload(Buffer.alloc(PAYLOAD_SIZE), 0, PAYLOAD_SIZE)).toBe(false);
    expect(decodePayload(Buffer.from('hello'))).toBeNull();
    const ours = encodePayload({ tag: 1, publisher: 0, seq: 0, sentAtUs: 0 });
    expect(isBenchPayload(ours, 0, PAYLOAD_SIZE - 1)).toBe(false);
  });
});
