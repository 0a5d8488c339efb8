// The WebAssembly SIMD kernels and the worker pool against the JS kernels.
import { expect } from 'chai';
import {
  matmulForward, matmulForwardJs, matmulNF4Forward, matmulNF4ForwardJs, nf4Quantize, nf4ToKernelMemory,
  quantizeQ8_0, quantizeQ4_0, matmulQ8_0Forward, matmulQ4_0Forward, Q8_0_BLOCK_BYTES, Q4_0_BLOCK_BYTES,
  attentionForward, attentionForwardJs, attentionBackward, attentionBackwardJs, matmulBackward, matmulBackwardJs, matmulNF4Backward, matmulNF4BackwardJs,
  kernelBackend, setKernelBackend, toKernelMemory, inKernelMemory, allocF32, freeKernelArray,
  setKernelThreads, kernelThreads, shutdownKernelPool, kernelPoolJobs, PARALLEL_MIN_MACS, setKernelParallelThreshold, kernelAlloc, kernelFree,
} from '../../kernels/index.js';
import { randn, expectClose, maxAbsDiff } from './helpers.js';

type Run = (out: Float32Array) => void;

// runs f with the JS kernels, with wasm on one thread, and with wasm on two threads
function threeWays(f: Run, size: number): { js: Float32Array; wasm1: Float32Array; wasm2: Float32Array } {
  const js = new Float32Array(size).fill(NaN), wasm1 = new Float32Array(size).fill(NaN), wasm2 = new Float32Array(size).fill(NaN);
  setKernelBackend('js');
  f(js);
  setKernelBackend('wasm');
  setKernelThreads(1);
  f(wasm1);
  setKernelThreads(2);
  f(wasm2);
  return { js, wasm1, wasm2 };
}

