// NF4 4-bit quantization exactly as bitsandbytes does it (quantize_4bit / dequantize_4bit with
// blocksize 64 and double quantization of the absmax values), plus a fused NF4 matmul.
// Layout facts (runtime.md §1): blocks run over the flattened row-major tensor; one fp32 absmax per
// block; two codes per byte with the FIRST element in the HIGH nibble; double quantization stores
// absmax - mean(absmax) as uint8 indices into the signed 8-bit dynamic map, blocks of 256, each with
// an fp32 absmax2, and `offset` = the mean.
import type { NF4DoubleQuant, NF4Tensor } from './nf4-layout.js';
import { fastMatmulNF4, fastMatmulNF4Backward } from './fast-matmul.js';
import { toKernelMemory } from './wasm.js';

export type { NF4DoubleQuant, NF4Tensor };

const fr = Math.fround;

// the 16 NF4 code values, index = 4-bit code (bitsandbytes nf4_dequantization_lut)
export const NF4_CODE: Float32Array = new Float32Array([
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
  -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
  0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
  0.7229568362236023, 1.0,
]);

// torch.linspace(start, end, steps) in float32, as ATen's CPU kernel computes it (halfway split)
function linspaceF32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  const s = fr(start), e = fr(end);
  if (steps === 1) {
    out[0] = s;
    return out;
  }
  const step = fr(fr(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    // one rounding of start + step·i (torch's CPU kernel: a fused multiply-add; checked against
    // torch 2.13 and 1.13 for every size the dynamic map uses)
    out[i] = i < halfway ? fr(s + step * i) : fr(e - step * (steps - i - 1));
  }
  return out;
}

// [256] bitsandbytes create_dynamic_map(signed, max_exponent_bits=7, total_bits=8), float32, sorted
export function dynamicMap(signed = true, maxExponentBits = 7, totalBits = 8): Float32Array {
  const data: number[] = [];
  const nonSignBits = totalBits - (signed ? 1 : 0);
  let additional = 2 ** (nonSignBits - maxExponentBits) - 1;
  if (!signed) additional *= 2;
  const pushScaled = (items: number, scale: number): void => {
    const b = linspaceF32(0.1, 1, items);
    const s = fr(scale);
    for (let j = 0; j + 1 < items; j++) {
      const mean = fr(fr(b[j] + b[j + 1]) / 2);
      data.push(fr(s * mean));
      if (signed) data.push(fr(-s * mean));
    }
  };
  for (let i = 0; i < maxExponentBits; i++) {
    const fractionItems = signed
      ? 2 ** (i + nonSignBits - maxExponentBits) + 1
      : 2 ** (i + nonSignBits - maxExponentBits + 1) + 1;
    const scale = 10 ** (-(maxExponentBits - 1) + i);
    pushScaled(fractionItems, scale);
    if (additional > 0) pushScaled(additional + 1, scale);
  }
  data.push(0, 1.0);
  while (data.length < 2 ** totalBits) data.push(0);
  data.sort((a, b) => a - b);
  return new Float32Array(data);
}

// index of the code nearest to x (first one on ties, as torch.argmin of |x - code|), fp32 arithmetic
function nearestCode(x: number, code: Float32Array): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < code.length; i++) {
    const d = Math.abs(fr(x - code[i]));
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

// absmax[nblocks] = max |x| per block of the flattened x[n]
function blockAbsmax(x: Float32Array, blocksize: number): Float32Array {
  const nblocks = Math.ceil(x.length / blocksize);
  const absmax = new Float32Array(nblocks);
  for (let b = 0; b < nblocks; b++) {
    let m = 0;
    const end = Math.min(x.length, (b + 1) * blocksize);
    for (let i = b * blocksize; i < end; i++) m = Math.max(m, Math.abs(x[i]));
    absmax[b] = m;
  }
  return absmax;
}

// scaled = clamp(x * (1/absmax), -1, 1) in fp32, as bitsandbytes' default backend; an all-zero
// block (absmax 0) maps to 0 (torch would give NaN -> code 0; both dequantize to 0)
function scaleToUnit(x: number, absmax: number): number {
  if (absmax === 0) return 0;
  const s = fr(x * fr(1 / absmax));
  return s > 1 ? 1 : s < -1 ? -1 : s;
}

// 8-bit blockwise quantization (bitsandbytes quantize_blockwise): q[n] indices into code, absmax per block
export function quantizeBlockwise8(
  x: Float32Array,
  code: Float32Array,
  blocksize: number,
): { q: Uint8Array; absmax: Float32Array } {
  const absmax = blockAbsmax(x, blocksize);
  const q = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) q[i] = nearestCode(scaleToUnit(x[i], absmax[Math.floor(i / blocksize)]), code);
  return { q, absmax };
}

