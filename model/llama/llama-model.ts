// LLaMA forward pass with a KV cache (llama2.c's `forward`, batched over T tokens for prefill):
//   x = embed(tokens)
//   per layer: x += Wo·attn(rope(Wq·n1), rope(Wk·n1), Wv·n1);  x += Wd·(silu(Wg·n2) * Wu·n2)
//   logits = Wout·rmsnorm(x)
// with n1 = rmsnorm(x)·attn_norm, n2 = rmsnorm(x)·ffn_norm, LoRA added unmerged to each adapted
// projection, and GQA (query head h reads kv head h / (NH/NKV)).
import { UserError } from '../../core/errors.js';
import { attentionForward, rmsnormForward, ropeForward, swigluForward } from '../../kernels/index.js';
import { loraForward, type LoraAdapter } from '../lora/adapter.js';
import type { LlamaConfig } from './config.js';
import { linearForward, linearRow, type LinearWeight } from './linear.js';
import type { LlamaWeights } from './weights.js';
import type { Projection } from './projections.js';

/** Keys and values of every layer, rows = positions: k[l], v[l] are [capacity, NKV, HS]. */
export class KVCache {
  readonly k: Float32Array[];
  readonly v: Float32Array[];
  length = 0;
  constructor(
    readonly capacity: number,
    nLayers: number,
    kvDim: number,
  ) {
    this.k = Array.from({ length: nLayers }, () => new Float32Array(capacity * kvDim));
    this.v = Array.from({ length: nLayers }, () => new Float32Array(capacity * kvDim));
  }
}

/** Activation buffers for T rows, grown on demand and reused (no allocation in the decode loop). */
class Scratch {
  T = 0;
  x = new Float32Array(0);
  xb = new Float32Array(0);
  q = new Float32Array(0);
  k = new Float32Array(0);
  v = new Float32Array(0);
  att = new Float32Array(0);
  proj = new Float32Array(0);
  gate = new Float32Array(0);
  up = new Float32Array(0);
  ensure(T: number, c: LlamaConfig): void {
    if (T <= this.T) return;
    const qd = c.nHeads * c.headDim;
    const kvd = c.nKvHeads * c.headDim;
    this.T = T;
    this.x = new Float32Array(T * c.dim);
    this.xb = new Float32Array(T * c.dim);
    this.q = new Float32Array(T * qd);
    this.k = new Float32Array(T * kvd);
    this.v = new Float32Array(T * kvd);
    this.att = new Float32Array(T * qd);
    this.proj = new Float32Array(T * c.dim);
    this.gate = new Float32Array(T * c.hiddenDim);
    this.up = new Float32Array(T * c.hiddenDim);
  }
}

/** Prompt rows processed per forward call: bounds scratch memory for long prompts. */
export const PREFILL_CHUNK = 256;

export class LlamaModel {
  adapter: LoraAdapter | null = null;
  private readonly s = new Scratch();

  constructor(
    readonly config: LlamaConfig,
    readonly weights: LlamaWeights,
  ) {}

  newCache(capacity = this.config.maxSeqLen): KVCache {
    return new KVCache(capacity, this.config.nLayers, this.config.nKvHeads * this.config.headDim);
  }

