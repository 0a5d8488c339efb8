// A linear layer's weight in whichever storage it was loaded as, and y = x·Wᵀ over it through the
// matching kernel. Layout is always PyTorch's nn.Linear: W[out, in], rows contiguous.
import {
  dequantizeQ4_0,
  dequantizeQ8_0,
  matmulForward,
  matmulNF4Forward,
  matmulQ4_0Forward,
  matmulQ8_0Forward,
  NF4_CODE,
  nf4ToKernelMemory,
  Q4_0_BLOCK_BYTES,
  Q8_0_BLOCK_BYTES,
  toKernelMemory,
  type NF4Tensor,
} from '../../kernels/index.js';

export type LinearWeight =
  | { kind: 'f32'; rows: number; cols: number; data: Float32Array }
  | { kind: 'q8_0'; rows: number; cols: number; data: Uint8Array }
  | { kind: 'q4_0'; rows: number; cols: number; data: Uint8Array }
  | { kind: 'nf4'; rows: number; cols: number; data: NF4Tensor };

// out[N,rows] = inp[N,cols] · W[rows,cols]ᵀ (the kernels take their WebAssembly SIMD / threaded
// path when the weight sits in kernel memory, see toKernelLinear)
export function linearForward(out: Float32Array, inp: Float32Array, w: LinearWeight, N: number): void {
  switch (w.kind) {
    case 'f32':
      return matmulForward(out, inp, w.data, null, N, w.cols, w.rows);
    case 'q8_0':
      return matmulQ8_0Forward(out, inp, w.data, N, w.cols, w.rows);
    case 'q4_0':
      return matmulQ4_0Forward(out, inp, w.data, N, w.cols, w.rows);
    case 'nf4':
      return matmulNF4Forward(out, inp, w.data, N, w.cols, w.rows);
  }
}

/** The same weight copied into the kernels' WebAssembly memory (unchanged when wasm is unavailable). */
export function toKernelLinear(w: LinearWeight): LinearWeight {
  switch (w.kind) {
    case 'f32':
      return { ...w, data: toKernelMemory(w.data) };
    case 'q8_0':
    case 'q4_0':
      return { ...w, data: toKernelMemory(w.data) };
    case 'nf4':
      return { ...w, data: nf4ToKernelMemory(w.data) };
  }
}

// out[cols] = W[row, :] (dequantized), for embedding lookups
export function linearRow(out: Float32Array, w: LinearWeight, row: number): void {
  const C = w.cols;
  switch (w.kind) {
    case 'f32':
      out.set(w.data.subarray(row * C, row * C + C));
      return;
    case 'q8_0': {
      const rb = (C / 32) * Q8_0_BLOCK_BYTES;
      dequantizeQ8_0(w.data.subarray(row * rb, row * rb + rb), out, C);
      return;
    }
    case 'q4_0': {
      const rb = (C / 32) * Q4_0_BLOCK_BYTES;
      dequantizeQ4_0(w.data.subarray(row * rb, row * rb + rb), out, C);
      return;
    }
    case 'nf4': {
      const t = w.data;
      for (let c = 0; c < C; c++) {
        const i = row * C + c;
        const byte = t.packed[i >> 1];
        out[c] = Math.fround((t.code ?? NF4_CODE)[i & 1 ? byte & 0x0f : byte >> 4] * t.absmax[Math.floor(i / t.blocksize)]);
      }
      return;
    }
  }
}

/** The whole weight as fp32 [rows, cols] (tests, merging LoRA). */
export function linearToF32(w: LinearWeight): Float32Array {
  if (w.kind === 'f32') return w.data;
  const out = new Float32Array(w.rows * w.cols);
  const row = new Float32Array(w.cols);
  for (let r = 0; r < w.rows; r++) {
    linearRow(row, w, r);
    out.set(row, r * w.cols);
  }
  return out;
}

/** Bytes the weight occupies in memory. */
export function linearBytes(w: LinearWeight): number {
  if (w.kind === 'nf4') return w.data.packed.byteLength + w.data.absmax.byteLength;
  return w.data.byteLength;
}