// absmax[i] = code2[qabsmax[i]] * absmax2[i / blocksize2] + offset, in fp32 as bitsandbytes
export function dequantizeNestedAbsmax(d: NF4DoubleQuant, nblocks: number): Float32Array {
  const out = new Float32Array(nblocks);
  for (let i = 0; i < nblocks; i++) {
    out[i] = fr(fr(d.code2[d.qabsmax[i]] * d.absmax2[Math.floor(i / d.blocksize2)]) + d.offset);
  }
  return out;
}

// w[n] (flattened row-major) -> NF4Tensor; doubleQuant as QLoRA's bnb_4bit_use_double_quant=True
export function nf4Quantize(
  w: Float32Array,
  blocksize = 64,
  doubleQuant = true,
  shape: number[] = [w.length],
): NF4Tensor {
  const n = w.length;
  const absmax = blockAbsmax(w, blocksize);
  const packed = new Uint8Array(Math.ceil(n / 2));
  for (let i = 0; i < n; i++) {
    const q = nearestCode(scaleToUnit(w[i], absmax[Math.floor(i / blocksize)]), NF4_CODE);
    // odd element count: the pad element is 0.0 -> code 7
    packed[i >> 1] |= i & 1 ? q : q << 4;
  }
  if (n & 1) packed[n >> 1] |= 7;
  if (!doubleQuant) return { n, shape, blocksize, packed, code: NF4_CODE, absmax, nested: null };
  // offset = absmax.mean() (accumulated in double, rounded once to fp32)
  let sum = 0;
  for (let i = 0; i < absmax.length; i++) sum += absmax[i];
  const offset = fr(sum / absmax.length);
  const centered = new Float32Array(absmax.length);
  for (let i = 0; i < absmax.length; i++) centered[i] = fr(absmax[i] - offset);
  const code2 = dynamicMap(true);
  const { q, absmax: absmax2 } = quantizeBlockwise8(centered, code2, 256);
  const nested: NF4DoubleQuant = { qabsmax: q, absmax2, code2, blocksize2: 256, offset };
  return { n, shape, blocksize, packed, code: NF4_CODE, absmax: dequantizeNestedAbsmax(nested, absmax.length), nested };
}

// out[n] = code[nibble] * absmax[block] (fp32), bitsandbytes dequantize_4bit
export function nf4Dequantize(t: NF4Tensor, out: Float32Array): void {
  const { n, blocksize, packed, code, absmax } = t;
  for (let i = 0; i < n; i++) {
    const byte = packed[i >> 1];
    const q = i & 1 ? byte & 0x0f : byte >> 4;
    out[i] = fr(code[q] * absmax[Math.floor(i / blocksize)]);
  }
}

