// A bit-exact replica of CPython 3.11's `random.Random` for the calls HELM makes:
// seed(int), seed(str), random(), getrandbits(k), randrange, randint, uniform, shuffle, sample, choice.
// Sources: CPython 3.11 Lib/random.py and Modules/_randommodule.c.
import { createHash } from 'node:crypto';
import { MT19937 } from './mt19937.js';

/** The 32-bit little-endian words of |n| (random_seed in _randommodule.c); [0] for 0. */
export function seedWords(seed: number | bigint): number[] {
  let n = typeof seed === 'bigint' ? seed : BigInt(checkInteger(seed, 'seed'));
  if (n < 0n) n = -n;
  const words: number[] = [];
  while (n > 0n) {
    words.push(Number(n & 0xffffffffn));
    n >>= 32n;
  }
  return words.length > 0 ? words : [0];
}

function checkInteger(x: number, what: string): number {
  if (!Number.isSafeInteger(x)) throw new TypeError(`${what} must be a safe integer, got ${x}`);
  return x;
}

/** int.bit_length() for a non-negative safe integer. */
function bitLength(n: number): number {
  return n <= 0 ? 0 : n.toString(2).length;
}

/** CPython's Random state (getstate()[1]: 624 MT words, then the position) and outputs since seeding. */
export interface PythonRandomState {
  key: number[];
  pos: number;
  outputs: number;
}

export class PythonRandom {
  private readonly mt = new MT19937();

  constructor(seed: number | bigint = 0) {
    this.seed(seed);
  }

  /** random.seed(n) for an int n: init_by_array over the words of abs(n). */
  seed(seed: number | bigint): void {
    this.mt.initByArray(seedWords(seed));
  }

  /**
   * random.getstate() as (version 3, 624 words + position, gauss_next None), plus the number of
   * 32-bit outputs drawn since the last seed(): "seed(0), then n outputs" names a state for people.
   */
  getstate(): PythonRandomState {
    const { key, pos } = this.mt.getState();
    return { key, pos, outputs: this.mt.outputs };
  }

  setstate(state: PythonRandomState): void {
    this.mt.setState(state.key, state.pos, state.outputs);
  }

  /** A generator at the same point of the stream. */
  clone(): PythonRandom {
    const copy = new PythonRandom(0);
    copy.setstate(this.getstate());
    return copy;
  }

  /** random.random(): a float in [0, 1). */
  random(): number {
    return this.mt.nextDouble();
  }

  /** random.getrandbits(k) as a bigint (any k >= 0). */
  getrandbits(k: number): bigint {
    checkInteger(k, 'getrandbits k');
    if (k < 0) throw new RangeError('number of bits must be non-negative');
    if (k <= 32) return BigInt(this.getrandbits32(k));
    // Fill 32-bit words from the least significant; the last word keeps its top bits.
    let result = 0n;
    let shift = 0n;
    for (let left = k; left > 0; left -= 32) {
      let r = this.mt.nextUint32();
      if (left < 32) r >>>= 32 - left;
      result |= BigInt(r) << shift;
      shift += 32n;
    }
    return result;
  }

  /** _randbelow_with_getrandbits(n): uniform in [0, n) by rejection on bit_length(n) bits. */
  randbelow(n: number): number {
    checkInteger(n, 'randbelow n');
    if (n <= 0) throw new RangeError(`randbelow is defined for n > 0, got ${n}`);
    const k = bitLength(n);
    if (k <= 32) {
      let r = this.getrandbits32(k);
      while (r >= n) r = this.getrandbits32(k);
      return r;
    }
    const big = BigInt(n);
    let r = this.getrandbits(k);
    while (r >= big) r = this.getrandbits(k);
    return Number(r);
  }

  /** random.randrange(stop) / randrange(start, stop[, step]) (Python 3.11 rules). */
  randrange(start: number, stop?: number, step = 1): number {
    checkInteger(start, 'randrange start');
    if (stop === undefined) {
      if (step !== 1) throw new TypeError('Missing a non-None stop argument');
      if (start > 0) return this.randbelow(start);
      throw new RangeError(`empty range for randrange(${start})`);
    }
    checkInteger(stop, 'randrange stop');
    checkInteger(step, 'randrange step');
    const width = stop - start;
    if (step === 1) {
      if (width > 0) return start + this.randbelow(width);
      throw new RangeError(`empty range for randrange(${start}, ${stop}, ${step})`);
    }
    let n: number;
    if (step > 0) n = Math.floor((width + step - 1) / step);
    else if (step < 0) n = Math.floor((width + step + 1) / step);
    else throw new RangeError('zero step for randrange()');
    if (n <= 0) throw new RangeError(`empty range for randrange(${start}, ${stop}, ${step})`);
    return start + step * this.randbelow(n);
  }

  /** random.shuffle(x) in place (Python 3.11: Fisher–Yates from the end with _randbelow). */
  shuffle<T>(x: T[]): void {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /** random.sample(population, k) (Python 3.11, no counts): pool branch for small n, set branch otherwise. */
  sample<T>(population: readonly T[], k: number): T[] {
    checkInteger(k, 'sample k');
    const n = population.length;
    if (k < 0 || k > n) throw new RangeError('Sample larger than population or is negative');
    const result: T[] = new Array<T>(k);
    let setsize = 21; // size of a small set minus size of an empty list
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4)); // table size for big sets
    if (n <= setsize) {
      const pool = population.slice();
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        result[i] = pool[j];
        pool[j] = pool[n - i - 1];
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n);
        while (selected.has(j)) j = this.randbelow(n);
        selected.add(j);
        result[i] = population[j];
      }
    }
    return result;
  }

  /** random.randint(a, b) = randrange(a, b + 1). */
  randint(a: number, b: number): number {
    return this.randrange(a, b + 1);
  }

  /** random.uniform(a, b) = a + (b - a) * random(). */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.random();
  }

  /** random.choice(seq). */
  choice<T>(seq: readonly T[]): T {
    if (seq.length === 0) throw new RangeError('Cannot choose from an empty sequence');
    return seq[this.randbelow(seq.length)];
  }

  private getrandbits32(k: number): number {
    if (k === 0) return 0;
    return this.mt.nextUint32() >>> (32 - k);
  }
}

/** random.Random(s) for a str s (seed version 2): int.from_bytes(b + sha512(b).digest(), "big") with b = s.encode(). */
export function pythonRandomFromString(s: string): PythonRandom {
  const bytes = Buffer.from(s, 'utf8');
  const all = Buffer.concat([bytes, createHash('sha512').update(bytes).digest()]);
  return new PythonRandom(BigInt(`0x${all.toString('hex')}`));
}
