import { expect } from 'chai';
import {
  quantizeQ8_0,
  dequantizeQ8_0,
  quantizeQ4_0,
  dequantizeQ4_0,
  matmulQ8_0Forward,
  matmulQ4_0Forward,
  allocQ8Activations,
  quantizeActivationsQ8_0,
  fp16ToFp32,
  fp32ToFp16,
  bf16ToFp32,
  bf16ArrayToFp32,
  fp16ArrayToFp32,
  Q8_0_BLOCK_BYTES,
  Q4_0_BLOCK_BYTES,
} from '../../kernels/index.js';
import { randn, expectClose, matmulDouble } from './helpers.js';

// x[j] = j - 16: a block whose bytes are worked out by hand below
const ramp = Float32Array.from({ length: 32 }, (_, j) => j - 16);

describe('kernels/fp16', () => {
  it('converts known values both ways', () => {
    expect(fp32ToFp16(1)).to.equal(0x3c00);
    expect(fp32ToFp16(-2)).to.equal(0xc000);
    expect(fp32ToFp16(65504)).to.equal(0x7bff);
    expect(fp32ToFp16(65520)).to.equal(0x7c00); // rounds up to inf
    expect(fp32ToFp16(2 ** -24)).to.equal(0x0001); // smallest subnormal
    expect(fp32ToFp16(2 ** -25)).to.equal(0x0000); // tie -> even (0)
    expect(fp32ToFp16(3 * 2 ** -25)).to.equal(0x0002); // tie -> even (2)
    expect(fp32ToFp16(1 + 2 ** -11)).to.equal(0x3c00); // tie -> even
    expect(fp32ToFp16(1 + 3 * 2 ** -11)).to.equal(0x3c02); // tie -> even
    expect(fp32ToFp16(NaN) & 0x7c00).to.equal(0x7c00);
    expect(fp16ToFp32(0x3555)).to.equal(0.333251953125);
    expect(fp16ToFp32(0x8000)).to.equal(-0);
    expect(fp16ToFp32(0xfc00)).to.equal(-Infinity);
  });

  it('round-trips every finite fp16 and matches the array converter', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const f = new Float32Array(65536);
    fp16ArrayToFp32(f, all);
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff)) continue; // NaN payloads
      expect(fp32ToFp16(f[h])).to.equal(h);
    }
  });

  it('bf16 is the top half of an fp32', () => {
    expect(bf16ToFp32(0x3f80)).to.equal(1);
    expect(bf16ToFp32(0xc040)).to.equal(-3);
    const out = new Float32Array(2);
    bf16ArrayToFp32(out, new Uint16Array([0x3f80, 0x4049]));
    expect(out[0]).to.equal(1);
    expect(out[1]).to.equal(3.140625);
  });
});

