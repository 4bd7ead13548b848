/**
 * The delivery ledger of one measured phase: what every subscriber received from every publisher.
 *
 * `record` is the hot path (one call per delivery, no allocation). `summarize` runs after the phase
 * and turns the ledger plus what publishers sent and had acknowledged into the counts we report:
 *   - lost:       QoS 1, acknowledged to the publisher but never received by a subscriber that
 *                 subscribed to it (counted once per subscriber that missed it);
 *   - lostQos0:   QoS 0, sent but never received (same counting);
 *   - unacked:    QoS 1, sent, neither acknowledged nor received;
 *   - duplicates: a subscriber received the same message again;
 *   - outOfOrder: a subscriber received a message with a lower sequence number than one it had
 *                 already received from the same publisher;
 *   - crossOrder: pairs of messages that two subscribers both received but in different orders.
 */
import { Bitset } from './bitset.js';
import { Histogram } from './histogram.js';
import { orderDisagreements } from './stats.js';

export interface LedgerShape {
  publishers: number;
  subscribers: number;
  /** Upper bound on messages per publisher in this phase (sequence numbers are below it). */
  maxPerPublisher: number;
  /** subscribedTo[s][p]: whether subscriber s receives publisher p's messages. */
  subscribedTo: readonly (readonly boolean[])[];
}

export interface PublisherOutcome {
  sent: number;
  /** Acknowledged sequence numbers (QoS 1), or null for QoS 0. */
  acked: Bitset | null;
}

export interface LedgerSummary {
  received: number;
  receivedPerSubscriber: number[];
  expected: number;
  lost: number;
  lostQos0: number;
  unacked: number;
  duplicates: number;
  outOfOrder: number;
  crossOrder: number;
  foreign: number;
}

export class DeliveryLedger {
  readonly latencyNs = new Histogram();
  private readonly seen: (Bitset | null)[];
  private readonly maxSeq: Int32Array;
  private readonly arrivals: (Uint32Array | null)[];
  private readonly arrivalCount: Uint32Array;
  private readonly received: Uint32Array;
  private duplicates = 0;
  private outOfOrder = 0;
  /** Deliveries that do not fit the shape (unknown publisher, sequence out of range, not subscribed). */
  private foreign = 0;

  constructor(private readonly shape: LedgerShape) {
    const { publishers, subscribers, maxPerPublisher } = shape;
    this.seen = [];
    for (let s = 0; s < subscribers; s++) {
      for (let p = 0; p < publishers; p++) {
        this.seen.push(shape.subscribedTo[s]?.[p] === true ? new Bitset(maxPerPublisher) : null);
      }
    }
    this.maxSeq = new Int32Array(subscribers * publishers).fill(-1);
    this.received = new Uint32Array(subscribers);
    this.arrivalCount = new Uint32Array(subscribers);
    // Arrival order is only needed to compare subscribers, so only kept when there are two or more.
    this.arrivals = [];
    for (let s = 0; s < subscribers; s++) {
      const capacity = subscribers > 1 ? this.expectedCapacity(s) : 0;
      this.arrivals.push(capacity > 0 ? new Uint32Array(capacity) : null);
    }
  }

  /** One delivery of (publisher, seq) to subscriber `sub`, with its end-to-end latency. */
  record(sub: number, publisher: number, seq: number, latencyNs: number): void {
    const { publishers, maxPerPublisher } = this.shape;
    if (publisher >= publishers || seq >= maxPerPublisher) {
      this.foreign++;
      return;
    }
    const cell = sub * publishers + publisher;
    const bits = this.seen[cell];
    if (bits === undefined || bits === null) {
      this.foreign++;
      return;
    }
    if (!bits.add(seq)) {
      this.duplicates++;
      return;
    }
    this.received[sub]!++;
    this.latencyNs.record(latencyNs);
    if (seq < this.maxSeq[cell]!) this.outOfOrder++;
    else this.maxSeq[cell] = seq;
    const log = this.arrivals[sub];
    if (log !== null && log !== undefined) {
      const n = this.arrivalCount[sub]!;
      if (n < log.length) {
        log[n] = publisher * maxPerPublisher + seq;
        this.arrivalCount[sub] = n + 1;
      }
    }
  }

  /** Unique deliveries so far, all subscribers together. */
  get totalReceived(): number {
    let sum = 0;
    for (const n of this.received) sum += n;
    return sum;
  }

  /** How many deliveries the subscribers should get when every sent message arrives. */
  expectedDeliveries(sent: readonly number[]): number {
    let sum = 0;
    for (let s = 0; s < this.shape.subscribers; s++) {
      for (let p = 0; p < this.shape.publishers; p++) {
        if (this.shape.subscribedTo[s]?.[p] === true) sum += sent[p] ?? 0;
      }
    }
    return sum;
  }

  summarize(outcomes: readonly PublisherOutcome[]): LedgerSummary {
    const { publishers, subscribers } = this.shape;
    let lost = 0;
    let lostQos0 = 0;
    let unacked = 0;
    for (let s = 0; s < subscribers; s++) {
      for (let p = 0; p < publishers; p++) {
        const bits = this.seen[s * publishers + p];
        const outcome = outcomes[p];
        if (bits === null || bits === undefined || outcome === undefined) continue;
        for (let seq = 0; seq < outcome.sent; seq++) {
          if (bits.has(seq)) continue;
          if (outcome.acked === null) lostQos0++;
          else if (outcome.acked.has(seq)) lost++;
          else unacked++;
        }
      }
    }
    return {
      received: this.totalReceived,
      receivedPerSubscriber: Array.from(this.received),
      expected: this.expectedDeliveries(outcomes.map((o) => o.sent)),
      lost,
      lostQos0,
      unacked,
      duplicates: this.duplicates,
      outOfOrder: this.outOfOrder,
      crossOrder: this.crossOrder(),
      foreign: this.foreign,
    };
  }

  /** Order disagreements summed over every pair of subscribers that share a publisher. */
  private crossOrder(): number {
    const { publishers, subscribers, maxPerPublisher, subscribedTo } = this.shape;
    const idSpace = publishers * maxPerPublisher;
    const share = (a: number, b: number): boolean =>
      Array.from({ length: publishers }, (_, p) => p).some(
        (p) => subscribedTo[a]?.[p] === true && subscribedTo[b]?.[p] === true,
      );
    let total = 0;
    for (let a = 0; a < subscribers; a++) {
      for (let b = a + 1; b < subscribers; b++) {
        const first = this.arrivals[a];
        const second = this.arrivals[b];
        if (!first || !second || !share(a, b)) continue;
        const x = first.subarray(0, this.arrivalCount[a]);
        const y = second.subarray(0, this.arrivalCount[b]);
        if (!sameSequence(x, y)) total += orderDisagreements(x, y, idSpace);
      }
    }
    return total;
  }

  private expectedCapacity(sub: number): number {
    let n = 0;
    for (let p = 0; p < this.shape.publishers; p++) {
      if (this.shape.subscribedTo[sub]?.[p] === true) n += this.shape.maxPerPublisher;
    }
    return n;
  }
}

function sameSequence(x: Uint32Array, y: Uint32Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
