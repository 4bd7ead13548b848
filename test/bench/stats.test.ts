// Test whether medians, percentiles and inversion counts (cross-subscriber order) are right.
import { describe, expect, it } from 'vitest';
import {
  countInversions,
  median,
  medianIndex,
  orderDisagreements,
  percentileOfSorted,
} from '../../bench/stats.js';

function bruteInversions(seq: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < seq.length; i++) for (let j = i + 1; j < seq.length; j++) if (seq[i]! > seq[j]!) n++;
  return n;
}

describe('median', () => {
  it.each([
    [[], NaN],
    [[3], 3],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[NaN, 5, 1], 3],
  ])('of %j is %d', (values, expected) => {
    if (Number.isNaN(expected)) expect(median(values)).toBeNaN();
    else expect(median(values)).toBe(expected);
  });

  it('names the index of the median run', () => {
    expect(medianIndex([30, 10, 20])).toBe(2);
    expect(medianIndex([5, 1, 4, 2])).toBe(3); // lower middle of 1,2,4,5 is 2 at index 3
    expect(medianIndex([])).toBe(-1);
  });
});

describe('percentileOfSorted', () => {
  it('uses the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(sorted, 50)).toBe(50);
    expect(percentileOfSorted(sorted, 99)).toBe(99);
    expect(percentileOfSorted(sorted, 0)).toBe(1);
    expect(percentileOfSorted([], 50)).toBeNaN();
  });
});

describe('countInversions', () => {
  it('is zero for sorted input and n(n-1)/2 for reversed input', () => {
    expect(countInversions([1, 2, 3, 4, 5])).toBe(0);
    expect(countInversions([5, 4, 3, 2, 1])).toBe(10);
    expect(countInversions([])).toBe(0);
  });

  it('agrees with brute force on shuffled sequences', () => {
    let seed = 3;
    for (let round = 0; round < 20; round++) {
      const n = 1 + round * 7;
      const seq = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        seed = (seed * 48_271) % 2_147_483_647;
        const j = seed % (i + 1);
        [seq[i], seq[j]] = [seq[j]!, seq[i]!];
      }
      expect(countInversions(seq)).toBe(bruteInversions(seq));
    }
  });

  it('does not modify its input', () => {
    const seq = [3, 1, 2];
    countInversions(seq);
    expect(seq).toEqual([3, 1, 2]);
  });
});

describe('orderDisagreements', () => {
  it('counts only pairs both sequences hold', () => {
    expect(orderDisagreements([1, 2, 3], [1, 2, 3], 10)).toBe(0);
    expect(orderDisagreements([1, 2, 3], [2, 1, 3], 10)).toBe(1);
    // 9 and 8 are each in one sequence only: they cannot disagree.
    expect(orderDisagreements([9, 1, 2], [2, 8, 1], 10)).toBe(1);
    expect(orderDisagreements([0, 1, 2, 3], [3, 2, 1, 0], 4)).toBe(6);
  });
});
