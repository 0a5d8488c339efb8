// ggml's Q8_0 and Q4_0 block formats, byte for byte as in GGUF files, and matmuls over them.
//   block_q8_0: fp16 d, int8 qs[32]                      (34 bytes / 32 weights), x = qs[j]*d
//   block_q4_0: fp16 d, uint8 qs[16]                     (18 bytes / 32 weights),
//               element j in the LOW nibble of qs[j], element j+16 in the HIGH nibble, x = (q-8)*d
// The matmuls compute as llama.cpp's CPU backend does: each activation row is first quantized to
// Q8_0 (ggml's vec_dot_type for both formats), then per block an integer dot product is scaled by
// d_weight * d_activation and summed in fp32.
import { FP16_TABLE, fp32ToFp16 } from './fp16.js';
import { fastMatmulQ } from './fast-matmul.js';

export const QK8_0 = 32;
export const QK4_0 = 32;
export const Q8_0_BLOCK_BYTES = 34;
export const Q4_0_BLOCK_BYTES = 18;

const fr = Math.fround;

function checkBlocks(n: number, what: string): number {
  if (n % 32 !== 0) throw new Error(`${what}: ${n} elements is not a multiple of 32`);
  return n / 32;
}

// round half away from zero, C's roundf
function roundf(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

// round half to even, _mm256_round_ps(_MM_ROUND_NEAREST)
function roundEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// x[n] -> Q8_0 bytes [n/32 * 34], ggml quantize_row_q8_0_ref: d = amax/127, q = roundf(x/d)
export function quantizeQ8_0(x: Float32Array, out: Uint8Array): void {
  const nb = checkBlocks(x.length, 'quantizeQ8_0');
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let b = 0; b < nb; b++) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
    const d = fr(amax / 127);
    const id = d ? fr(1 / d) : 0;
    const o = b * Q8_0_BLOCK_BYTES;
    dv.setUint16(o, fp32ToFp16(d), true);
    for (let j = 0; j < 32; j++) dv.setInt8(o + 2 + j, roundf(fr(x[b * 32 + j] * id)));
  }
}

// Q8_0 bytes -> out[n]
export function dequantizeQ8_0(src: Uint8Array, out: Float32Array, n: number = out.length): void {
  const nb = checkBlocks(n, 'dequantizeQ8_0');
  const qs = new Int8Array(src.buffer, src.byteOffset, src.byteLength);
  for (let b = 0; b < nb; b++) {
    const o = b * Q8_0_BLOCK_BYTES;
    const d = FP16_TABLE[src[o] | (src[o + 1] << 8)];
    for (let j = 0; j < 32; j++) out[b * 32 + j] = fr(qs[o + 2 + j] * d);
  }
}

// x[n] -> Q4_0 bytes [n/32 * 18], ggml quantize_row_q4_0_ref: d = max/-8 where max is the value of
// largest magnitude (sign kept), q = min(15, trunc(x/d + 8.5))
export function quantizeQ4_0(x: Float32Array, out: Uint8Array): void {
  const nb = checkBlocks(x.length, 'quantizeQ4_0');
  for (let b = 0; b < nb; b++) {
    let amax = 0;
    let max = 0;
    for (let j = 0; j < 32; j++) {
      const v = x[b * 32 + j];
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = fr(max / -8);
    const id = d ? fr(1 / d) : 0;
    const o = b * Q4_0_BLOCK_BYTES;
    const h = fp32ToFp16(d);
    out[o] = h & 0xff;
    out[o + 1] = h >> 8;
    for (let j = 0; j < 16; j++) {
      const x0 = fr(x[b * 32 + j] * id);
      const x1 = fr(x[b * 32 + j + 16] * id);
      const q0 = Math.min(15, Math.trunc(fr(x0 + 8.5)));
      const q1 = Math.min(15, Math.trunc(fr(x1 + 8.5)));
      out[o + 2 + j] = q0 | (q1 << 4);
    }
  }
}

// Q4_0 bytes -> out[n]
export function dequantizeQ4_0(src: Uint8Array, out: Float32Array, n: number = out.length): void {
  const nb = checkBlocks(n, 'dequantizeQ4_0');
  for (let b = 0; b < nb; b++) {
    const o = b * Q4_0_BLOCK_BYTES;
    const d = FP16_TABLE[src[o] | (src[o + 1] << 8)];
    for (let j = 0; j < 16; j++) {
      const q = src[o + 2 + j];
      out[b * 32 + j] = fr(((q & 0x0f) - 8) * d);
      out[b * 32 + j + 16] = fr(((q >> 4) - 8) * d);
    }
  }
}

// an activation row quantized to Q8_0, unpacked for the dot products: qs[C] int8, d[C/32] fp32
// (already rounded through fp16, as stored in ggml's block)
export interface Q8Activations {
  qs: Int8Array;
  d: Float32Array;
}

export function allocQ8Activations(N: number, C: number): Q8Activations {
  return { qs: new Int8Array(N * C), d: new Float32Array((N * C) / 32) };
}

// x[N,C] -> act (Q8_0, as llama.cpp's x86 quantize_row_q8_0: id = 127/amax, round half to even)
export function quantizeActivationsQ8_0(act: Q8Activations, x: Float32Array, N: number, C: number): void {
  const nb = checkBlocks(N * C, 'quantizeActivationsQ8_0');
  for (let b = 0; b < nb; b++) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
    const d = fr(amax / 127);
    const id = amax !== 0 ? fr(127 / amax) : 0;
    act.d[b] = FP16_TABLE[fp32ToFp16(d)];
    for (let j = 0; j < 32; j++) act.qs[b * 32 + j] = roundEven(fr(x[b * 32 + j] * id));
  }
}

