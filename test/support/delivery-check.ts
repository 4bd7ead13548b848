/**
 * Counting what a stream delivered: each payload is `<publisher>:<sequence>`, so loss, duplicates,
 * per-publisher order and the order two subscribers agree on come out of what they received and
 * what the publishers had acknowledged.
 */

export interface Delivered {
  pub: string;
  seq: number;
  /** The PUBLISH carried DUP=1. */
  dup: boolean;
}

export function payloadOf(pub: string, seq: number): string {
  return `${pub}:${seq}`;
}

/** `<pub>:<seq>`, optionally followed by `|` and filler (to make a payload larger). */
export function parsePayload(payload: string): { pub: string; seq: number } | null {
  const bar = payload.indexOf('|');
  const text = bar >= 0 ? payload.slice(0, bar) : payload;
  const i = text.lastIndexOf(':');
  if (i <= 0) return null;
  const seq = Number(text.slice(i + 1));
  return Number.isInteger(seq) ? { pub: text.slice(0, i), seq } : null;
}

export interface DeliveryReport {
  received: number;
  /** Acknowledged to a publisher, never received: `pub:seq`. */
  lost: string[];
  /** Copies beyond the first. */
  duplicates: number;
  /** Copies beyond the first that came without DUP=1 (a QoS 1 redelivery must carry it). */
  duplicatesWithoutDup: number;
  /** First copies that came after a later message of the same publisher. */
  reordered: number;
}

/** What one subscriber received, against what the publishers had acknowledged. */
export function checkDeliveries(
  received: readonly Delivered[],
  acked: ReadonlyMap<string, ReadonlySet<number>>,
): DeliveryReport {
  const seen = new Set<string>();
  const highest = new Map<string, number>();
  let duplicates = 0;
  let duplicatesWithoutDup = 0;
  let reordered = 0;
  for (const d of received) {
    const key = payloadOf(d.pub, d.seq);
    if (seen.has(key)) {
      duplicates++;
      if (!d.dup) duplicatesWithoutDup++;
      continue;
    }
    seen.add(key);
    const top = highest.get(d.pub) ?? 0;
    if (d.seq < top) reordered++;
    else highest.set(d.pub, d.seq);
  }
  const lost: string[] = [];
  for (const [pub, seqs] of acked) {
    for (const seq of seqs) if (!seen.has(payloadOf(pub, seq))) lost.push(payloadOf(pub, seq));
  }
  return { received: received.length, lost, duplicates, duplicatesWithoutDup, reordered };
}

/**
 * Pairs of messages that both subscribers received (first copies) in different orders: 0 is
 * promise 2 of DESIGN.md. Counts the inversions of b's order read in a's positions.
 */
export function orderDisagreements(a: readonly Delivered[], b: readonly Delivered[]): number {
  const position = new Map<string, number>();
  for (const d of a) {
    const key = payloadOf(d.pub, d.seq);
    if (!position.has(key)) position.set(key, position.size);
  }
  const seen = new Set<string>();
  const positions: number[] = [];
  for (const d of b) {
    const key = payloadOf(d.pub, d.seq);
    if (seen.has(key)) continue;
    seen.add(key);
    const p = position.get(key);
    if (p !== undefined) positions.push(p);
  }
  return inversions(positions);
}

/** Pairs i < j with xs[i] > xs[j], by merge sort (n log n: streams of thousands). */
function inversions(xs: number[]): number {
  if (xs.length < 2) return 0;
  const mid = xs.length >> 1;
  const left = xs.slice(0, mid);
  const right = xs.slice(mid);
  let count = inversions(left) + inversions(right);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < left.length && j < right.length) {
    if (left[i]! <= right[j]!) xs[k++] = left[i++]!;
    else {
      xs[k++] = right[j++]!;
      count += left.length - i;
    }
  }
  while (i < left.length) xs[k++] = left[i++]!;
  while (j < right.length) xs[k++] = right[j++]!;
  return count;
}

/** The union of acknowledged sets, by publisher. */
export function ackedBy(
  publishers: readonly { id: string; acked: ReadonlySet<number> }[],
): Map<string, Set<number>> {
  return new Map(publishers.map((p) => [p.id, new Set(p.acked)]));
}
