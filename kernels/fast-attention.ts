// Dispatch of attentionForward to the WebAssembly SIMD kernel (heads split over the worker pool
// for prefill). Applies when k and v (the KV cache) live in kernel memory and HS % 4 == 0; q, out
// and lse are copied when they live elsewhere. Returns false when it does not apply.
import { kernelWasm, inKernelMemory } from './wasm.js';
import { kernelThreads } from './pool.js';
import { Scratch, place, outPlace, split } from './fast-matmul.js';

const qScratch = new Scratch();
const outScratch = new Scratch();
const lseScratch = new Scratch();
const scoreScratch = new Scratch();

// out[T,NH,HS], lse[T,NH] (or null) from q[T,NH,HS] and the cache k/v[Tk,NKV,HS]
export function fastAttentionForward(
  out: Float32Array, lse: Float32Array | null, q: Float32Array, k: Float32Array, v: Float32Array,
  T: number, pos0: number, NH: number, NKV: number, HS: number,
): boolean {
  const w = kernelWasm();
  if (!w || HS % 4 !== 0 || !inKernelMemory(k) || !inKernelMemory(v)) return false;
  const qp = place(q, T * NH * HS, qScratch);
  const o = outPlace(out, T * NH * HS, outScratch);
  const l = lse ? outPlace(lse, T * NH, lseScratch) : null;
  const scores = scoreScratch.ensure(256 * Math.max(1, kernelThreads()));
  // work ≈ 2 · (keys seen) · HS per head and query row
  const macs = 2 * T * (pos0 + (T + 1) / 2) * HS * NH;
  let calls = 0;
  split(w.exports, 'attention_forward', NH, macs, (h0, h1) => {
    const sp = scores + 256 * calls++;
    return [o.ptr, l ? l.ptr : 0, qp, k.byteOffset, v.byteOffset, sp, T, pos0, NH, NKV, HS, h0, h1];
  }, 1);
  o.finish();
  if (l) l.finish();
  return true;
}
