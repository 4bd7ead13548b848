// Test whether the delivery ledger counts loss, duplicates and reordering as the report defines them.
import { describe, expect, it } from 'vitest';
import { Bitset } from '../../bench/bitset.js';
import { DeliveryLedger } from '../../bench/ledger.js';

function acked(size: number, seqs: readonly number[]): Bitset {
  const bits = new Bitset(size);
  for (const s of seqs) bits.add(s);
  return bits;
}

describe('DeliveryLedger', () => {
  it('counts a clean fan-in as complete, in order, without loss', () => {
    const ledger = new DeliveryLedger({
      publishers: 2,
      subscribers: 1,
      maxPerPublisher: 10,
      subscribedTo: [[true, true]],
    });
    for (let seq = 0; seq < 3; seq++) {
      ledger.record(0, 0, seq, 1000);
      ledger.record(0, 1, seq, 2000);
    }
    const s = ledger.summarize([
      { sent: 3, acked: null },
      { sent: 3, acked: null },
    ]);
    expect(s).toMatchObject({
      received: 6,
      expected: 6,
      lostQos0: 0,
      duplicates: 0,
      outOfOrder: 0,
      crossOrder: 0,
    });
    expect(ledger.latencyNs.count).toBe(6);
  });

  it('separates acknowledged loss from unacknowledged and QoS 0 loss', () => {
    const shape = { publishers: 1, subscribers: 1, maxPerPublisher: 10, subscribedTo: [[true]] };
    const qos1 = new DeliveryLedger(shape);
    qos1.record(0, 0, 0, 1);
    qos1.record(0, 0, 3, 1);
    // sent 0..4; acked 0,1,2,3; received 0 and 3: 1 and 2 are lost, 4 was never acked.
    expect(qos1.summarize([{ sent: 5, acked: acked(10, [0, 1, 2, 3]) }])).toMatchObject({
      lost: 2,
      unacked: 1,
      lostQos0: 0,
    });
    const qos0 = new DeliveryLedger(shape);
    qos0.record(0, 0, 0, 1);
    expect(qos0.summarize([{ sent: 5, acked: null }])).toMatchObject({ lost: 0, lostQos0: 4 });
  });

  it('counts duplicates once each and does not count them as received', () => {
    const ledger = new DeliveryLedger({
      publishers: 1,
      subscribers: 1,
      maxPerPublisher: 10,
      subscribedTo: [[true]],
    });
    ledger.record(0, 0, 0, 1);
    ledger.record(0, 0, 0, 1);
    ledger.record(0, 0, 0, 1);
    expect(ledger.summarize([{ sent: 1, acked: null }])).toMatchObject({ received: 1, duplicates: 2 });
  });

  it('counts per-publisher reordering per subscriber', () => {
    const ledger = new DeliveryLedger({
      publishers: 2,
      subscribers: 1,
      maxPerPublisher: 10,
      subscribedTo: [[true, true]],
    });
    // Interleaving publishers is fine; going back within one publisher is not.
    for (const [p, seq] of [
      [0, 0],
      [1, 0],
      [0, 2],
      [1, 1],
      [0, 1],
      [1, 2],
    ] as const)
      ledger.record(0, p, seq, 1);
    expect(
      ledger.summarize([
        { sent: 3, acked: null },
        { sent: 3, acked: null },
      ]).outOfOrder,
    ).toBe(1);
  });

  it('finds two subscribers that received the same two messages in different orders', () => {
    const shape = {
      publishers: 2,
      subscribers: 2,
      maxPerPublisher: 10,
      subscribedTo: [
        [true, true],
        [true, true],
      ],
    };
    const ledger = new DeliveryLedger(shape);
    ledger.record(0, 0, 0, 1);
    ledger.record(0, 1, 0, 1);
    ledger.record(1, 1, 0, 1);
    ledger.record(1, 0, 0, 1);
    const s = ledger.summarize([
      { sent: 1, acked: null },
      { sent: 1, acked: null },
    ]);
    expect(s.crossOrder).toBe(1);
    expect(s.outOfOrder).toBe(0);
  });

  it('counts deliveries outside the scenario as foreign, not as received', () => {
    const ledger = new DeliveryLedger({
      publishers: 2,
      subscribers: 2,
      maxPerPublisher: 4,
      subscribedTo: [
        [true, false],
        [false, true],
      ],
    });
    ledger.record(0, 1, 0, 1); // not subscribed to publisher 1
    ledger.record(0, 5, 0, 1); // no such publisher
    ledger.record(0, 0, 4, 1); // sequence beyond the phase's limit
    const s = ledger.summarize([
      { sent: 0, acked: null },
      { sent: 0, acked: null },
    ]);
    expect(s.foreign).toBe(3);
    expect(s.received).toBe(0);
  });

  it('expects one delivery per subscriber that subscribed to the publisher', () => {
    const ledger = new DeliveryLedger({
      publishers: 1,
      subscribers: 3,
      maxPerPublisher: 10,
      subscribedTo: [[true], [true], [false]],
    });
    expect(ledger.expectedDeliveries([7])).toBe(14);
  });
});
