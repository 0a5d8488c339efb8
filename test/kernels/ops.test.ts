import { expect } from 'chai';
import {
  rmsnormForward, rmsnormBackward, ropeForward, ropeBackward, swigluForward, swigluBackward,
  softmaxForward, softmaxBackward, logSoftmaxForward, logSumExp, crossentropyForward, crossentropyBackward,
  embeddingForward, embeddingBackward, adamwStep, sumSquares, argmax, topK,
} from '../../kernels/index.js';
import { randn, expectClose, gradCheck, dotLoss } from './helpers.js';

describe('kernels/rmsnorm', () => {
  const N = 3, C = 10, eps = 1e-5;
  it('forward equals x / sqrt(mean(x²)+eps) * w in double', () => {
    const x = randn(N * C, 51), w = randn(C, 52);
    const out = new Float32Array(N * C), rstd = new Float32Array(N);
    rmsnormForward(out, rstd, x, w, N, C, eps);
    const ref = new Float64Array(N * C);
    for (let n = 0; n < N; n++) {
      let ss = 0;
      for (let c = 0; c < C; c++) ss += x[n * C + c] ** 2;
      const r = 1 / Math.sqrt(ss / C + eps);
      expect(rstd[n]).to.be.closeTo(r, 1e-6 * r);
      for (let c = 0; c < C; c++) ref[n * C + c] = x[n * C + c] * r * w[c];
    }
    expectClose(out, ref, 1e-6, 1e-6);
  });
  it('backward matches finite differences (dinp, dweight)', () => {
    const x = randn(N * C, 53), w = randn(C, 54), dout = randn(N * C, 55);
    const out = new Float32Array(N * C), rstd = new Float32Array(N);
    rmsnormForward(out, rstd, x, w, N, C, eps);
    const dx = new Float32Array(N * C), dw = new Float32Array(C);
    rmsnormBackward(dx, dw, dout, x, w, rstd, N, C);
    const loss = (): number => {
      const o = new Float64Array(N * C);
      for (let n = 0; n < N; n++) {
        let ss = 0;
        for (let c = 0; c < C; c++) ss += x[n * C + c] ** 2;
        const r = 1 / Math.sqrt(ss / C + eps);
        for (let c = 0; c < C; c++) o[n * C + c] = x[n * C + c] * r * w[c];
      }
      return dotLoss(o, dout);
    };
    gradCheck('dinp', x, dx, loss, { h: 1e-3 });
    gradCheck('dweight', w, dw, loss, { h: 1e-3 });
  });
});

describe('kernels/rope', () => {
  it('rotates adjacent pairs by pos·theta^(-2i/HS) (pairs layout, hand-checked)', () => {
    const x = new Float32Array([1, 0, 1, 0]); // T=1, NH=1, HS=4
    ropeForward(x, 1, 1, 4, 3, 10000, 'pairs');
    // pair 0: angle 3; pair 1: angle 3·10000^(-1/2) = 0.03
    expectClose(x, [Math.cos(3), Math.sin(3), Math.cos(0.03), Math.sin(0.03)], 1e-7);
  });
  it('neox (rotate-half) on a de-interleaved vector equals pairs on the interleaved one', () => {
    const T = 3, NH = 2, HS = 8;
    const x = randn(T * NH * HS, 61);
    const perm = new Float32Array(x.length); // (2i, 2i+1) -> (i, i+HS/2)
    for (let r = 0; r < T * NH; r++)
      for (let i = 0; i < HS / 2; i++) {
        perm[r * HS + i] = x[r * HS + 2 * i];
        perm[r * HS + HS / 2 + i] = x[r * HS + 2 * i + 1];
      }
    ropeForward(x, T, NH, HS, 5, 10000, 'pairs');
    ropeForward(perm, T, NH, HS, 5, 10000, 'neox');
    for (let r = 0; r < T * NH; r++)
      for (let i = 0; i < HS / 2; i++) {
        expect(perm[r * HS + i]).to.be.closeTo(x[r * HS + 2 * i], 1e-6);
        expect(perm[r * HS + HS / 2 + i]).to.be.closeTo(x[r * HS + 2 * i + 1], 1e-6);
      }
  });
  for (const layout of ['pairs', 'neox'] as const) {
    it(`backward (${layout}) matches finite differences and explicit positions equal pos0+t`, () => {
      const T = 2, NH = 2, HS = 6;
      const x = randn(T * NH * HS, 62), dout = randn(T * NH * HS, 63);
      const dx = Float32Array.from(dout);
      ropeBackward(dx, T, NH, HS, 7, 500, layout);
      const loss = (): number => {
        const y = Float32Array.from(x);
        ropeForward(y, T, NH, HS, 7, 500, layout);
        return dotLoss(y, dout);
      };
      gradCheck('dx', x, dx, loss, { h: 1e-2, atol: 1e-4 });
      const a = Float32Array.from(x), b = Float32Array.from(x);
      ropeForward(a, T, NH, HS, 7, 500, layout);
      ropeForward(b, T, NH, HS, 0, 500, layout, new Int32Array([7, 8]));
      expect(Array.from(b)).to.deep.equal(Array.from(a));
    });
  }
});

