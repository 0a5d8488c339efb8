// Dispatch of the matmuls to the WebAssembly SIMD kernels (and the worker pool). Each function
// returns false when the fast path does not apply (wasm unavailable or switched off, weight not
// in kernel memory, shapes the SIMD code does not handle); the caller then runs the JS kernel.
// Activations need not be in kernel memory: they are copied into scratch there (cheap next to
// the matmul itself); the weight must be, since copying it per call would cost more than it saves.
import { kernelWasm, inKernelMemory, kernelAlloc, kernelFree, type WasmExports, type WasmMemory } from './wasm.js';
import { runSplit, kernelThreads, type PoolOp } from './pool.js';
import type { NF4Tensor } from './nf4-layout.js';

// below this many multiply-adds a matmul stays on one thread: waking a worker costs ~10-20 µs,
// about what a decode-sized matmul (288×768) takes in all at ~15 GFLOP/s
export const PARALLEL_MIN_MACS = 1 << 20;
let parallelMinMacs = PARALLEL_MIN_MACS;

// the split threshold in multiply-adds (tests set 0 to force every matmul through the pool)
export function setKernelParallelThreshold(macs: number): void {
  parallelMinMacs = macs;
}

// a growable scratch block in kernel memory
export class Scratch {
  ptr = 0;
  bytes = 0;
  ensure(bytes: number): number {
    if (bytes > this.bytes) {
      if (this.ptr) kernelFree(this.ptr);
      this.bytes = Math.max(bytes, this.bytes * 2, 4096);
      this.ptr = kernelAlloc(this.bytes);
    }
    return this.ptr;
  }
}
const inpScratch = new Scratch();
const outScratch = new Scratch();
const biasScratch = new Scratch();
const actQ = new Scratch();
const actD = new Scratch();
const nf4Tmp = new Scratch();
const doutScratch = new Scratch();
const weightScratch = new Scratch();
const absmaxScratch = new Scratch();
const codeScratch = new Scratch();
const accScratch = new Scratch();

function heapF32(): Float32Array {
  return new Float32Array((kernelWasm() as { memory: WasmMemory }).memory.buffer as unknown as ArrayBuffer);
}

// pointer to `a` in kernel memory, copying it into `s` when it lives elsewhere
export function place(a: Float32Array, n: number, s: Scratch): number {
  if (inKernelMemory(a)) return a.byteOffset;
  const ptr = s.ensure(n * 4);
  heapF32().set(a.subarray(0, n), ptr >> 2);
  return ptr;
}

// pointer to the bytes of `a` in kernel memory, copying them into `s` when they live elsewhere
function placeBytes(a: Uint8Array, s: Scratch): number {
  if (inKernelMemory(a)) return a.byteOffset;
  const ptr = s.ensure(a.byteLength);
  new Uint8Array((kernelWasm() as { memory: WasmMemory }).memory.buffer as unknown as ArrayBuffer, ptr, a.byteLength).set(a);
  return ptr;
}

// From this many rows (prefill, training) a weight outside kernel memory is copied in per call:
// the copy is 1/N of the work. Below it (decode) the JS kernel runs instead; keep decode weights
// in kernel memory (toKernelMemory) to get the fast path there.
export const COPY_WEIGHT_MIN_ROWS = 16;

// runs op over [0, OC) on the pool when large enough, else on this thread
export function split(
  ex: WasmExports,
  op: PoolOp,
  OC: number,
  macs: number,
  args: (o0: number, o1: number) => number[],
  align = 4,
): void {
  const local = (o0: number, o1: number): void => (ex[op] as (...a: number[]) => void)(...args(o0, o1));
  if (macs >= parallelMinMacs && kernelThreads() > 1 && OC >= 2 * align && runSplit(op, OC, align, args, local)) return;
  local(0, OC);
}

// the output pointer (the array itself or scratch), and a finisher copying scratch back
export function outPlace(out: Float32Array, n: number, s: Scratch = outScratch): { ptr: number; finish: () => void } {
  if (inKernelMemory(out)) return { ptr: out.byteOffset, finish: () => {} };
  const ptr = s.ensure(n * 4);
  return { ptr, finish: () => out.set(heapF32().subarray(ptr >> 2, (ptr >> 2) + n)) };
}

// out[N,OC] = inp[N,C] · weight[OC,C]ᵀ (+ bias)
export function fastMatmulF32(
  out: Float32Array, inp: Float32Array, weight: Float32Array, bias: Float32Array | null,
  N: number, C: number, OC: number,
): boolean {
  const w = kernelWasm();
  if (!w || C % 4 !== 0) return false;
  if (!inKernelMemory(weight) && N < COPY_WEIGHT_MIN_ROWS) return false;
  const wp = place(weight, OC * C, weightScratch);
  const xp = place(inp, N * C, inpScratch);
  const bp = bias ? place(bias, OC, biasScratch) : 0;
  const o = outPlace(out, N * OC);
  split(w.exports, 'matmul_f32', OC, N * C * OC, (o0, o1) => [o.ptr, xp, wp, bp, N, C, OC, o0, o1]);
  o.finish();
  return true;
}

/**
 * Pointers to an NF4 weight's packed codes, absmax and code table in kernel memory (copied in when
 * not resident), or null when copying would cost more than it saves (fewer than COPY_WEIGHT_MIN_ROWS rows).
 */
function placeNF4(w: NF4Tensor, N: number): { pp: number; ap: number; cp: number } | null {
  const resident = inKernelMemory(w.packed) && inKernelMemory(w.absmax) && inKernelMemory(w.code);
  if (!resident && N < COPY_WEIGHT_MIN_ROWS) return null;
  return { pp: placeBytes(w.packed, weightScratch), ap: place(w.absmax, w.absmax.length, absmaxScratch), cp: place(w.code, 16, codeScratch) };
}

