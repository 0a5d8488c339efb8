// The Mersenne Twister MT19937 generator (Matsumoto & Nishimura), as both CPython's `random`
// module (Modules/_randommodule.c) and numpy's legacy RandomState (mt19937.c) implement it.
// Both libraries share this core; they differ only in how they seed it and what they build on top.

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class MT19937 {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;
  /** 32-bit outputs drawn since the last seeding (to state a process's position in the stream). */
  outputs = 0;

  /** init_genrand: seeds from one 32-bit word (numpy's legacy `RandomState(int)` seeding). */
  initGenrand(seed: number): void {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1];
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.index = N;
    this.outputs = 0;
  }

  /** init_by_array: seeds from a key of 32-bit words (CPython's `random.seed(int)`). */
  initByArray(key: readonly number[]): void {
    const mt = this.mt;
    const keyLength = Math.max(key.length, 1);
    const word = (j: number) => (key.length === 0 ? 0 : key[j] >>> 0);
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, keyLength); k > 0; k--) {
      const prev = mt[i - 1];
      mt[i] = ((mt[i] ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + word(j) + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= keyLength) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1];
      mt[i] = ((mt[i] ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.index = N;
  }

  /** genrand_uint32: the next 32-bit output, tempered. */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      if (this.index === N + 1) this.initGenrand(5489);
      this.twist();
    }
    let y = mt[this.index++];
    this.outputs++;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** genrand_res53: a double in [0, 1) from two outputs (CPython random() == numpy random_sample()). */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }

  /** CPython getstate()'s key: the 624 state words and the position, as _randommodule.c returns them. */
  getState(): { key: number[]; pos: number } {
    return { key: Array.from(this.mt), pos: this.index };
  }

  /** setstate() from getState() (the outputs count travels separately). */
  setState(key: readonly number[], pos: number, outputs = 0): void {
    if (key.length !== N || !Number.isInteger(pos) || pos < 0 || pos > N) throw new RangeError('MT19937 state must be 624 words and a position in 0..624');
    this.mt.set(key.map((w) => w >>> 0));
    this.index = pos;
    this.outputs = outputs;
  }

  private twist(): void {
    const mt = this.mt;
    let kk = 0;
    for (; kk < N - M; kk++) {
      const y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = (mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
    }
    for (; kk < N - 1; kk++) {
      const y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = (mt[kk + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
    }
    const y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = (mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
    this.index = 0;
  }
}