let actScratch: Q8Activations = allocQ8Activations(1, 32);
function activations(N: number, C: number): Q8Activations {
  if (actScratch.qs.length < N * C) actScratch = allocQ8Activations(N, C);
  return actScratch;
}

// out[N,OC] = Q8_0(inp[N,C]) · w[OC,C]ᵀ with w in Q8_0 bytes (ggml_vec_dot_q8_0_q8_0 per row)
// (WebAssembly SIMD + worker threads when w lives in kernel memory, else JS)
export function matmulQ8_0Forward(out: Float32Array, inp: Float32Array, w: Uint8Array, N: number, C: number, OC: number): void {
  if (fastMatmulQ('q8_0', out, inp, w, N, C, OC)) return;
  const act = activations(N, C);
  quantizeActivationsQ8_0(act, inp, N, C);
  matmulQ8_0ForwardQ(out, act, w, N, C, OC, 0, OC);
}

// out[N,OC] rows [oStart,oEnd) from already-quantized activations
export function matmulQ8_0ForwardQ(
  out: Float32Array,
  act: Q8Activations,
  w: Uint8Array,
  N: number,
  C: number,
  OC: number,
  oStart: number,
  oEnd: number,
): void {
  const nb = checkBlocks(C, 'matmulQ8_0Forward');
  if (w.length < OC * nb * Q8_0_BLOCK_BYTES) throw new Error(`matmulQ8_0Forward: weight has ${w.length} bytes, expected ${OC * nb * Q8_0_BLOCK_BYTES}`);
  const wq = new Int8Array(w.buffer, w.byteOffset, w.byteLength);
  const aq = act.qs;
  const ad = act.d;
  for (let o = oStart; o < oEnd; o++) {
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let b = 0; b < nb; b++) {
        const wo = (o * nb + b) * Q8_0_BLOCK_BYTES;
        const dw = FP16_TABLE[w[wo] | (w[wo + 1] << 8)];
        const ao = (n * nb + b) * 32;
        let sumi = 0;
        for (let j = 0; j < 32; j++) sumi += wq[wo + 2 + j] * aq[ao + j];
        sum += sumi * fr(dw * ad[n * nb + b]);
      }
      out[n * OC + o] = sum;
    }
  }
}

// out[N,OC] = Q8_0(inp[N,C]) · w[OC,C]ᵀ with w in Q4_0 bytes (ggml_vec_dot_q4_0_q8_0 per row)
// (WebAssembly SIMD + worker threads when w lives in kernel memory, else JS)
export function matmulQ4_0Forward(out: Float32Array, inp: Float32Array, w: Uint8Array, N: number, C: number, OC: number): void {
  if (fastMatmulQ('q4_0', out, inp, w, N, C, OC)) return;
  const act = activations(N, C);
  quantizeActivationsQ8_0(act, inp, N, C);
  matmulQ4_0ForwardQ(out, act, w, N, C, OC, 0, OC);
}

// out[N,OC] rows [oStart,oEnd) from already-quantized activations
export function matmulQ4_0ForwardQ(
  out: Float32Array,
  act: Q8Activations,
  w: Uint8Array,
  N: number,
  C: number,
  OC: number,
  oStart: number,
  oEnd: number,
): void {
  const nb = checkBlocks(C, 'matmulQ4_0Forward');
  if (w.length < OC * nb * Q4_0_BLOCK_BYTES) throw new Error(`matmulQ4_0Forward: weight has ${w.length} bytes, expected ${OC * nb * Q4_0_BLOCK_BYTES}`);
  const aq = act.qs;
  const ad = act.d;
  for (let o = oStart; o < oEnd; o++) {
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let b = 0; b < nb; b++) {
        const wo = (o * nb + b) * Q4_0_BLOCK_BYTES;
        const dw = FP16_TABLE[w[wo] | (w[wo + 1] << 8)];
        const ao = (n * nb + b) * 32;
        let sumi = 0;
        for (let j = 0; j < 16; j++) {
          const q = w[wo + 2 + j];
          sumi += ((q & 0x0f) - 8) * aq[ao + j] + ((q >> 4) - 8) * aq[ao + j + 16];
        }
        sum += sumi * fr(dw * ad[n * nb + b]);
      }
      out[n * OC + o] = sum;
    }
  }
}
