/**
 * A log-linear histogram in the manner of HdrHistogram: bounded memory, about 0.4% relative error.
 *
 * Values are non-negative numbers in any unit (the benchmark records latency in nanoseconds). Values
 * below 2^SUB_BITS get one exact bucket each; above that, every power of two is split into
 * 2^(SUB_BITS-1) equal buckets, so a bucket is never wider than 1/2^(SUB_BITS-1) of its lower bound.
 * Values above the top bucket are clamped into it and counted in `overflow`.
 */
const SUB_BITS = 8;
const SUB_COUNT = 1 << SUB_BITS; // 256 exact buckets for 0..255
const HALF = SUB_COUNT >> 1; // 128 buckets per power of two above that
const MAX_EXPONENT = 52; // values up to 2^52 (52 days in ns)
const BUCKETS = SUB_COUNT + (MAX_EXPONENT - SUB_BITS + 1) * HALF;
const POWERS_OF_TWO = Float64Array.from({ length: 64 }, (_, i) => 2 ** i);

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private minValue = Infinity;
  private maxValue = -Infinity;
  private sumValue = 0;
  overflow = 0;

  record(value: number): void {
    const v = value < 0 ? 0 : value;
    const index = bucketOf(v);
    if (index >= BUCKETS) {
      this.overflow++;
      this.counts[BUCKETS - 1]! += 1;
    } else {
      this.counts[index]! += 1;
    }
    this.total++;
    this.sumValue += v;
    if (v < this.minValue) this.minValue = v;
    if (v > this.maxValue) this.maxValue = v;
  }

  get count(): number {
    return this.total;
  }

  get min(): number {
    return this.total === 0 ? NaN : this.minValue;
  }

  get max(): number {
    return this.total === 0 ? NaN : this.maxValue;
  }

  get mean(): number {
    return this.total === 0 ? NaN : this.sumValue / this.total;
  }

  /**
   * The value at percentile `p` (0-100): the midpoint of the bucket holding the ceil(p% * n)-th
   * smallest value, clamped to the exact min and max seen. NaN when empty.
   */
  percentile(p: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        const mid = bucketMidpoint(i);
        return Math.min(this.maxValue, Math.max(this.minValue, mid));
      }
    }
    return this.maxValue;
  }

  /** Adds another histogram's counts to this one. */
  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
    this.sumValue += other.sumValue;
    this.overflow += other.overflow;
    if (other.total > 0) {
      this.minValue = Math.min(this.minValue, other.minValue);
      this.maxValue = Math.max(this.maxValue, other.maxValue);
    }
  }
}

/** The bucket index of a non-negative value (may be >= BUCKETS for huge values). */
export function bucketOf(v: number): number {
  if (v < SUB_COUNT) return Math.floor(v);
  // clz32 is exact and cheap below 2^31 (latencies up to 2.1 s in ns); log2 beyond.
  const exponent = v < 2 ** 31 ? 31 - Math.clz32(v) : Math.floor(Math.log2(v));
  const width = POWERS_OF_TWO[exponent - SUB_BITS + 1] ?? 2 ** (exponent - SUB_BITS + 1);
  // Math.log2 can round up just below a power of two; the clamp keeps the sub-index in range.
  const sub = Math.min(HALF - 1, Math.max(0, Math.floor(v / width) - HALF));
  return SUB_COUNT + (exponent - SUB_BITS) * HALF + sub;
}

/** The lower bound and width of bucket `i`. */
export function bucketRange(i: number): { low: number; width: number } {
  if (i < SUB_COUNT) return { low: i, width: 1 };
  const group = Math.floor((i - SUB_COUNT) / HALF);
  const sub = (i - SUB_COUNT) % HALF;
  const width = 2 ** (group + 1);
  return { low: (HALF + sub) * width, width };
}

function bucketMidpoint(i: number): number {
  const { low, width } = bucketRange(i);
  return width === 1 ? low : low + width / 2;
}
