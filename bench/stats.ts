/**
 * Small statistics for the benchmark: median of runs, percentile of a sorted sample, and inversion
 * counting (how many pairs two sequences order differently), used for cross-subscriber order.
 */

/** The median of `values` (mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** The index of the median value in `values` (the lower middle for an even count); -1 when empty. */
export function medianIndex(values: readonly number[]): number {
  const order = values
    .map((v, i) => ({ v, i }))
    .filter((e) => !Number.isNaN(e.v))
    .sort((a, b) => a.v - b.v);
  if (order.length === 0) return -1;
  return order[(order.length - 1) >> 1]!.i;
}

/** Nearest-rank percentile `p` (0-100) of an ascending sample; NaN when empty. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)]!;
}

/**
 * The number of pairs i < j with seq[i] > seq[j], by merge sort in O(n log n). `seq` is not
 * modified. Values must be distinct for the count to mean "pairs in a different order".
 */
export function countInversions(seq: ArrayLike<number>): number {
  const n = seq.length;
  let a = Float64Array.from(seq);
  let b = new Float64Array(n);
  let inversions = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (a[i]! <= a[j]!) {
          b[k++] = a[i++]!;
        } else {
          inversions += mid - i;
          b[k++] = a[j++]!;
        }
      }
      while (i < mid) b[k++] = a[i++]!;
      while (j < hi) b[k++] = a[j++]!;
    }
    [a, b] = [b, a];
  }
  return inversions;
}

/**
 * How many messages both sequences hold but order differently, counted as pairs: for every pair of
 * ids present in both `first` and `second`, one if their relative order differs. Ids are
 * non-negative integers below `idSpace`; duplicates should already be removed.
 */
export function orderDisagreements(
  first: ArrayLike<number>,
  second: ArrayLike<number>,
  idSpace: number,
): number {
  const position = new Int32Array(idSpace).fill(-1);
  for (let i = 0; i < first.length; i++) position[first[i]!] = i;
  const common: number[] = [];
  for (let i = 0; i < second.length; i++) {
    const p = position[second[i]!]!;
    if (p >= 0) common.push(p);
  }
  return countInversions(common);
}
