// Kernel GFLOP/s of the four matmuls (F32, fused NF4, Q8_0, Q4_0) at stories15M's shapes
// (dim 288, ffn 768, vocab 32000), for one decode row (N=1) and a 64-token prefill (N=64):
// the plain JS kernels, the WebAssembly SIMD kernels on one thread, and on two threads.
// `npm run bench kernels`, or `node --import tsx bench/kernels.bench.ts` alone.
// EVALFIRST_BENCH_QUICK=1 shortens each measurement (for a smoke run).
import Table from 'cli-table3';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import {
  matmulForward, matmulNF4Forward, matmulQ8_0Forward, matmulQ4_0Forward, nf4Quantize, nf4ToKernelMemory,
  quantizeQ8_0, quantizeQ4_0, Q8_0_BLOCK_BYTES, Q4_0_BLOCK_BYTES, toKernelMemory, setKernelBackend,
  setKernelThreads, shutdownKernelPool, kernelBackend, attentionForward, attentionBackward, matmulBackward,
} from '../kernels/index.js';

const SHAPES: Array<[string, number, number]> = [
  // name, C (in), OC (out)
  ['288→288 (wq/wk/wv/wo)', 288, 288],
  ['288→768 (w1/w3)', 288, 768],
  ['768→288 (w2)', 768, 288],
  ['288→32000 (classifier)', 288, 32000],
];
const ROWS = [1, 64];
const FORMATS = ['F32', 'NF4', 'Q8_0', 'Q4_0'] as const;
type Format = (typeof FORMATS)[number];
const MIN_SECONDS = process.env.EVALFIRST_BENCH_QUICK ? 0.03 : 0.25;

function seeded(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = (a / 2 ** 32 - 0.5) * 0.2;
  }
  return out;
}

// a matmul closure for one format and shape, weights prepared once (in kernel memory)
function prepare(fmt: Format, C: number, OC: number): (out: Float32Array, inp: Float32Array, N: number) => void {
  const w = seeded(OC * C, 42);
  switch (fmt) {
    case 'F32': {
      const wk = toKernelMemory(w);
      return (out, inp, N) => matmulForward(out, inp, wk, null, N, C, OC);
    }
    case 'NF4': {
      const t = nf4ToKernelMemory(nf4Quantize(w, 64, true, [OC, C]));
      return (out, inp, N) => matmulNF4Forward(out, inp, t, N, C, OC);
    }
    case 'Q8_0': {
      const q = new Uint8Array((OC * C / 32) * Q8_0_BLOCK_BYTES);
      quantizeQ8_0(w, q);
      const qk = toKernelMemory(q);
      return (out, inp, N) => matmulQ8_0Forward(out, inp, qk, N, C, OC);
    }
    case 'Q4_0': {
      const q = new Uint8Array((OC * C / 32) * Q4_0_BLOCK_BYTES);
      quantizeQ4_0(w, q);
      const qk = toKernelMemory(q);
      return (out, inp, N) => matmulQ4_0Forward(out, inp, qk, N, C, OC);
    }
  }
}

// GFLOP/s (2·N·C·OC per call): the best of 5 windows of MIN_SECONDS/5 each (a shared machine's
// other load only ever slows a window down), each window running whole calls
function measure(f: () => void, flops: number): number {
  f(); // warm up (JIT, page faults, pool start)
  let best = 0;
  for (let win = 0; win < 5; win++) {
    let calls = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < (MIN_SECONDS * 1000) / 5) {
      f();
      calls++;
      t = performance.now();
    }
    best = Math.max(best, (flops * calls) / ((t - t0) / 1000) / 1e9);
  }
  return best;
}