// out[N,OC] = inp[N,C] · dequant(w)ᵀ (+ bias); C and the blocksize even
export function fastMatmulNF4(
  out: Float32Array, inp: Float32Array, w: NF4Tensor, bias: Float32Array | null,
  N: number, C: number, OC: number,
): boolean {
  const k = kernelWasm();
  if (!k || w.blocksize % 2 !== 0 || C % 2 !== 0) return false;
  const nf4 = placeNF4(w, N);
  if (!nf4) return false;
  const { pp, ap, cp } = nf4;
  const xp = place(inp, N * C, inpScratch);
  const bp = bias ? place(bias, OC, biasScratch) : 0;
  const o = outPlace(out, N * OC);
  // per thread: a 256-entry pair table (512 floats) and one dequantized row (C floats)
  const perThread = Math.ceil(((512 + C) * 4) / 16) * 16;
  const tmp = nf4Tmp.ensure(perThread * Math.max(1, kernelThreads()));
  let calls = 0;
  split(k.exports, 'matmul_nf4', OC, N * C * OC, (o0, o1) => {
    const t = tmp + perThread * calls++;
    return [o.ptr, xp, pp, ap, cp, bp, t, N, C, OC, w.blocksize, o0, o1];
  });
  o.finish();
  return true;
}

// out[N,OC] = Q8_0(inp) · w (Q8_0 or Q4_0 bytes)ᵀ
export function fastMatmulQ(
  fmt: 'q8_0' | 'q4_0', out: Float32Array, inp: Float32Array, w: Uint8Array, N: number, C: number, OC: number,
): boolean {
  const k = kernelWasm();
  if (!k || C % 32 !== 0) return false;
  if (!inKernelMemory(w) && N < COPY_WEIGHT_MIN_ROWS) return false;
  const wp = placeBytes(w, weightScratch);
  const xp = place(inp, N * C, inpScratch);
  const qp = actQ.ensure(N * C);
  const dp = actD.ensure((N * C) / 8);
  k.exports.quantize_act_q8_0(qp, dp, xp, (N * C) / 32, 0);
  const o = outPlace(out, N * OC);
  const op: PoolOp = fmt === 'q8_0' ? 'matmul_q8_0' : 'matmul_q4_0';
  split(k.exports, op, OC, N * C * OC, (o0, o1) => [o.ptr, qp, dp, wp, N, C, OC, o0, o1]);
  o.finish();
  return true;
}

// an accumulation target in kernel memory: the array itself, or scratch holding a copy of it
// that the finisher copies back
export function accPlace(a: Float32Array, n: number, s: Scratch): { ptr: number; finish: () => void } {
  if (inKernelMemory(a)) return { ptr: a.byteOffset, finish: () => {} };
  const ptr = s.ensure(n * 4);
  heapF32().set(a.subarray(0, n), ptr >> 2);
  return { ptr, finish: () => a.set(heapF32().subarray(ptr >> 2, (ptr >> 2) + n)) };
}

// dinp += dout·weight; dweight += doutᵀ·inp; dbias += Σ dout (any may be null). Needs the weight in
// kernel memory when dinp is wanted and dweight there when dweight is wanted.
export function fastMatmulBackward(
  dinp: Float32Array | null, dweight: Float32Array | null, dbias: Float32Array | null,
  dout: Float32Array, inp: Float32Array, weight: Float32Array, N: number, C: number, OC: number,
): boolean {
  const k = kernelWasm();
  if (!k) return false;
  if (N < COPY_WEIGHT_MIN_ROWS && ((dinp && !inKernelMemory(weight)) || (dweight && !inKernelMemory(dweight)))) return false;
  const gp = place(dout, N * OC, doutScratch);
  const macs = N * C * OC;
  if (dinp) {
    const wp = place(weight, OC * C, weightScratch);
    const d = accPlace(dinp, N * C, accScratch);
    split(k.exports, 'matmul_backward_input', N, macs, (n0, n1) => [d.ptr, gp, wp, N, C, OC, n0, n1]);
    d.finish();
  }
  if (dweight) {
    const xp = place(inp, N * C, inpScratch);
    const dw = accPlace(dweight, OC * C, weightScratch);
    split(k.exports, 'matmul_backward_weight', OC, macs, (o0, o1) => [dw.ptr, 0, gp, xp, N, C, OC, o0, o1]);
    dw.finish();
  }
  if (dbias) {
    for (let o = 0; o < OC; o++) {
      let s = 0;
      for (let n = 0; n < N; n++) s += dout[n * OC + o];
      dbias[o] += s;
    }
  }
  return true;
}

// dinp[N,C] += dout[N,OC] · dequant(w)[OC,C]
export function fastMatmulNF4Backward(
  dinp: Float32Array, dout: Float32Array, w: NF4Tensor, N: number, C: number, OC: number,
): boolean {
  const k = kernelWasm();
  if (!k || w.blocksize % 2 !== 0 || C % 2 !== 0) return false;
  const nf4 = placeNF4(w, N);
  if (!nf4) return false;
  const { pp, ap, cp } = nf4;
  const gp = place(dout, N * OC, doutScratch);
  const d = accPlace(dinp, N * C, accScratch);
  const perThread = Math.ceil(((512 + C) * 4) / 16) * 16;
  const tmp = nf4Tmp.ensure(perThread * Math.max(1, kernelThreads()));
  let calls = 0;
  split(k.exports, 'matmul_nf4_backward_input', N, N * C * OC, (n0, n1) => {
    const t = tmp + perThread * calls++;
    return [d.ptr, gp, pp, ap, cp, t, N, C, OC, w.blocksize, n0, n1];
  });
  d.finish();
  return true;
}
