// Dispatch of attentionForward / attentionBackward to the WebAssembly SIMD kernels (heads split
// over the worker pool when large). Applies when HS % 4 == 0; tensors outside kernel memory are
// copied in (and accumulated gradients back out): a copy is O(T·H·HS) next to the O(T·Tk·H·HS) of
// the attention itself. Returns false when it does not apply.
import { kernelWasm } from './wasm.js';
import { kernelThreads } from './pool.js';
import { Scratch, place, outPlace, accPlace, split } from './fast-matmul.js';

const qScratch = new Scratch();
const outScratch = new Scratch();
const lseScratch = new Scratch();
const scoreScratch = new Scratch();
const kScratch = new Scratch();
const vScratch = new Scratch();
const doutScratch = new Scratch();
const fwdOutScratch = new Scratch();
const lseInScratch = new Scratch();
const dqScratch = new Scratch();
const dkScratch = new Scratch();
const dvScratch = new Scratch();

// out[T,NH,HS], lse[T,NH] (or null) from q[T,NH,HS] and the cache k/v[Tk,NKV,HS]
export function fastAttentionForward(
  out: Float32Array, lse: Float32Array | null, q: Float32Array, k: Float32Array, v: Float32Array,
  T: number, pos0: number, NH: number, NKV: number, HS: number,
): boolean {
  const w = kernelWasm();
  if (!w || HS % 4 !== 0) return false;
  const Tk = pos0 + T;
  const kp = place(k, Tk * NKV * HS, kScratch);
  const vp = place(v, Tk * NKV * HS, vScratch);
  const qp = place(q, T * NH * HS, qScratch);
  const o = outPlace(out, T * NH * HS, outScratch);
  const l = lse ? outPlace(lse, T * NH, lseScratch) : null;
  const scores = scoreScratch.ensure(256 * Math.max(1, kernelThreads()));
  // work ≈ 2 · (keys seen) · HS per head and query row
  const macs = 2 * T * (pos0 + (T + 1) / 2) * HS * NH;
  let calls = 0;
  split(w.exports, 'attention_forward', NH, macs, (h0, h1) => {
    const sp = scores + 256 * calls++;
    return [o.ptr, l ? l.ptr : 0, qp, kp, vp, sp, T, pos0, NH, NKV, HS, h0, h1];
  }, 1);
  o.finish();
  if (l) l.finish();
  return true;
}

// dq[T,NH,HS], dk/dv[Tk,NKV,HS] += gradients from dout, recomputing from (q, k, v, out, lse)
export function fastAttentionBackward(
  dq: Float32Array, dk: Float32Array, dv: Float32Array, dout: Float32Array,
  q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array, lse: Float32Array,
  T: number, pos0: number, NH: number, NKV: number, HS: number,
): boolean {
  const w = kernelWasm();
  if (!w || HS % 4 !== 0) return false;
  const Tk = pos0 + T;
  const nq = T * NH * HS, nkv = Tk * NKV * HS;
  const qp = place(q, nq, qScratch), kp = place(k, nkv, kScratch), vp = place(v, nkv, vScratch);
  const gp = place(dout, nq, doutScratch), op = place(out, nq, fwdOutScratch), lp = place(lse, T * NH, lseInScratch);
  const dQ = accPlace(dq, nq, dqScratch), dK = accPlace(dk, nkv, dkScratch), dV = accPlace(dv, nkv, dvScratch);
  const macs = 4 * T * (pos0 + (T + 1) / 2) * HS * NH;
  split(w.exports, 'attention_backward', NKV, macs,
    (g0, g1) => [dQ.ptr, dK.ptr, dV.ptr, gp, qp, kp, vp, op, lp, T, pos0, NH, NKV, HS, g0, g1], 1);
  dQ.finish();
  dK.finish();
  dV.finish();
  return true;
}