describe('kernels/swiglu', () => {
  it('forward is silu(gate)·up and backward matches finite differences', () => {
    const n = 20;
    const g = randn(n, 71, 2), u = randn(n, 72), dout = randn(n, 73);
    const out = new Float32Array(n);
    swigluForward(out, g, u, n);
    for (let i = 0; i < n; i++) expect(out[i]).to.be.closeTo((g[i] / (1 + Math.exp(-g[i]))) * u[i], 1e-6);
    const dg = new Float32Array(n), du = new Float32Array(n);
    swigluBackward(dg, du, dout, g, u, n);
    const loss = (): number => {
      let s = 0;
      for (let i = 0; i < n; i++) s += (g[i] / (1 + Math.exp(-g[i]))) * u[i] * dout[i];
      return s;
    };
    gradCheck('dgate', g, dg, loss, { h: 1e-3 });
    gradCheck('dup', u, du, loss, { h: 1e-3 });
  });
});

describe('kernels/softmax', () => {
  it('forward sums to one, survives large logits, and backward matches finite differences', () => {
    const N = 2, V = 7;
    const x = randn(N * V, 81, 3);
    x[3] = 1000; // max-subtraction keeps this finite
    const p = new Float32Array(N * V);
    softmaxForward(p, x, N, V);
    for (let n = 0; n < N; n++) expect(p.subarray(n * V, n * V + V).reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-6);
    expect(p[3]).to.be.closeTo(1, 1e-6);
    const y = randn(N * V, 82);
    const q = new Float32Array(N * V);
    softmaxForward(q, y, N, V);
    const dout = randn(N * V, 83), dy = new Float32Array(N * V);
    softmaxBackward(dy, dout, q, N, V);
    const loss = (): number => {
      let s = 0;
      for (let n = 0; n < N; n++) {
        const lse = logSumExp(y, V, n * V);
        for (let v = 0; v < V; v++) s += Math.exp(y[n * V + v] - lse) * dout[n * V + v];
      }
      return s;
    };
    gradCheck('dinp', y, dy, loss, { h: 1e-3 });
  });
  it('log-softmax equals log of softmax', () => {
    const x = randn(10, 84, 4), a = new Float32Array(10), b = new Float32Array(10);
    logSoftmaxForward(a, x, 2, 5);
    softmaxForward(b, x, 2, 5);
    expectClose(a, b.map(Math.log), 1e-6);
  });
});