export async function run(): Promise<void> {
  const backend = kernelBackend();
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores (figures are best-of-5 windows)`);
  if (backend.backend !== 'wasm') console.log(`WebAssembly fast paths unavailable (${backend.reason}): the wasm columns repeat JS`);
  const table = new Table({
    head: ['format', 'shape', 'N', 'JS GFLOP/s', 'wasm 1t', 'wasm 2t', 'wasm/JS', '2t/1t'],
    style: { head: [], border: [] },
  });
  const summary: Record<string, number[]> = {};
  for (const fmt of FORMATS) {
    for (const [name, C, OC] of SHAPES) {
      const mm = prepare(fmt, C, OC);
      for (const N of ROWS) {
        const inp = seeded(N * C, 7);
        const out = new Float32Array(N * OC);
        const flops = 2 * N * C * OC;
        setKernelBackend('js');
        const js = measure(() => mm(out, inp, N), flops);
        setKernelBackend('wasm');
        setKernelThreads(1);
        const w1 = measure(() => mm(out, inp, N), flops);
        setKernelThreads(2);
        const w2 = measure(() => mm(out, inp, N), flops);
        (summary[`${fmt} N=${N}`] ??= []).push(w1 / js, w2 / w1);
        table.push([fmt, name, N, js.toFixed(2), w1.toFixed(2), w2.toFixed(2), `${(w1 / js).toFixed(2)}×`, `${(w2 / w1).toFixed(2)}×`]);
      }
    }
  }
  console.log(table.toString());
  console.log(attentionAndBackwardTable().toString());
  setKernelThreads(1);
  shutdownKernelPool();
  console.log('geometric means (wasm/JS, 2 threads/1):');
  for (const [k, v] of Object.entries(summary)) {
    const gm = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
    const a = v.filter((_, i) => i % 2 === 0), b = v.filter((_, i) => i % 2 === 1);
    console.log(`  ${k.padEnd(10)} wasm/JS ${gm(a).toFixed(2)}×   2t/1t ${gm(b).toFixed(2)}×`);
  }
}

// attention (6 heads of 48, stories15M) at decode and prefill, its backward, and the matmul backward
// of a training step (T=128), JS vs wasm vs 2 threads
function attentionAndBackwardTable(): InstanceType<typeof Table> {
  const t = new Table({
    head: ['kernel', 'case', 'JS GFLOP/s', 'wasm 1t', 'wasm 2t', 'wasm/JS', '2t/1t'],
    style: { head: [], border: [] },
  });
  const NH = 6, HS = 48;
  const cases: Array<[string, string, number, () => void]> = [];
  for (const [T, pos0] of [[1, 255], [128, 0]]) {
    const Tk = T + pos0;
    const q = seeded(T * NH * HS, 1), k = seeded(Tk * NH * HS, 2), v = seeded(Tk * NH * HS, 3);
    const out = new Float32Array(T * NH * HS), lse = new Float32Array(T * NH);
    const flops = 4 * T * (pos0 + (T + 1) / 2) * HS * NH;
    cases.push(['attention fwd', T === 1 ? 'decode at 255' : 'prefill T=128', flops,
      () => attentionForward(out, lse, q, k, v, T, pos0, NH, NH, HS)]);
    if (T > 1) {
      const dq = new Float32Array(q.length), dk = new Float32Array(k.length), dv = new Float32Array(v.length);
      const dout = seeded(q.length, 4);
      attentionForward(out, lse, q, k, v, T, pos0, NH, NH, HS);
      cases.push(['attention bwd', 'T=128', 2.5 * flops, () => attentionBackward(dq, dk, dv, dout, q, k, v, out, lse, T, pos0, NH, NH, HS)]);
    }
  }
  for (const [C, OC] of [[288, 768], [768, 288]]) {
    const N = 128;
    const inp = seeded(N * C, 5), w = seeded(OC * C, 6), dout = seeded(N * OC, 7);
    const dinp = new Float32Array(N * C), dw = new Float32Array(OC * C);
    cases.push(['matmul bwd', `T=128 ${C}→${OC} (dinp+dweight)`, 4 * N * C * OC,
      () => matmulBackward(dinp, dw, null, dout, inp, w, N, C, OC)]);
  }
  for (const [kernel, name, flops, f] of cases) {
    setKernelBackend('js');
    const js = measure(f, flops);
    setKernelBackend('wasm');
    setKernelThreads(1);
    const w1 = measure(f, flops);
    setKernelThreads(2);
    const w2 = measure(f, flops);
    t.push([kernel, name, js.toFixed(2), w1.toFixed(2), w2.toFixed(2), `${(w1 / js).toFixed(2)}×`, `${(w2 / w1).toFixed(2)}×`]);
  }
  return t;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
