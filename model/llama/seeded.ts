// Seeded random LLaMA weights named as HF names them, for tests, the parity script, the benchmark
// and the demo model. Std 0.02 like HF's initializer_range; norms around 1.
import type { LlamaConfig } from './config.js';
import { hfProjectionName } from './hf-checkpoint.js';
import { randomNormal, Rng } from '../../kernels/rng.js';
import { PROJECTIONS, projectionShape } from './projections.js';

export type NamedTensors = Record<string, { shape: number[]; data: Float32Array }>;

export function seededHfTensors(c: LlamaConfig, seed: number, std = 0.02): NamedTensors {
  const rng = new Rng(seed);
  const t: NamedTensors = {};
  const norm = (n: number): Float32Array => {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = 1 + 0.1 * rng.normal();
    return v;
  };
  t['model.embed_tokens.weight'] = { shape: [c.vocabSize, c.dim], data: randomNormal(rng, c.vocabSize * c.dim, 1) };
  for (let l = 0; l < c.nLayers; l++) {
    t[`model.layers.${l}.input_layernorm.weight`] = { shape: [c.dim], data: norm(c.dim) };
    t[`model.layers.${l}.post_attention_layernorm.weight`] = { shape: [c.dim], data: norm(c.dim) };
    for (const p of PROJECTIONS) {
      const [r, k] = projectionShape(c, p);
      // scale like 1/sqrt(fan_in) so activations stay O(1) and the logits are not degenerate
      t[hfProjectionName(l, p)] = { shape: [r, k], data: randomNormal(rng, r * k, Math.max(std, 1 / Math.sqrt(k))) };
    }
  }
  t['model.norm.weight'] = { shape: [c.dim], data: norm(c.dim) };
  if (!c.tieWordEmbeddings) t['lm_head.weight'] = { shape: [c.vocabSize, c.dim], data: randomNormal(rng, c.vocabSize * c.dim, 1 / Math.sqrt(c.dim)) };
  return t;
}

/** A config for small seeded models (LLaMA 2 defaults elsewhere). */
export function tinyConfig(over: Partial<LlamaConfig> = {}): LlamaConfig {
  const base: LlamaConfig = {
    dim: 64,
    hiddenDim: 96,
    nLayers: 2,
    nHeads: 8,
    nKvHeads: 2,
    headDim: 8,
    vocabSize: 300,
    maxSeqLen: 256,
    normEps: 1e-5,
    ropeTheta: 10000,
    tieWordEmbeddings: false,
    bosId: 1,
    eosIds: [2],
    slidingWindow: null,
  };
  const c = { ...base, ...over };
  if (over.dim !== undefined && over.headDim === undefined) c.headDim = c.dim / c.nHeads;
  return c;
}