describe('kernels/crossentropy', () => {
  const N = 5, V = 6;
  const targets = new Int32Array([1, 4, -100, 0, 5]);
  const mask = new Uint8Array([0, 1, 1, 1, 1]); // position 0 is a prompt token
  it('forward is the mean −log p(target) over counted positions', () => {
    const logits = randn(N * V, 91, 2);
    const losses = new Float32Array(N);
    const mean = crossentropyForward(losses, logits, targets, mask, N, V);
    let s = 0;
    for (const n of [1, 3, 4]) {
      const l = logSumExp(logits, V, n * V) - logits[n * V + targets[n]];
      expect(losses[n]).to.be.closeTo(l, 1e-5);
      s += l;
    }
    expect(losses[0]).to.equal(0);
    expect(losses[2]).to.equal(0);
    expect(mean).to.be.closeTo(s / 3, 1e-6);
    expect(crossentropyForward(null, logits, targets, new Uint8Array(N), N, V)).to.equal(0);
  });
  it('backward matches finite differences and leaves masked rows at zero', () => {
    const logits = randn(N * V, 92, 2);
    const d = new Float32Array(N * V);
    crossentropyBackward(d, logits, targets, mask, N, V, 1.5);
    gradCheck('dlogits', logits, d, () => 1.5 * crossentropyForward(null, logits, targets, mask, N, V), { h: 1e-3, atol: 1e-4 });
    expect(Array.from(d.subarray(0, V)).every((x) => x === 0)).to.equal(true);
  });
  it('names a target outside the vocabulary', () => {
    expect(() => crossentropyForward(null, new Float32Array(4), new Int32Array([9]), null, 1, 4)).to.throw(/target 9 at position 0/);
  });
});

describe('kernels/embedding', () => {
  it('forward gathers rows, backward scatters (+=) with repeats', () => {
    const V = 5, C = 3;
    const table = randn(V * C, 95);
    const tokens = [2, 0, 2];
    const out = new Float32Array(3 * C);
    embeddingForward(out, tokens, table, 3, C);
    expect(Array.from(out.subarray(0, C))).to.deep.equal(Array.from(table.subarray(2 * C, 3 * C)));
    const dout = randn(3 * C, 96), dt = new Float32Array(V * C);
    embeddingBackward(dt, dout, tokens, 3, C);
    gradCheck('dtable', table, dt, () => {
      const o = new Float32Array(3 * C);
      embeddingForward(o, tokens, table, 3, C);
      return dotLoss(o, dout);
    });
    expect(() => embeddingForward(out, [7], table, 1, C)).to.throw(/token 7 at position 0 is outside the vocabulary of 5/);
  });
});

describe('kernels/adamw', () => {
  it('two steps equal torch.optim.AdamW\'s update computed in double', () => {
    const n = 6;
    const p = randn(n, 101), g1 = randn(n, 102), g2 = randn(n, 103);
    const m = new Float32Array(n), v = new Float32Array(n);
    const h = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
    const P = Float64Array.from(p), M = new Float64Array(n), Vv = new Float64Array(n);
    for (const [t, g] of [[1, g1], [2, g2]] as const) {
      adamwStep(p, g, m, v, n, { ...h, step: t }, 0.5);
      for (let i = 0; i < n; i++) {
        const gi = g[i] * 0.5;
        P[i] *= 1 - h.lr * h.weightDecay;
        M[i] = h.beta1 * M[i] + (1 - h.beta1) * gi;
        Vv[i] = h.beta2 * Vv[i] + (1 - h.beta2) * gi * gi;
        const mh = M[i] / (1 - h.beta1 ** t), vh = Vv[i] / (1 - h.beta2 ** t);
        P[i] -= (h.lr * mh) / (Math.sqrt(vh) + h.eps);
      }
    }
    expectClose(p, P, 1e-6, 1e-6);
    expect(sumSquares(new Float32Array([3, 4]))).to.equal(25);
    expect(() => adamwStep(p, g1, m, v, n, { ...h, step: 0 })).to.throw(/step must be >= 1/);
  });
});

describe('kernels/sampling', () => {
  it('topK returns the k largest in descending order, lower index first on ties; argmax the first max', () => {
    const x = randn(1000, 111);
    x[10] = x[20] = 50;
    const idx = new Int32Array(8);
    expect(topK(idx, x, 1000, 8)).to.equal(8);
    const want = Array.from(x.keys()).sort((a, b) => x[b] - x[a] || a - b).slice(0, 8);
    expect(Array.from(idx)).to.deep.equal(want);
    expect(idx[0]).to.equal(10);
    expect(argmax(x)).to.equal(10);
    expect(topK(new Int32Array(5), new Float32Array([1, 2]), 2, 5)).to.equal(2);
  });
});
