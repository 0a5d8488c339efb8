// The random replicas against vectors printed by real CPython 3.11 and real numpy
// (test/fixtures/python/random_vectors.py → test/fixtures/random/vectors.json).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/shared-data.js';
import { PythonRandom, seedWords } from '../../tasks/random/python-random.js';
import { NumpyRandomState } from '../../tasks/random/numpy-random.js';

interface PythonVectors {
  seed: string;
  random: number[];
  getrandbits: [number, string][];
  randrange: [number[], number][];
  shuffle: number[][];
  sample: [number, number, number[]][];
  choice: number[];
}
interface NumpyVectors {
  seed: number;
  random_sample: number[];
  permutation: number[][];
  choice: [number, number, number[]][];
  global_choice_objects: string[];
}
const vectors = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/random/vectors.json'), 'utf8')) as {
  python: PythonVectors[];
  numpy: NumpyVectors[];
};

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('PythonRandom (CPython 3.11 random.Random replica)', () => {
  it('has vectors for several seeds, including negative and > 64-bit seeds', () => {
    expect(vectors.python.map((v) => v.seed)).to.include.members(['0', '-7', String(2n ** 70n + 12345n)]);
  });

  for (const v of vectors.python) {
    describe(`seed ${v.seed}`, () => {
      const make = () => new PythonRandom(BigInt(v.seed));
      it('random()', () => {
        const r = make();
        expect(v.random.map(() => r.random())).to.deep.equal(v.random);
      });
      it('getrandbits(k) for k in 0..100', () => {
        const r = make();
        for (const [k, want] of v.getrandbits) expect(r.getrandbits(k).toString(), `k=${k}`).to.equal(want);
      });
      it('randrange(start, stop, step)', () => {
        const r = make();
        for (const [args, want] of v.randrange) {
          const got = r.randrange(args[0], args[1], args[2]);
          expect(got, `randrange(${args.join(', ')})`).to.equal(want);
        }
      });
      it('shuffle', () => {
        const r = make();
        const sizes = v.shuffle.map((s) => s.length);
        const got = sizes.map((n) => {
          const x = range(n);
          r.shuffle(x);
          return x;
        });
        expect(got).to.deep.equal(v.shuffle);
      });
      it('sample (pool and set branches)', () => {
        const r = make();
        for (const [n, k, want] of v.sample) expect(r.sample(range(n), k), `sample(range(${n}), ${k})`).to.deep.equal(want);
      });
      it('choice', () => {
        const r = make();
        const sizes = [1, 2, 3, 7, 1000, 99999];
        expect(sizes.map((n) => r.choice(range(n)))).to.deep.equal(v.choice);
      });
    });
  }

  it('seeds by the 32-bit words of abs(n)', () => {
    expect(seedWords(0)).to.deep.equal([0]);
    expect(seedWords(-5)).to.deep.equal([5]);
    expect(seedWords(2n ** 32n + 7n)).to.deep.equal([7, 1]);
  });

  it('rejects empty ranges and oversized samples as Python does', () => {
    const r = new PythonRandom(0);
    expect(() => r.randrange(0)).to.throw(RangeError, /empty range/);
    expect(() => r.randrange(5, 5)).to.throw(RangeError, /empty range/);
    expect(() => r.randrange(0, 10, 0)).to.throw(RangeError, /zero step/);
    expect(() => r.sample([1, 2], 3)).to.throw(RangeError, /larger than population/);
    expect(() => r.choice([])).to.throw(RangeError);
  });
});

describe('NumpyRandomState (numpy legacy RandomState replica)', () => {
  for (const v of vectors.numpy) {
    describe(`seed ${v.seed}`, () => {
      it('random_sample', () => {
        const rs = new NumpyRandomState(v.seed);
        expect(v.random_sample.map(() => rs.randomSample())).to.deep.equal(v.random_sample);
      });
      it('permutation', () => {
        const rs = new NumpyRandomState(v.seed);
        expect(v.permutation.map((p) => rs.permutation(p.length))).to.deep.equal(v.permutation);
      });
      it('choice(n, k, replace=False)', () => {
        for (const [n, k, want] of v.choice) {
          expect(new NumpyRandomState(v.seed).choiceWithoutReplacement(n, k), `choice(${n}, ${k})`).to.deep.equal(want);
        }
      });
      it('choice over a list of objects picks the same indices', () => {
        const objs = range(40).map((i) => `obj${i}`);
        const idx = new NumpyRandomState(v.seed).choiceWithoutReplacement(40, 12);
        expect(idx.map((i) => objs[i])).to.deep.equal(v.global_choice_objects);
      });
    });
  }

  it('rejects seeds outside [0, 2**32) and samples larger than the population', () => {
    expect(() => new NumpyRandomState(-1)).to.throw(RangeError, /Seed must be/);
    expect(() => new NumpyRandomState(2 ** 32)).to.throw(RangeError, /Seed must be/);
    expect(() => new NumpyRandomState(0).choiceWithoutReplacement(3, 4)).to.throw(RangeError, /larger sample/);
  });
});