describe('kernels/ggml-quants', () => {
  it('Q8_0 lays out a hand-checked block (fp16 d, then 32 int8)', () => {
    const b = new Uint8Array(Q8_0_BLOCK_BYTES);
    quantizeQ8_0(ramp, b);
    // d = 16/127 = 0.1259843 -> fp16 0x3008 (little-endian 08 30); id = 1/d = 7.9375
    expect([b[0], b[1]]).to.deep.equal([0x08, 0x30]);
    const qs = new Int8Array(b.buffer, 2);
    expect(qs[0]).to.equal(-127); // -16 * 7.9375
    expect(qs[16]).to.equal(0);
    expect(qs[17]).to.equal(8); // roundf(7.9375)
    expect(qs[18]).to.equal(16); // roundf(15.875)
    expect(qs[31]).to.equal(119); // roundf(119.0625)
    const back = new Float32Array(32);
    dequantizeQ8_0(b, back);
    expect(back[0]).to.equal(Math.fround(-127 * fp16ToFp32(0x3008)));
  });

  it('Q4_0 lays out a hand-checked block (element j low nibble, j+16 high nibble)', () => {
    const b = new Uint8Array(Q4_0_BLOCK_BYTES);
    quantizeQ4_0(ramp, b);
    // max-magnitude value is -16 -> d = -16/-8 = 2 (fp16 0x4000), id = 0.5, q = min(15, trunc(x/2 + 8.5))
    expect([b[0], b[1]]).to.deep.equal([0x00, 0x40]);
    expect(b[2]).to.equal(0x80); // x0=-16 -> 0 (low), x16=0 -> 8 (high)
    expect(b[3]).to.equal(0x91); // x1=-15 -> 1, x17=1 -> 9
    expect(b[4]).to.equal(0x91); // x2=-14 -> trunc(1.5)=1, x18=2 -> trunc(9.5)=9
    expect(b[17]).to.equal(0xf8); // x15=-1 -> 8, x31=15 -> min(15, 16)=15
    const back = new Float32Array(32);
    dequantizeQ4_0(b, back);
    expect(back[0]).to.equal(-16);
    expect(back[16]).to.equal(0);
    expect(back[31]).to.equal(14);
  });

  it('round trips random data within half a step (Q8_0) / one step (Q4_0)', () => {
    const x = randn(32 * 20, 21);
    const q8 = new Uint8Array(20 * Q8_0_BLOCK_BYTES), q4 = new Uint8Array(20 * Q4_0_BLOCK_BYTES);
    quantizeQ8_0(x, q8);
    quantizeQ4_0(x, q4);
    const y8 = new Float32Array(x.length), y4 = new Float32Array(x.length);
    dequantizeQ8_0(q8, y8);
    dequantizeQ4_0(q4, y4);
    for (let b = 0; b < 20; b++) {
      let am = 0;
      for (let j = 0; j < 32; j++) am = Math.max(am, Math.abs(x[b * 32 + j]));
      for (let j = 0; j < 32; j++) {
        const i = b * 32 + j;
        // half a step plus the fp16 rounding of d (rel. 2^-11) times |q| <= 127
        expect(Math.abs(y8[i] - x[i])).to.be.at.most((am / 127) * (0.5 + 127 / 2048) + 1e-6);
        expect(Math.abs(y4[i] - x[i])).to.be.at.most((am / 8) * 1.01 + 1e-6);
      }
    }
  });

  it('activation quantization rounds half to even as llama.cpp\'s x86 path', () => {
    // amax 127 -> id = 1: values land exactly on .5 ties
    const x = new Float32Array(32);
    x[0] = 127; x[1] = 2.5; x[2] = 3.5; x[3] = -2.5; x[4] = 0.5;
    const act = allocQ8Activations(1, 32);
    quantizeActivationsQ8_0(act, x, 1, 32);
    expect(Array.from(act.qs.subarray(0, 5))).to.deep.equal([127, 2, 4, -2, 0]);
    expect(act.d[0]).to.equal(1);
  });

  for (const [fmt, quant, bytes, mm] of [
    ['Q8_0', quantizeQ8_0, Q8_0_BLOCK_BYTES, matmulQ8_0Forward],
    ['Q4_0', quantizeQ4_0, Q4_0_BLOCK_BYTES, matmulQ4_0Forward],
  ] as const) {
    for (const [N, C, OC] of [[1, 64, 9], [6, 288, 17]]) {
      it(`${fmt} matmul equals the double dot of Q8_0 activations and dequantized weights (N=${N} C=${C} OC=${OC})`, () => {
        const inp = randn(N * C, 22), w = randn(OC * C, 23, 0.1);
        const wq = new Uint8Array((OC * C / 32) * bytes);
        quant(w, wq);
        const wd = new Float32Array(OC * C);
        (fmt === 'Q8_0' ? dequantizeQ8_0 : dequantizeQ4_0)(wq, wd);
        const act = allocQ8Activations(N, C);
        quantizeActivationsQ8_0(act, inp, N, C);
        const xd = new Float32Array(N * C);
        for (let i = 0; i < N * C; i++) xd[i] = act.qs[i] * act.d[Math.floor(i / 32)];
        const out = new Float32Array(N * OC).fill(NaN);
        mm(out, inp, wq, N, C, OC);
        expectClose(out, matmulDouble(xd, wd, null, N, C, OC), 1e-5, 1e-5, fmt);
        // and close to the unquantized product
        expectClose(out, matmulDouble(inp, w, null, N, C, OC), 0, fmt === 'Q8_0' ? 0.02 : 0.15, `${fmt} vs fp32`);
      });
    }
  }

  it('rejects sizes that are not whole blocks', () => {
    expect(() => quantizeQ8_0(new Float32Array(33), new Uint8Array(68))).to.throw(/33 elements is not a multiple of 32/);
    expect(() => matmulQ4_0Forward(new Float32Array(1), new Float32Array(64), new Uint8Array(18), 1, 64, 1)).to.throw(/weight has 18 bytes, expected 36/);
  });
});
