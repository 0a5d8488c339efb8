// Dense fp32 matmul (a linear layer), forward and backward, llm.c style.
// Weight layout is PyTorch's nn.Linear: weight[OC, C], so out = inp · weightᵀ + bias.
import { fastMatmulF32, fastMatmulBackward } from './fast-matmul.js';

// out[N,OC] = inp[N,C] · weight[OC,C]ᵀ (+ bias[OC])
export function matmulForwardRef(
  out: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  bias: Float32Array | null,
  N: number,
  C: number,
  OC: number,
): void {
  for (let n = 0; n < N; n++) {
    const ni = n * C;
    const no = n * OC;
    for (let o = 0; o < OC; o++) {
      const wo = o * C;
      let sum = bias ? bias[o] : 0;
      for (let c = 0; c < C; c++) sum += inp[ni + c] * weight[wo + c];
      out[no + o] = sum;
    }
  }
}

// out[N,OC] = inp[N,C] · weight[OC,C]ᵀ (+ bias[OC]); rows unrolled by 4 so each weight row is
// read once per 4 inputs (the reuse llm.c's LOOP_UNROLL gets)
export function matmulForwardJs(
  out: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  bias: Float32Array | null,
  N: number,
  C: number,
  OC: number,
  oStart = 0,
  oEnd = OC,
): void {
  let n = 0;
  for (; n + 4 <= N; n += 4) {
    const i0 = n * C, i1 = i0 + C, i2 = i1 + C, i3 = i2 + C;
    for (let o = oStart; o < oEnd; o++) {
      const wo = o * C;
      const b = bias ? bias[o] : 0;
      let s0 = b, s1 = b, s2 = b, s3 = b;
      for (let c = 0; c < C; c++) {
        const w = weight[wo + c];
        s0 += inp[i0 + c] * w;
        s1 += inp[i1 + c] * w;
        s2 += inp[i2 + c] * w;
        s3 += inp[i3 + c] * w;
      }
      out[n * OC + o] = s0;
      out[(n + 1) * OC + o] = s1;
      out[(n + 2) * OC + o] = s2;
      out[(n + 3) * OC + o] = s3;
    }
  }
  for (; n < N; n++) {
    const ni = n * C;
    for (let o = oStart; o < oEnd; o++) {
      const wo = o * C;
      // two partial sums break the add dependency chain
      let s0 = 0, s1 = 0;
      let c = 0;
      for (; c + 2 <= C; c += 2) {
        s0 += inp[ni + c] * weight[wo + c];
        s1 += inp[ni + c + 1] * weight[wo + c + 1];
      }
      if (c < C) s0 += inp[ni + c] * weight[wo + c];
      out[n * OC + o] = s0 + s1 + (bias ? bias[o] : 0);
    }
  }
}

// dinp[N,C] += dout[N,OC] · weight[OC,C];  dweight[OC,C] += dout[N,OC]ᵀ · inp[N,C];
// dbias[OC] += Σ_n dout[n,:].  Any of dinp/dweight/dbias may be null to skip it.
// WebAssembly SIMD + worker threads when weight (for dinp) and dweight live in kernel memory.
export function matmulBackward(
  dinp: Float32Array | null,
  dweight: Float32Array | null,
  dbias: Float32Array | null,
  dout: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  N: number,
  C: number,
  OC: number,
): void {
  if (!fastMatmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC)) {
    matmulBackwardJs(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
  }
}

// the plain JS backward (same contract as matmulBackward)
export function matmulBackwardJs(
  dinp: Float32Array | null,
  dweight: Float32Array | null,
  dbias: Float32Array | null,
  dout: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  N: number,
  C: number,
  OC: number,
): void {
  if (dinp) {
    for (let n = 0; n < N; n++) {
      const ni = n * C;
      const no = n * OC;
      for (let o = 0; o < OC; o++) {
        const d = dout[no + o];
        if (d === 0) continue;
        const wo = o * C;
        for (let c = 0; c < C; c++) dinp[ni + c] += d * weight[wo + c];
      }
    }
  }
  if (dweight || dbias) {
    for (let o = 0; o < OC; o++) {
      const wo = o * C;
      let db = 0;
      for (let n = 0; n < N; n++) {
        const d = dout[n * OC + o];
        db += d;
        if (!dweight || d === 0) continue;
        const ni = n * C;
        for (let c = 0; c < C; c++) dweight[wo + c] += d * inp[ni + c];
      }
      if (dbias) dbias[o] += db;
    }
  }
}

// out[N,OC] = inp[N,C] · weight[OC,C]ᵀ (+ bias[OC]) — the entry point callers use: WebAssembly SIMD
// (and worker threads) when the weight lives in kernel memory (see wasm.ts), else the JS kernel
export function matmulForward(
  out: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  bias: Float32Array | null,
  N: number,
  C: number,
  OC: number,
): void {
  if (!fastMatmulF32(out, inp, weight, bias, N, C, OC)) matmulForwardJs(out, inp, weight, bias, N, C, OC);
}
