// Causal multi-head attention with grouped-query heads, FlashAttention-2 style: per query row an
// online softmax runs over blocks of keys (running max m, running sum ℓ, un-normalised output),
// so the T×T score matrix never exists; the backward recomputes the scores from the saved
// logsumexp L = m + log ℓ (FA2 Algorithm 2 with one query row per block).
//
// Layouts (row-major): q[T, NH, HS]; k, v[Tk, NKV, HS] (a KV cache: row p = position p);
// out[T, NH, HS]; lse[T, NH]. Query row t is at position pos0 + t and attends keys 0..pos0+t,
// so Tk >= pos0 + T. Query head h reads kv head floor(h / (NH/NKV)) (repeat_interleave, as LLaMA).
// Scores are scaled by 1/sqrt(HS). Prefill: T > 1; decode: T = 1.

import { fastAttentionForward, fastAttentionBackward } from './fast-attention.js';

export const ATTENTION_KEY_BLOCK = 64;

let scoreBuf = new Float32Array(ATTENTION_KEY_BLOCK);

function checkHeads(NH: number, NKV: number): number {
  if (NKV <= 0 || NH % NKV !== 0) throw new Error(`attention: ${NH} query heads is not a multiple of ${NKV} kv heads`);
  return NH / NKV;
}

// out[T,NH,HS], lse[T,NH] (null when no backward is needed) from q[T,NH,HS], k/v[Tk,NKV,HS].
// WebAssembly SIMD (heads over the worker pool when large) when k and v live in kernel memory.
export function attentionForward(
  out: Float32Array,
  lse: Float32Array | null,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  T: number,
  pos0: number,
  NH: number,
  NKV: number,
  HS: number,
): void {
  checkHeads(NH, NKV);
  if (!fastAttentionForward(out, lse, q, k, v, T, pos0, NH, NKV, HS)) attentionForwardJs(out, lse, q, k, v, T, pos0, NH, NKV, HS);
}

// the JS kernel (same contract), for query heads [hStart, hEnd)
export function attentionForwardJs(
  out: Float32Array,
  lse: Float32Array | null,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  T: number,
  pos0: number,
  NH: number,
  NKV: number,
  HS: number,
  hStart = 0,
  hEnd = NH,
): void {
  const rep = checkHeads(NH, NKV);
  const scale = 1 / Math.sqrt(HS);
  const kvStride = NKV * HS;
  const Bc = ATTENTION_KEY_BLOCK;
  const s = scoreBuf;
  for (let t = 0; t < T; t++) {
    const nkeys = pos0 + t + 1;
    for (let h = hStart; h < hEnd; h++) {
      const qo = (t * NH + h) * HS;
      const kvh = Math.floor(h / rep) * HS;
      const oo = qo;
      for (let d = 0; d < HS; d++) out[oo + d] = 0;
      let m = -Infinity;
      let l = 0;
      for (let j0 = 0; j0 < nkeys; j0 += Bc) {
        const j1 = Math.min(nkeys, j0 + Bc);
        // S = q·Kᵀ for this key block, and its max
        let bmax = -Infinity;
        for (let j = j0; j < j1; j++) {
          const ko = j * kvStride + kvh;
          let dot = 0;
          for (let d = 0; d < HS; d++) dot += q[qo + d] * k[ko + d];
          const sc = dot * scale;
          s[j - j0] = sc;
          if (sc > bmax) bmax = sc;
        }
        const mNew = Math.max(m, bmax);
        const corr = Math.exp(m - mNew); // 0 on the first block (m = -inf)
        if (corr !== 1) {
          l *= corr;
          for (let d = 0; d < HS; d++) out[oo + d] *= corr;
        }
        for (let j = j0; j < j1; j++) {
          const p = Math.exp(s[j - j0] - mNew);
          l += p;
          const vo = j * kvStride + kvh;
          for (let d = 0; d < HS; d++) out[oo + d] += p * v[vo + d];
        }
        m = mNew;
      }
      const inv = 1 / l;
      for (let d = 0; d < HS; d++) out[oo + d] *= inv;
      if (lse) lse[t * NH + h] = m + Math.log(l);
    }
  }
}

// accumulates dq[T,NH,HS], dk/dv[Tk,NKV,HS] (+=) from dout[T,NH,HS], recomputing
// P = exp(q·kᵀ·scale − lse) key by key; D = rowsum(dout ∘ out). WebAssembly SIMD when available
// (kv heads over the worker pool when large), else the JS kernel.
export function attentionBackward(
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
  dout: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  out: Float32Array,
  lse: Float32Array,
  T: number,
  pos0: number,
  NH: number,
  NKV: number,
  HS: number,
): void {
  checkHeads(NH, NKV);
  if (!fastAttentionBackward(dq, dk, dv, dout, q, k, v, out, lse, T, pos0, NH, NKV, HS)) {
    attentionBackwardJs(dq, dk, dv, dout, q, k, v, out, lse, T, pos0, NH, NKV, HS);
  }
}

// the JS kernel (same contract)
export function attentionBackwardJs(
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
  dout: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  out: Float32Array,
  lse: Float32Array,
  T: number,
  pos0: number,
  NH: number,
  NKV: number,
  HS: number,
): void {
  const rep = checkHeads(NH, NKV);
  const scale = 1 / Math.sqrt(HS);
  const kvStride = NKV * HS;
  for (let t = 0; t < T; t++) {
    const nkeys = pos0 + t + 1;
    for (let h = 0; h < NH; h++) {
      const qo = (t * NH + h) * HS;
      const kvh = Math.floor(h / rep) * HS;
      const L = lse[t * NH + h];
      let D = 0;
      for (let d = 0; d < HS; d++) D += dout[qo + d] * out[qo + d];
      for (let j = 0; j < nkeys; j++) {
        const ko = j * kvStride + kvh;
        let dot = 0;
        for (let d = 0; d < HS; d++) dot += q[qo + d] * k[ko + d];
        const p = Math.exp(dot * scale - L);
        let dp = 0;
        for (let d = 0; d < HS; d++) {
          dv[ko + d] += p * dout[qo + d];
          dp += dout[qo + d] * v[ko + d];
        }
        const ds = p * (dp - D) * scale;
        for (let d = 0; d < HS; d++) {
          dq[qo + d] += ds * k[ko + d];
          dk[ko + d] += ds * q[qo + d];
        }
      }
    }
  }
}
