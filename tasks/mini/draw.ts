// The draws the mini-challenge generator makes, all from the project's one seeded PRNG
// (kernels/rng.ts, xoshiro128**): the same seed gives the same world, questions and splits on
// every machine. A generator that needs a stream of its own (one family, one question) derives its
// seed from the world's seed and a key string, so adding a family never changes another's draws.
import { Rng } from '../../kernels/rng.js';

export { Rng };

/** FNV-1a hash of a string (32 bits), to derive a stream's seed from a key. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The stream of `key` under `seed`. */
export function keyedRng(seed: number, key: string): Rng {
  return new Rng((seed ^ hashString(key)) >>> 0);
}

/** Uniform integer in [lo, hi] (inclusive). */
export function intBetween(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

/** True with probability p. */
export function chance(rng: Rng, p: number): boolean {
  return rng.uniform() < p;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick: no items');
  return items[rng.int(items.length)]!;
}

/** A shuffled copy (Fisher-Yates, through Rng.permutation). */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  return rng.permutation(items.length).map((i) => items[i]!);
}

/** k distinct items other than `exclude`, in random order. */
export function sampleOthers<T>(rng: Rng, items: readonly T[], exclude: T, k: number): T[] {
  return shuffled(rng, items.filter((x) => x !== exclude)).slice(0, k);
}
