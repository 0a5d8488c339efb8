// A small seeded PRNG for resampling (mulberry32: 32-bit state, period 2^32, fast and good enough
// for bootstrap index draws; not for cryptography). Same seed → same sequence on every platform.

export type Rng = () => number;

/** Uniform floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, n). */
export function randomIndex(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}
