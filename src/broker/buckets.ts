/**
 * A fixed-bucket histogram as plain numbers, for the hot path: `observe` is a short loop and two
 * additions (prom-client's own Histogram hashes its labels on every call, ~15 times the cost). The
 * metrics endpoint exports it in Prometheus' histogram form (src/server/metrics.ts).
 */
export class Buckets {
  /** Observations per bucket; the last one is +Inf. Not cumulative. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }

  /** Cumulative counts per upper bound, +Inf last (Prometheus' `le` buckets). */
  cumulative(): { le: number; count: number }[] {
    let running = 0;
    const out: { le: number; count: number }[] = [];
    for (let i = 0; i < this.counts.length; i++) {
      running += this.counts[i]!;
      out.push({ le: i < this.bounds.length ? this.bounds[i]! : Infinity, count: running });
    }
    return out;
  }
}

/** Seconds from a QoS 1/2 publish's append to its commit callback. */
export const APPEND_LATENCY_BOUNDS = [
  0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
] as const;

/** Events per applied log entry (group commit batch size). */
export const BATCH_SIZE_BOUNDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] as const;
