// numpy's float64 summation, for sums HELM leaves to numpy: np.sum / ndarray.mean reduce with
// pairwise summation (numpy/core/src/umath/loops_utils.h.src, DOUBLE_pairwise_sum: fewer than 8
// values added in order; up to 128 with eight interleaved accumulators; beyond, split in halves at
// a multiple of 8), starting from the add identity 0.0.

const BLOCK = 128;

export function pairwiseSum(a: readonly number[], start = 0, n = a.length): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= BLOCK) {
    const r = a.slice(start, start + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += a[start + i + j]!;
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.trunc(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** np.sum(x) of a 1-D float64 array. */
export function npSum(a: readonly number[]): number {
  return 0 + pairwiseSum(a);
}

/** np.array(x).mean(): the sum, then true division by the count. */
export function npMean(a: readonly number[]): number {
  return npSum(a) / a.length;
}
