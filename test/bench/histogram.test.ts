// Test whether the log-linear histogram reports percentiles within its stated relative error.
import { describe, expect, it } from 'vitest';
import { bucketOf, bucketRange, Histogram } from '../../bench/histogram.js';
import { percentileOfSorted } from '../../bench/stats.js';

/** A deterministic pseudo-random sequence (LCG), so failures reproduce. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('Histogram', () => {
  it('is empty at first', () => {
    const h = new Histogram();
    expect(h.count).toBe(0);
    expect(h.percentile(50)).toBeNaN();
    expect(h.min).toBeNaN();
  });

  it('is exact for small integers', () => {
    const h = new Histogram();
    for (let v = 1; v <= 100; v++) h.record(v);
    expect(h.percentile(50)).toBe(50);
    expect(h.percentile(99)).toBe(99);
    expect(h.percentile(100)).toBe(100);
    expect(h.min).toBe(1);
    expect(h.max).toBe(100);
    expect(h.mean).toBeCloseTo(50.5);
  });

  it('stays within 0.4% of the exact percentile over six decades', () => {
    const random = lcg(7);
    const h = new Histogram();
    const sample: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = Math.round(10 ** (2 + random() * 6)); // 100 ns .. 100 ms
      h.record(v);
      sample.push(v);
    }
    sample.sort((a, b) => a - b);
    for (const p of [1, 10, 50, 90, 99, 99.9]) {
      const exact = percentileOfSorted(sample, p);
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.004);
    }
  });

  it('maps every bucket back to itself', () => {
    for (let i = 0; i < 5000; i++) {
      const { low, width } = bucketRange(i);
      expect(bucketOf(low)).toBe(i);
      expect(bucketOf(low + width - 0.5)).toBe(i);
    }
  });

  it('clamps negative values to zero and huge ones into the last bucket', () => {
    const h = new Histogram();
    h.record(-5);
    h.record(2 ** 60);
    expect(h.min).toBe(0);
    expect(h.overflow).toBe(1);
    expect(h.count).toBe(2);
  });

  it('merges counts, min and max', () => {
    const a = new Histogram();
    const b = new Histogram();
    a.record(10);
    b.record(1000);
    b.record(2000);
    a.merge(b);
    expect(a.count).toBe(3);
    expect(a.min).toBe(10);
    expect(a.max).toBe(2000);
  });
});
