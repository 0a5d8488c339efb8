import { expect } from 'chai';
import { matmulForward, matmulForwardRef, matmulForwardJs, matmulBackward } from '../../kernels/index.js';
import { randn, expectClose, gradCheck, dotLoss, matmulDouble } from './helpers.js';

describe('kernels/matmul', () => {
  for (const [N, C, OC] of [[1, 7, 5], [3, 16, 9], [9, 33, 17], [64, 288, 40]]) {
    it(`forward equals the double reference (N=${N} C=${C} OC=${OC}, with and without bias)`, () => {
      const inp = randn(N * C, 1), w = randn(OC * C, 2, 0.1), bias = randn(OC, 3);
      for (const b of [null, bias]) {
        const ref = matmulDouble(inp, w, b, N, C, OC);
        for (const f of [matmulForward, matmulForwardJs, matmulForwardRef]) {
          const out = new Float32Array(N * OC).fill(NaN);
          f(out, inp, w, b, N, C, OC);
          expectClose(out, ref, 1e-5, 1e-5, f.name);
        }
      }
    });
  }

  it('backward: gradients of inp, weight and bias match finite differences', () => {
    const N = 3, C = 5, OC = 4;
    const inp = randn(N * C, 4), w = randn(OC * C, 5), bias = randn(OC, 6), dout = randn(N * OC, 7);
    const dinp = new Float32Array(N * C), dw = new Float32Array(OC * C), db = new Float32Array(OC);
    matmulBackward(dinp, dw, db, dout, inp, w, N, C, OC);
    const loss = (): number => dotLoss(matmulDouble(inp, w, bias, N, C, OC), dout);
    gradCheck('dinp', inp, dinp, loss);
    gradCheck('dweight', w, dw, loss);
    gradCheck('dbias', bias, db, loss);
  });

  it('backward accumulates (+=) and skips null outputs', () => {
    const N = 2, C = 3, OC = 2;
    const inp = randn(N * C, 8), w = randn(OC * C, 9), dout = randn(N * OC, 10);
    const once = new Float32Array(N * C);
    matmulBackward(once, null, null, dout, inp, w, N, C, OC);
    const twice = new Float32Array(N * C);
    matmulBackward(twice, null, null, dout, inp, w, N, C, OC);
    matmulBackward(twice, null, null, dout, inp, w, N, C, OC);
    expectClose(twice, once.map((x) => 2 * x), 1e-6);
    expect(Array.from(once).some((x) => x !== 0)).to.equal(true);
  });
});
