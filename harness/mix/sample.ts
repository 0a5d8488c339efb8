// How many rows each source contributes, and which: shares become row counts by the largest-remainder
// method (they sum to the total exactly), and each source draws its rows with a PRNG seeded by the
// manifest seed and the source's name, so adding or changing one source leaves the others' draws as
// they were.
import { tokenHashes } from '../gate/ngram-hash.js';
import { uniforms, randomIndex, type Uniform as Rng } from '../../kernels/rng.js';

/** Row counts for shares of `total`: floors, then the largest remainders get one more (ties: earlier source). */
export function quotasFromShares(shares: readonly number[], total: number): number[] {
  const exact = shares.map((s) => s * total);
  const quotas = exact.map((x) => Math.floor(x + 1e-9));
  let left = total - quotas.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, rem: x - quotas[i] })).sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (let k = 0; left > 0 && k < order.length; k++, left--) quotas[order[k].i]++;
  return quotas;
}

/**
 * The largest total at which every source's exact share (before rounding) fits in its available rows:
 * share · total ≤ available. Then no rounded quota exceeds what is available either.
 */
export function largestFeasibleTotal(shares: readonly number[], available: readonly number[]): number {
  let total = Math.min(...shares.map((s, i) => Math.floor(available[i] / s + 1e-9)));
  while (total > 0 && quotasFromShares(shares, total).some((q, i) => q > available[i])) total--;
  return Math.max(0, total);
}

/** A 32-bit seed for one source's draw. */
export function sourceSeed(seed: number, name: string): number {
  const [a] = tokenHashes(name);
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ a) >>> 0;
}

/** k distinct indices of [0, n), drawn by a partial Fisher–Yates shuffle, returned ascending. */
export function sampleIndices(n: number, k: number, rng: Rng): number[] {
  if (k > n) throw new Error(`cannot draw ${k} of ${n}`);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + randomIndex(rng, n - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, k).sort((a, b) => a - b);
}

/** Fisher–Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomIndex(rng, i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function mixShuffleRng(seed: number): Rng {
  return uniforms((seed ^ 0x6d2b79f5) >>> 0);
}
