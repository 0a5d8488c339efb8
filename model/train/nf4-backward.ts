// The input gradient through a frozen NF4 weight (QLoRA's backward: the base gets no gradient but
// the activations do): dinp[N,C] += dout[N,OC] · dequant(w)[OC,C], one dequantized row at a time
// so the full fp32 weight never exists.
import type { NF4Tensor } from '../../kernels/index.js';

let rowBuf = new Float32Array(0);

// dinp[N,C] += dout[N,OC] · dequant(w)[OC,C]
export function matmulNF4BackwardInput(dinp: Float32Array, dout: Float32Array, w: NF4Tensor, N: number, C: number, OC: number): void {
  if (w.n !== OC * C) throw new Error(`matmulNF4BackwardInput: weight has ${w.n} elements, expected ${OC}x${C}`);
  if (rowBuf.length < C) rowBuf = new Float32Array(C);
  const row = rowBuf;
  const { packed, code, absmax, blocksize } = w;
  for (let o = 0; o < OC; o++) {
    const i0 = o * C;
    for (let c = 0; c < C; c++) {
      const i = i0 + c;
      const byte = packed[i >> 1]!;
      row[c] = Math.fround(code[i & 1 ? byte & 0x0f : byte >> 4]! * absmax[Math.floor(i / blocksize)]!);
    }
    for (let n = 0; n < N; n++) {
      const d = dout[n * OC + o]!;
      if (d === 0) continue;
      const ni = n * C;
      for (let c = 0; c < C; c++) dinp[ni + c]! += d * row[c]!;
    }
  }
}
