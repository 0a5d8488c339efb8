// A bit-exact replica of numpy's legacy `np.random.RandomState(seed)` for the calls HELM makes:
// `np.random.seed(0); np.random.choice(instances, k, replace=False)` picks the eval instances.
// Sources: numpy/random/mtrand.pyx (choice, permutation, shuffle), _mt19937.pyx (_legacy_seeding),
// src/mt19937/mt19937.c (mt19937_seed), src/distributions/distributions.c (random_interval).
import { MT19937 } from './mt19937.js';

export class NumpyRandomState {
  private readonly mt = new MT19937();

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** RandomState.seed(int): mt19937_seed (init_genrand), only for 0 <= seed < 2**32. */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`Seed must be between 0 and 2**32 - 1, got ${seed}`);
    }
    this.mt.initGenrand(seed);
  }

  /** random_sample(): a double in [0, 1) (53 bits from two 32-bit outputs). */
  randomSample(): number {
    return this.mt.nextDouble();
  }

  /** random_interval(max): uniform in [0, max] by masked rejection sampling. */
  randomInterval(max: number): number {
    if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`random_interval max must be a non-negative integer, got ${max}`);
    if (max === 0) return 0;
    if (max > 0xffffffff) return this.randomInterval64(max);
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do value = (this.mt.nextUint32() & mask) >>> 0;
    while (value > max);
    return value;
  }

  /** shuffle(x) in place: for i from n-1 down to 1, swap x[i] with x[random_interval(i)]. */
  shuffle<T>(x: T[]): void {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.randomInterval(i);
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /** permutation(n): a shuffled arange(n). */
  permutation(n: number): number[] {
    const arr = Array.from({ length: n }, (_, i) => i);
    this.shuffle(arr);
    return arr;
  }

  /** choice(n, k, replace=False) with uniform p: permutation(n)[:k]. */
  choiceWithoutReplacement(n: number, k: number): number[] {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`choice: a must be a positive integer, got ${n}`);
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`choice: size must be a non-negative integer, got ${k}`);
    if (k > n) throw new RangeError("Cannot take a larger sample than population when 'replace=False'");
    return this.permutation(n).slice(0, k);
  }

  // Masks above 32 bits draw 64-bit words (hi << 32 | lo); kept exact with bigint.
  private randomInterval64(max: number): number {
    const big = BigInt(max);
    let mask = big;
    for (const s of [1n, 2n, 4n, 8n, 16n, 32n]) mask |= mask >> s;
    let value: bigint;
    do {
      const hi = BigInt(this.mt.nextUint32());
      const lo = BigInt(this.mt.nextUint32());
      value = ((hi << 32n) | lo) & mask;
    } while (value > big);
    return Number(value);
  }
}
