// Seeded random tensors and a finite-difference gradient checker for the kernel tests.
import { expect } from 'chai';
import { uniforms } from '../../kernels/rng.js';

// seeded uniforms in [0, 1) for test inputs (the project's one PRNG)
export function rng(seed: number): () => number {
  return uniforms(seed);
}

// n values ~ N(0, scale²), seeded (Box–Muller)
export function randn(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12), v = r();
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  expect(a.length >= n && b.length >= n, 'array lengths').to.equal(true);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

// expects |a - b| <= atol + rtol·max|b| elementwise
export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol = 0, what = 'values'): void {
  expect(a.length, `${what}: length`).to.equal(b.length);
  const tol = atol + rtol * maxAbs(b);
  const d = maxAbsDiff(a, b);
  expect(d, `${what}: max abs diff ${d} > ${tol}`).to.be.at.most(tol);
}

// Central finite differences of loss() w.r.t. every element of x (or `count` seeded-picked ones),
// compared with the analytic gradient: |num - ana| <= atol + rtol·max(|num|,|ana|).
export function gradCheck(
  what: string,
  x: Float32Array,
  analytic: Float32Array,
  loss: () => number,
  opts: { h?: number; atol?: number; rtol?: number; count?: number; seed?: number } = {},
): void {
  const h = opts.h ?? 1e-2;
  const atol = opts.atol ?? 1e-3;
  const rtol = opts.rtol ?? 1e-2;
  const idx: number[] = [];
  if (opts.count && opts.count < x.length) {
    const r = rng(opts.seed ?? 7);
    for (let i = 0; i < opts.count; i++) idx.push(Math.floor(r() * x.length));
  } else {
    for (let i = 0; i < x.length; i++) idx.push(i);
  }
  let nonzero = 0;
  for (const i of idx) {
    const orig = x[i];
    x[i] = orig + h;
    const lp = loss();
    x[i] = orig - h;
    const lm = loss();
    x[i] = orig;
    const num = (lp - lm) / (2 * h);
    const ana = analytic[i];
    if (Math.abs(num) > 1e-6) nonzero++;
    const tol = atol + rtol * Math.max(Math.abs(num), Math.abs(ana));
    expect(Math.abs(num - ana), `${what}[${i}]: numeric ${num} vs analytic ${ana}`).to.be.at.most(tol);
  }
  // a gradient check over all-zero gradients proves nothing
  expect(nonzero, `${what}: no non-zero gradient checked`).to.be.greaterThan(0);
}

// Σ w∘y in double: a scalar loss with a random upstream gradient w
export function dotLoss(y: ArrayLike<number>, w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i] * w[i];
  return s;
}

// out[N,OC] in double: the reference every matmul is compared with
export function matmulDouble(inp: Float32Array, w: Float32Array, bias: Float32Array | null, N: number, C: number, OC: number): Float64Array {
  const out = new Float64Array(N * OC);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < OC; o++) {
      let s = bias ? bias[o] : 0;
      for (let c = 0; c < C; c++) s += inp[n * C + c] * w[o * C + c];
      out[n * OC + o] = s;
    }
  return out;
}

