import { expect } from 'chai';
import { attentionForward, attentionBackward, ATTENTION_KEY_BLOCK, setKernelBackend, kernelBackend } from '../../kernels/index.js';
import { randn, expectClose, gradCheck, dotLoss } from './helpers.js';

// naive softmax attention in double: materialises every score row. out[T,NH,HS], lse[T,NH]
function naiveAttention(
  q: Float32Array, k: Float32Array, v: Float32Array,
  T: number, pos0: number, NH: number, NKV: number, HS: number,
): { out: Float64Array; lse: Float64Array } {
  const out = new Float64Array(T * NH * HS), lse = new Float64Array(T * NH);
  const rep = NH / NKV;
  for (let t = 0; t < T; t++)
    for (let h = 0; h < NH; h++) {
      const kvh = Math.floor(h / rep);
      const nk = pos0 + t + 1;
      const s = new Float64Array(nk);
      let max = -Infinity;
      for (let j = 0; j < nk; j++) {
        let d = 0;
        for (let i = 0; i < HS; i++) d += q[(t * NH + h) * HS + i] * k[(j * NKV + kvh) * HS + i];
        s[j] = d / Math.sqrt(HS);
        max = Math.max(max, s[j]);
      }
      let sum = 0;
      for (let j = 0; j < nk; j++) sum += Math.exp(s[j] - max);
      lse[t * NH + h] = max + Math.log(sum);
      for (let j = 0; j < nk; j++) {
        const p = Math.exp(s[j] - max) / sum;
        for (let i = 0; i < HS; i++) out[(t * NH + h) * HS + i] += p * v[(j * NKV + kvh) * HS + i];
      }
    }
  return { out, lse };
}

// both the JS kernels and (where available) the WebAssembly SIMD ones
const BACKENDS = ['js', 'wasm'] as const;

describe('kernels/attention', () => {
  after(() => setKernelBackend('wasm'));
  const cases: Array<[string, number, number, number, number, number]> = [
    // name, T, pos0, NH, NKV, HS
    ['prefill, MHA', 7, 0, 3, 3, 8],
    ['prefill, GQA 4:2', 9, 0, 4, 2, 16],
    ['prefill past one key block, GQA 8:2', ATTENTION_KEY_BLOCK + 9, 0, 8, 2, 8],
    ['prefill at an offset into the cache', 5, ATTENTION_KEY_BLOCK + 60, 4, 1, 8],
    ['decode (T=1) over 2+ key blocks, GQA 6:3', 1, 2 * ATTENTION_KEY_BLOCK + 3, 6, 3, 16],
  ];
  for (const backend of BACKENDS) for (const [name, T, pos0, NH, NKV, HS] of cases) {
    it(`forward equals naive softmax attention (${backend}): ${name}`, () => {
      setKernelBackend(backend);
      const Tk = pos0 + T;
      const q = randn(T * NH * HS, 31), k = randn(Tk * NKV * HS, 32), v = randn(Tk * NKV * HS, 33);
      const out = new Float32Array(T * NH * HS).fill(NaN), lse = new Float32Array(T * NH).fill(NaN);
      attentionForward(out, lse, q, k, v, T, pos0, NH, NKV, HS);
      const ref = naiveAttention(q, k, v, T, pos0, NH, NKV, HS);
      expectClose(out, ref.out, 2e-6, 2e-6, 'out');
      expectClose(lse, ref.lse, 2e-5, 1e-6, 'lse');
    });
  }

  it('keys beyond the causal horizon are never read (cache rows past pos0+T may hold garbage)', () => {
    const T = 3, pos0 = 4, NH = 2, NKV = 1, HS = 4;
    const q = randn(T * NH * HS, 34), k = randn(20 * NKV * HS, 35), v = randn(20 * NKV * HS, 36);
    const a = new Float32Array(T * NH * HS);
    attentionForward(a, null, q, k, v, T, pos0, NH, NKV, HS);
    k.fill(NaN, (pos0 + T) * NKV * HS);
    v.fill(NaN, (pos0 + T) * NKV * HS);
    const b = new Float32Array(T * NH * HS);
    attentionForward(b, null, q, k, v, T, pos0, NH, NKV, HS);
    expect(Array.from(b)).to.deep.equal(Array.from(a));
  });

  it('rejects a head count that is not a multiple of the kv heads', () => {
    const z = new Float32Array(64);
    expect(() => attentionForward(z, null, z, z, z, 1, 0, 3, 2, 4)).to.throw(/3 query heads is not a multiple of 2 kv heads/);
  });

  for (const backend of BACKENDS) for (const [name, T, pos0, NH, NKV, HS] of [
    ['MHA from position 0', 4, 0, 2, 2, 4],
    ['GQA 4:2 at an offset', 3, 2, 4, 2, 4],
  ] as const) {
    it(`backward (recomputed from lse) matches finite differences (${backend}): ${name}`, () => {
      setKernelBackend(backend);
      if (backend === 'wasm') expect(kernelBackend().backend).to.equal('wasm');
      const Tk = pos0 + T;
      const q = randn(T * NH * HS, 41), k = randn(Tk * NKV * HS, 42), v = randn(Tk * NKV * HS, 43);
      const dout = randn(T * NH * HS, 44);
      const out = new Float32Array(T * NH * HS), lse = new Float32Array(T * NH);
      attentionForward(out, lse, q, k, v, T, pos0, NH, NKV, HS);
      const dq = new Float32Array(q.length), dk = new Float32Array(k.length), dv = new Float32Array(v.length);
      attentionBackward(dq, dk, dv, dout, q, k, v, out, lse, T, pos0, NH, NKV, HS);
      const loss = (): number => dotLoss(naiveAttention(q, k, v, T, pos0, NH, NKV, HS).out, dout);
      gradCheck('dq', q, dq, loss, { h: 1e-3, atol: 1e-4 });
      gradCheck('dk', k, dk, loss, { h: 1e-3, atol: 1e-4 });
      gradCheck('dv', v, dv, loss, { h: 1e-3, atol: 1e-4 });
    });
  }
});