describe('kernels: WebAssembly SIMD fast paths and the worker pool', function () {
  const threadsBefore = kernelThreads();
  before(function () {
    if (kernelBackend().backend !== 'wasm') {
      console.log(`      skipped: ${kernelBackend().reason}`);
      this.skip();
    }
    // every matmul below goes through the pool when on 2 threads, however small
    setKernelParallelThreshold(0);
  });
  after(() => {
    setKernelParallelThreshold(PARALLEL_MIN_MACS);
    setKernelBackend('wasm');
    setKernelThreads(threadsBefore);
    shutdownKernelPool();
  });

  it('kernel memory: allocations are views of the shared memory, freed blocks are reused', () => {
    const a = allocF32(1000);
    expect(inKernelMemory(a)).to.equal(true);
    expect(a.byteOffset % 16).to.equal(0);
    expect(inKernelMemory(new Float32Array(4))).to.equal(false);
    const off = a.byteOffset;
    freeKernelArray(a);
    const b = allocF32(500);
    expect(b.byteOffset).to.equal(off);
    freeKernelArray(b);
    const big = kernelAlloc(64 << 20); // grows the memory; older views stay valid
    const c = toKernelMemory(new Float32Array([1, 2, 3]));
    expect(Array.from(c)).to.deep.equal([1, 2, 3]);
    kernelFree(big);
    expect(() => kernelFree(big)).to.throw(/not an allocated block/);
  });

  for (const [N, C, OC] of [[1, 288, 288], [3, 288, 37], [64, 288, 768], [5, 12, 9]]) {
    it(`F32 matmul: wasm (1 and 2 threads) equals JS (N=${N} C=${C} OC=${OC})`, () => {
      const inp = randn(N * C, 201), bias = randn(OC, 203);
      const w = toKernelMemory(randn(OC * C, 202, 0.1));
      for (const b of [null, bias]) {
        const r = threeWays((out) => matmulForward(out, inp, w, b, N, C, OC), N * OC);
        expectClose(r.wasm1, r.js, 1e-5, 1e-5, 'wasm 1 thread');
        expectClose(r.wasm2, r.wasm1, 0, 0, '2 threads vs 1');
      }
    });
  }

  it('F32 matmul writes straight into an output that lives in kernel memory', () => {
    const N = 4, C = 64, OC = 256;
    const inp = toKernelMemory(randn(N * C, 204)), w = toKernelMemory(randn(OC * C, 205));
    const out = allocF32(N * OC), ref = new Float32Array(N * OC);
    matmulForward(out, inp, w, null, N, C, OC);
    matmulForwardJs(ref, inp, w, null, N, C, OC);
    expectClose(out, ref, 1e-4, 1e-5);
  });

  for (const [N, C, OC] of [[1, 768, 288], [7, 128, 300], [1, 288, 768], [5, 288, 301], [3, 70, 9]]) {
    it(`NF4 matmul: wasm (1 and 2 threads) equals JS (N=${N} C=${C} OC=${OC})`, () => {
      const inp = randn(N * C, 206);
      const t = nf4Quantize(randn(OC * C, 207, 0.05), 64, true, [OC, C]);
      const tk = nf4ToKernelMemory(t);
      const r = threeWays((out) => matmulNF4Forward(out, inp, tk, N, C, OC), N * OC);
      const ref = new Float32Array(N * OC);
      matmulNF4ForwardJs(ref, inp, t, null, N, C, OC);
      expectClose(r.js, ref, 0, 0, 'JS path');
      expectClose(r.wasm1, r.js, 1e-5, 1e-5, 'wasm 1 thread');
      expectClose(r.wasm2, r.wasm1, 0, 0, '2 threads vs 1');
    });
  }

  for (const [fmt, quant, bytes, mm] of [
    ['Q8_0', quantizeQ8_0, Q8_0_BLOCK_BYTES, matmulQ8_0Forward],
    ['Q4_0', quantizeQ4_0, Q4_0_BLOCK_BYTES, matmulQ4_0Forward],
  ] as const) {
    for (const [N, C, OC] of [[1, 288, 768], [9, 768, 40]]) {
      it(`${fmt} matmul: wasm (1 and 2 threads) equals JS, activation quantization included (N=${N} C=${C} OC=${OC})`, () => {
        const inp = randn(N * C, 208);
        // ties in the activation quantization: exact .5 multiples must round the same way
        inp[0] = 127; inp[1] = 2.5; inp[2] = -3.5;
        const wq = new Uint8Array((OC * C / 32) * bytes);
        quant(randn(OC * C, 209, 0.1), wq);
        const wk = toKernelMemory(wq);
        const r = threeWays((out) => mm(out, inp, wk, N, C, OC), N * OC);
        expectClose(r.wasm1, r.js, 1e-5, 1e-5, `${fmt} wasm 1 thread`);
        expectClose(r.wasm2, r.wasm1, 0, 0, '2 threads vs 1');
      });
    }
  }

  it('a matmul big enough to be split really is split (and equal)', () => {
    setKernelParallelThreshold(PARALLEL_MIN_MACS);
    const N = 1, C = 288, OC = 4096;
    expect(N * C * OC).to.be.at.least(PARALLEL_MIN_MACS);
    const inp = randn(N * C, 210), w = toKernelMemory(randn(OC * C, 211));
    const jobs = kernelPoolJobs();
    const r = threeWays((out) => matmulForward(out, inp, w, null, N, C, OC), N * OC);
    expect(maxAbsDiff(r.wasm2, r.wasm1)).to.equal(0);
    expect(kernelPoolJobs() - jobs, 'split jobs').to.equal(1);
    const small = kernelPoolJobs();
    threeWays((out) => matmulForward(out, inp, w, null, N, C, 256), N * 256);
    expect(kernelPoolJobs() - small, 'a decode-sized matmul stays on one thread').to.equal(0);
    setKernelParallelThreshold(0);
  });

  for (const [N, C, OC] of [[1, 288, 288], [64, 288, 768], [7, 70, 33]]) {
    it(`matmul backward (dinp, dweight, dbias): wasm (1 and 2 threads) equals JS (N=${N} C=${C} OC=${OC})`, () => {
      const inp = randn(N * C, 214), w = toKernelMemory(randn(OC * C, 215, 0.1)), dout = randn(N * OC, 216);
      const start = { dinp: randn(N * C, 217), dw: randn(OC * C, 218), db: randn(OC, 219) };
      const results: Float32Array[][] = [];
      for (const [backend, threads] of [['js', 1], ['wasm', 1], ['wasm', 2]] as const) {
        setKernelBackend(backend);
        setKernelThreads(threads);
        const dinp = Float32Array.from(start.dinp), dw = toKernelMemory(Float32Array.from(start.dw)), db = Float32Array.from(start.db);
        matmulBackward(dinp, dw, db, dout, inp, w, N, C, OC);
        results.push([dinp, Float32Array.from(dw), db]);
        freeKernelArray(dw);
      }
      const ref = [new Float32Array(start.dinp), Float32Array.from(start.dw), Float32Array.from(start.db)];
      matmulBackwardJs(ref[0], ref[1], ref[2], dout, inp, w, N, C, OC);
      for (let i = 0; i < 3; i++) {
        expectClose(results[0][i], ref[i], 0, 0, `JS dispatch [${i}]`);
        expectClose(results[1][i], ref[i], 1e-4, 1e-5, `wasm 1 thread [${i}]`);
        expectClose(results[2][i], results[1][i], 0, 0, `2 threads vs 1 [${i}]`);
      }
    });
  }

  for (const [N, C, OC] of [[1, 288, 768], [64, 768, 288], [5, 70, 9]]) {
    it(`NF4 backward (dinp): wasm (1 and 2 threads) equals JS (N=${N} C=${C} OC=${OC})`, () => {
      const t = nf4Quantize(randn(OC * C, 220, 0.05), 64, true, [OC, C]);
      const tk = nf4ToKernelMemory(t);
      const dout = randn(N * OC, 221), start = randn(N * C, 222);
      const r = threeWays((d) => {
        d.set(start);
        matmulNF4Backward(d, dout, tk, N, C, OC);
      }, N * C);
      const ref = Float32Array.from(start);
      matmulNF4BackwardJs(ref, dout, t, N, C, OC);
      expectClose(r.js, ref, 0, 0, 'JS dispatch');
      expectClose(r.wasm1, ref, 1e-4, 1e-5, 'wasm 1 thread');
      expectClose(r.wasm2, r.wasm1, 0, 0, '2 threads vs 1');
    });
  }

  for (const [name, T, pos0, NH, NKV, HS] of [
    ['decode over 3 key blocks, GQA 6:2', 1, 150, 6, 2, 48],
    ['prefill 70 rows, MHA', 70, 0, 6, 6, 48],
    ['prefill at an offset, GQA 8:2, HS 16', 9, 100, 8, 2, 16],
  ] as const) {
    it(`attention forward: wasm (1 and 2 threads) equals JS, lse included (${name})`, () => {
      const Tk = pos0 + T;
      const q = randn(T * NH * HS, 230), k = toKernelMemory(randn(Tk * NKV * HS, 231)), v = toKernelMemory(randn(Tk * NKV * HS, 232));
      const lses: Float32Array[] = [];
      const r = threeWays((out) => {
        const lse = new Float32Array(T * NH);
        attentionForward(out, lse, q, k, v, T, pos0, NH, NKV, HS);
        lses.push(lse);
      }, T * NH * HS);
      const ref = new Float32Array(T * NH * HS), refLse = new Float32Array(T * NH);
      attentionForwardJs(ref, refLse, q, k, v, T, pos0, NH, NKV, HS);
      expectClose(r.js, ref, 0, 0, 'JS dispatch');
      expectClose(r.wasm1, ref, 2e-6, 2e-6, 'wasm out');
      expectClose(lses[1], refLse, 2e-6, 1e-6, 'wasm lse');
      expectClose(r.wasm2, r.wasm1, 0, 0, '2 threads vs 1');
      freeKernelArray(k);
      freeKernelArray(v);
    });
  }

  it('attention backward: wasm (1 and 2 threads) equals JS (GQA 6:2, T=40 at offset 30, HS 48)', () => {
    const T = 40, pos0 = 30, NH = 6, NKV = 2, HS = 48, Tk = T + pos0;
    const q = randn(T * NH * HS, 240), k = randn(Tk * NKV * HS, 241), v = randn(Tk * NKV * HS, 242), dout = randn(T * NH * HS, 243);
    const out = new Float32Array(T * NH * HS), lse = new Float32Array(T * NH);
    attentionForwardJs(out, lse, q, k, v, T, pos0, NH, NKV, HS);
    const runs: Float32Array[][] = [];
    for (const [backend, threads] of [['js', 1], ['wasm', 1], ['wasm', 2]] as const) {
      setKernelBackend(backend);
      setKernelThreads(threads);
      const g = [randn(q.length, 244), randn(k.length, 245), randn(v.length, 246)]; // accumulate onto these
      attentionBackward(g[0], g[1], g[2], dout, q, k, v, out, lse, T, pos0, NH, NKV, HS);
      runs.push(g);
    }
    const ref = [randn(q.length, 244), randn(k.length, 245), randn(v.length, 246)];
    attentionBackwardJs(ref[0], ref[1], ref[2], dout, q, k, v, out, lse, T, pos0, NH, NKV, HS);
    for (let i = 0; i < 3; i++) {
      expectClose(runs[0][i], ref[i], 0, 0, `JS dispatch [${i}]`);
      expectClose(runs[1][i], ref[i], 1e-5, 1e-5, `wasm [${i}]`);
      expectClose(runs[2][i], runs[1][i], 0, 0, `2 threads vs 1 [${i}]`);
    }
  });

  it('from 16 rows, weights outside kernel memory are copied in: all matmuls equal JS', () => {
    const N = 20, C = 96, OC = 40;
    const inp = randn(N * C, 250), w = randn(OC * C, 251, 0.1), dout = randn(N * OC, 252);
    const nf4 = nf4Quantize(w, 64, true, [OC, C]);
    const q8 = new Uint8Array((OC * C / 32) * Q8_0_BLOCK_BYTES), q4 = new Uint8Array((OC * C / 32) * Q4_0_BLOCK_BYTES);
    quantizeQ8_0(w, q8);
    quantizeQ4_0(w, q4);
    const cases: Array<[string, Run, number]> = [
      ['F32', (o) => matmulForward(o, inp, w, null, N, C, OC), N * OC],
      ['NF4', (o) => matmulNF4Forward(o, inp, nf4, N, C, OC), N * OC],
      ['Q8_0', (o) => matmulQ8_0Forward(o, inp, q8, N, C, OC), N * OC],
      ['Q4_0', (o) => matmulQ4_0Forward(o, inp, q4, N, C, OC), N * OC],
      ['dinp+dweight', (o) => {
        o.fill(0);
        const dw = new Float32Array(OC * C);
        matmulBackward(o.subarray(0, N * C), dw, null, dout, inp, w, N, C, OC);
        o.set(dw.subarray(0, 100), N * C);
      }, N * C + 100],
      ['NF4 dinp', (o) => {
        o.fill(0);
        matmulNF4Backward(o, dout, nf4, N, C, OC);
      }, N * C],
    ];
    for (const [name, f, size] of cases) {
      const jobs = kernelPoolJobs();
      const r = threeWays(f, size);
      expect(kernelPoolJobs() - jobs, `${name}: the 2-thread run went through the wasm pool`).to.be.at.least(1);
      expectClose(r.wasm1, r.js, 1e-5, 1e-5, `${name} wasm`);
      expectClose(r.wasm2, r.wasm1, 0, 0, `${name} 2 threads vs 1`);
    }
    expect(inKernelMemory(w)).to.equal(false);
  });

  it('falls back to JS when the weight is not in kernel memory', () => {
    const N = 2, C = 32, OC = 8;
    const inp = randn(N * C, 212), w = randn(OC * C, 213);
    const a = new Float32Array(N * OC), b = new Float32Array(N * OC);
    matmulForward(a, inp, w, null, N, C, OC);
    matmulForwardJs(b, inp, w, null, N, C, OC);
    expect(Array.from(a)).to.deep.equal(Array.from(b));
  });
});
