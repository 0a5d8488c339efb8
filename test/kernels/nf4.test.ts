import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  NF4_CODE,
  dynamicMap,
  nf4Quantize,
  nf4Dequantize,
  matmulNF4Forward,
  matmulNF4ForwardJs,
  matmulNF4Backward,
  matmulNF4BackwardJs,
  matmulBackwardJs,
} from '../../kernels/index.js';
import { randn, expectClose, matmulDouble } from './helpers.js';

interface VectorCase {
  n: number;
  blocksize: number;
  double_quant: boolean;
  packed_hex: string;
  absmax: number[];
  offset?: number;
  qabsmax?: number[];
  absmax2?: number[];
  dynamic_map?: number[];
  dequant_head: number[];
  dequant_sha256: string;
}

const vector = JSON.parse(readFileSync(new URL('./fixtures/nf4-bnb-vector.json', import.meta.url), 'utf8')) as { cases: VectorCase[] };

// the generator's inputs (see fixtures/nf4_bnb_vector.py), reproduced exactly
function vectorInputs(n: number): Float32Array {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = ((i * 2654435761) % 2 ** 32) / 2 ** 32;
    const scale = 0.02 * (1 + (Math.floor(i / 64) % 7));
    w[i] = (u - 0.5) * 2 * scale;
  }
  return w;
}

describe('kernels/nf4', () => {
  it('the code table is bitsandbytes\' NF4 (sorted, code 7 = 0, ends ±1)', () => {
    expect(NF4_CODE.length).to.equal(16);
    expect(NF4_CODE[0]).to.equal(-1);
    expect(NF4_CODE[7]).to.equal(0);
    expect(NF4_CODE[15]).to.equal(1);
    expect(NF4_CODE[8]).to.equal(Math.fround(0.07958029955625534));
    for (let i = 1; i < 16; i++) expect(NF4_CODE[i]).to.be.greaterThan(NF4_CODE[i - 1]);
  });

  it('dynamicMap(signed) equals create_dynamic_map as computed by the numpy vector', () => {
    const want = vector.cases[0].dynamic_map!;
    const got = dynamicMap(true);
    expect(Array.from(got)).to.deep.equal(want);
    expect(got[0]).to.be.closeTo(-0.99297, 1e-5);
    expect(got[255]).to.equal(1);
  });

  for (const c of vector.cases) {
    it(`quantize -> dequantize equals the numpy bitsandbytes vector (n=${c.n}, double quant ${c.double_quant})`, () => {
      const w = vectorInputs(c.n);
      const t = nf4Quantize(w, c.blocksize, c.double_quant);
      expect(Buffer.from(t.packed).toString('hex')).to.equal(c.packed_hex);
      if (c.double_quant) {
        expect(t.nested!.offset).to.equal(c.offset);
        expect(Array.from(t.nested!.qabsmax)).to.deep.equal(c.qabsmax);
        expect(Array.from(t.nested!.absmax2)).to.deep.equal(c.absmax2);
      } else {
        expect(Array.from(t.absmax)).to.deep.equal(c.absmax);
      }
      const out = new Float32Array(c.n);
      nf4Dequantize(t, out);
      expect(Array.from(out.subarray(0, c.dequant_head.length))).to.deep.equal(c.dequant_head);
      expect(createHash('sha256').update(new Uint8Array(out.buffer)).digest('hex')).to.equal(c.dequant_sha256);
    });
  }

  it('packs the first element of each pair in the high nibble', () => {
    const w = new Float32Array([1, -1, 0, 0.5]);
    const t = nf4Quantize(w, 64, false);
    expect(t.packed[0]).to.equal((15 << 4) | 0); // +1 -> code 15, -1 -> code 0
    expect(t.packed[1] >> 4).to.equal(7); // 0 -> code 7
    expect(t.absmax[0]).to.equal(1);
  });

  it('dequantization error stays within half the widest code gap times absmax', () => {
    const w = randn(64 * 40, 11, 0.05);
    const t = nf4Quantize(w);
    const d = new Float32Array(w.length);
    nf4Dequantize(t, d);
    for (let b = 0; b < 40; b++) {
      let am = 0;
      for (let j = 0; j < 64; j++) am = Math.max(am, Math.abs(w[b * 64 + j]));
      for (let j = 0; j < 64; j++) expect(Math.abs(d[b * 64 + j] - w[b * 64 + j])).to.be.at.most(0.16 * am + 2e-3 * am);
    }
  });

  for (const [N, C, OC] of [[1, 64, 8], [5, 128, 13], [3, 96, 7]]) {
    it(`fused matmulNF4Forward equals matmul over the dequantized weight (N=${N} C=${C} OC=${OC})`, () => {
      const inp = randn(N * C, 12), w = randn(OC * C, 13, 0.1), bias = randn(OC, 14);
      const t = nf4Quantize(w, 64, true, [OC, C]);
      const dq = new Float32Array(OC * C);
      nf4Dequantize(t, dq);
      for (const b of [null, bias]) {
        const ref = matmulDouble(inp, dq, b, N, C, OC);
        const out = new Float32Array(N * OC).fill(NaN);
        matmulNF4Forward(out, inp, t, N, C, OC, b);
        expectClose(out, ref, 1e-5, 1e-5);
        const out2 = new Float32Array(N * OC).fill(NaN);
        matmulNF4ForwardJs(out2, inp, t, b, N, C, OC);
        expectClose(out2, ref, 1e-5, 1e-5);
      }
    });
  }

  it('matmulNF4Backward (dinp += dout·W) equals the dense backward over the dequantized weight, accumulating', () => {
    const N = 4, C = 96, OC = 10;
    const t = nf4Quantize(randn(OC * C, 17, 0.1), 64, true, [OC, C]);
    const dq = new Float32Array(OC * C);
    nf4Dequantize(t, dq);
    const dout = randn(N * OC, 18), start = randn(N * C, 19);
    const ref = Float32Array.from(start);
    matmulBackwardJs(ref, null, null, dout, new Float32Array(N * C), dq, N, C, OC);
    for (const f of [matmulNF4Backward, matmulNF4BackwardJs]) {
      const d = Float32Array.from(start);
      f(d, dout, t, N, C, OC);
      expectClose(d, ref, 1e-5, 1e-5, f.name);
    }
    expect(() => matmulNF4Backward(new Float32Array(4), dout, t, N, C, OC + 1)).to.throw(/expected 11x96/);
  });
});
