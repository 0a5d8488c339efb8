// The trainer's PRNG: the runtime's xoshiro128** (model/llama/rng.ts) with a state that can be
// saved in a checkpoint and restored, so a resumed run draws exactly the dropout masks and data
// order an uninterrupted run would.
import { Rng } from '../llama/rng.js';

export class TrainRng extends Rng {
  static fromState(state: number[]): TrainRng {
    if (state.length !== 4 || !state.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)) throw new Error(`bad RNG state ${JSON.stringify(state)}`);
    const r = new TrainRng(0);
    r.s.set(state);
    return r;
  }

  state(): number[] {
    return Array.from(this.s);
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }
}