// out[N,OC] = inp[N,C] · dequant(w)[OC,C]ᵀ (+ bias[OC]); dequantizes one block at a time into a
// 64-float scratch and reuses it for all N input rows, never materialising the whole weight.
// Rows [oStart, oEnd) only (the worker pool splits on that).
export function matmulNF4ForwardJs(
  out: Float32Array,
  inp: Float32Array,
  w: NF4Tensor,
  bias: Float32Array | null,
  N: number,
  C: number,
  OC: number,
  oStart = 0,
  oEnd = OC,
): void {
  const { blocksize, packed, code, absmax } = w;
  if (w.n !== OC * C) throw new Error(`matmulNF4Forward: weight has ${w.n} elements, expected ${OC}x${C}`);
  const tmp = scratch(blocksize);
  if (C % blocksize !== 0 || (blocksize & 1)) {
    // blocks straddle rows: plain per-element path
    for (let o = oStart; o < oEnd; o++) {
      for (let n = 0; n < N; n++) out[n * OC + o] = bias ? bias[o] : 0;
      for (let c = 0; c < C; c++) {
        const i = o * C + c;
        const byte = packed[i >> 1];
        const v = fr(code[i & 1 ? byte & 0x0f : byte >> 4] * absmax[Math.floor(i / blocksize)]);
        for (let n = 0; n < N; n++) out[n * OC + o] += inp[n * C + c] * v;
      }
    }
    return;
  }
  const half = blocksize >> 1;
  const bpr = C / blocksize; // blocks per row
  for (let o = oStart; o < oEnd; o++) {
    for (let n = 0; n < N; n++) out[n * OC + o] = bias ? bias[o] : 0;
    for (let bb = 0; bb < bpr; bb++) {
      const b = o * bpr + bb;
      const a = absmax[b];
      const p0 = b * half;
      for (let j = 0; j < half; j++) {
        const byte = packed[p0 + j];
        tmp[2 * j] = code[byte >> 4] * a;
        tmp[2 * j + 1] = code[byte & 0x0f] * a;
      }
      const c0 = bb * blocksize;
      for (let n = 0; n < N; n++) {
        const ni = n * C + c0;
        let s0 = 0, s1 = 0;
        for (let j = 0; j < blocksize; j += 2) {
          s0 += inp[ni + j] * tmp[j];
          s1 += inp[ni + j + 1] * tmp[j + 1];
        }
        out[n * OC + o] += s0 + s1;
      }
    }
  }
}

let scratchBuf = new Float32Array(64);
function scratch(size: number): Float32Array {
  if (scratchBuf.length < size) scratchBuf = new Float32Array(size);
  return scratchBuf;
}

// out[N,OC] = inp[N,C] · dequant(w)[OC,C]ᵀ (+ bias[OC]) — the entry point callers use: WebAssembly
// SIMD (and worker threads) when w's arrays live in kernel memory (nf4ToKernelMemory), else JS
export function matmulNF4Forward(
  out: Float32Array,
  inp: Float32Array,
  w: NF4Tensor,
  N: number,
  C: number,
  OC: number,
  bias: Float32Array | null = null,
): void {
  if (!fastMatmulNF4(out, inp, w, bias, N, C, OC)) matmulNF4ForwardJs(out, inp, w, bias, N, C, OC);
}

// the same tensor with packed, absmax and code copied into kernel memory (for the fast path)
export function nf4ToKernelMemory(t: NF4Tensor): NF4Tensor {
  return { ...t, packed: toKernelMemory(t.packed), absmax: toKernelMemory(t.absmax), code: toKernelMemory(t.code) };
}

// dinp[N,C] += dout[N,OC] · dequant(w)[OC,C] (the gradient into the input of a frozen NF4 linear
// layer), one dequantized row at a time (JS)
export function matmulNF4BackwardJs(dinp: Float32Array, dout: Float32Array, w: NF4Tensor, N: number, C: number, OC: number): void {
  if (w.n !== OC * C) throw new Error(`matmulNF4Backward: weight has ${w.n} elements, expected ${OC}x${C}`);
  const { blocksize, packed, code, absmax } = w;
  const row = rowScratch(C);
  for (let o = 0; o < OC; o++) {
    const s = o * C;
    for (let c = 0; c < C; c++) {
      const i = s + c;
      const byte = packed[i >> 1];
      row[c] = code[i & 1 ? byte & 0x0f : byte >> 4] * absmax[Math.floor(i / blocksize)];
    }
    for (let n = 0; n < N; n++) {
      const g = dout[n * OC + o];
      if (g === 0) continue;
      const d = n * C;
      for (let c = 0; c < C; c++) dinp[d + c] += g * row[c];
    }
  }
}

let rowBuf = new Float32Array(0);
function rowScratch(C: number): Float32Array {
  if (rowBuf.length < C) rowBuf = new Float32Array(C);
  return rowBuf;
}

// dinp[N,C] += dout[N,OC] · dequant(w)[OC,C] — the entry point (WebAssembly SIMD + worker threads
// when w's arrays live in kernel memory, else JS)
export function matmulNF4Backward(dinp: Float32Array, dout: Float32Array, w: NF4Tensor, N: number, C: number, OC: number): void {
  if (w.n !== OC * C) throw new Error(`matmulNF4Backward: weight has ${w.n} elements, expected ${OC}x${C}`);
  if (!fastMatmulNF4Backward(dinp, dout, w, N, C, OC)) matmulNF4BackwardJs(dinp, dout, w, N, C, OC);
}