  /**
   * Runs `tokens` at positions cache.length.. and appends their keys/values to the cache.
   * Returns logits [rows, vocab]: of the last token only ('last') or of every token ('all').
   */
  forward(cache: KVCache, tokens: ArrayLike<number>, logitsFor: 'last' | 'all' = 'last'): Float32Array {
    const V = this.config.vocabSize;
    const n = tokens.length;
    if (n === 0) throw new Error('forward: no tokens');
    if (cache.length + n > cache.capacity) {
      throw new UserError(`sequence of ${cache.length + n} tokens exceeds the context of ${cache.capacity} tokens`);
    }
    const sw = this.config.slidingWindow;
    if (sw !== null && cache.length + n > sw) throw new UserError(`sequence of ${cache.length + n} tokens exceeds the sliding window of ${sw} tokens`);
    for (let i = 0; i < n; i++) {
      const t = tokens[i];
      if (!Number.isInteger(t) || t < 0 || t >= V) throw new UserError(`token id ${t} is outside the vocabulary [0, ${V})`);
    }
    const out = new Float32Array((logitsFor === 'all' ? n : 1) * V);
    for (let start = 0; start < n; start += PREFILL_CHUNK) {
      const end = Math.min(n, start + PREFILL_CHUNK);
      const chunk = Array.prototype.slice.call(tokens, start, end) as number[];
      const h = this.forwardHidden(cache, chunk);
      const T = end - start;
      const c = this.config;
      if (logitsFor === 'all') {
        linearForward(out.subarray(start * V, end * V), h, this.weights.output, T);
      } else if (end === n) {
        linearForward(out, h.subarray((T - 1) * c.dim, T * c.dim), this.weights.output, 1);
      }
    }
    return out;
  }

  // runs T tokens through every block; returns the final-normed hidden states xb[T, dim]
  private forwardHidden(cache: KVCache, tokens: number[]): Float32Array {
    const c = this.config;
    const w = this.weights;
    const T = tokens.length;
    const pos0 = cache.length;
    const s = this.s;
    s.ensure(T, c);
    const D = c.dim, HS = c.headDim, NH = c.nHeads, NKV = c.nKvHeads, H = c.hiddenDim;
    const kvd = NKV * HS;
    const x = s.x.subarray(0, T * D);
    const xb = s.xb.subarray(0, T * D);
    const q = s.q.subarray(0, T * NH * HS);
    const att = s.att.subarray(0, T * NH * HS);
    const proj = s.proj.subarray(0, T * D);
    const gate = s.gate.subarray(0, T * H);
    const up = s.up.subarray(0, T * H);
    for (let t = 0; t < T; t++) linearRow(x.subarray(t * D, t * D + D), w.tokenEmbedding, tokens[t]);
    for (let l = 0; l < c.nLayers; l++) {
      const L = w.layers[l];
      rmsnormForward(xb, null, x, L.attnNorm, T, D, c.normEps);
      // k and v are written straight into the cache rows of these positions
      const kc = cache.k[l].subarray(pos0 * kvd, (pos0 + T) * kvd);
      const vc = cache.v[l].subarray(pos0 * kvd, (pos0 + T) * kvd);
      this.project(q, xb, l, 'q_proj', T);
      this.project(kc, xb, l, 'k_proj', T);
      this.project(vc, xb, l, 'v_proj', T);
      ropeForward(q, T, NH, HS, pos0, c.ropeTheta, w.ropeLayout);
      ropeForward(kc, T, NKV, HS, pos0, c.ropeTheta, w.ropeLayout);
      attentionForward(att, null, q, cache.k[l], cache.v[l], T, pos0, NH, NKV, HS);
      this.project(proj, att, l, 'o_proj', T);
      for (let i = 0; i < T * D; i++) x[i] += proj[i];
      rmsnormForward(xb, null, x, L.ffnNorm, T, D, c.normEps);
      this.project(gate, xb, l, 'gate_proj', T);
      this.project(up, xb, l, 'up_proj', T);
      swigluForward(gate, gate, up, T * H);
      this.project(proj, gate, l, 'down_proj', T);
      for (let i = 0; i < T * D; i++) x[i] += proj[i];
    }
    cache.length = pos0 + T;
    rmsnormForward(xb, null, x, w.finalNorm, T, D, c.normEps);
    return xb;
  }

  // out[T, rows] = inp · Wᵀ (+ LoRA)
  private project(out: Float32Array, inp: Float32Array, layer: number, p: Projection, T: number): void {
    const w: LinearWeight = this.weights.layers[layer].proj[p];
    linearForward(out, inp, w, T);
    const m = this.adapter?.layers[layer]?.[p];
    if (m) loraForward(out, inp, m, T);
  }
}
