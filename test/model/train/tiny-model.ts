// A tiny LLaMA config and seeded weights for trainer tests (GQA: 2 query heads share 1 kv head).
import type { LlamaConfig } from '../../../model/llama/config.js';
import { Rng } from '../../../kernels/rng.js';
import { initBase, type BaseWeights } from '../../../model/train/train-weights.js';

export function tinyConfig(over: Partial<LlamaConfig> = {}): LlamaConfig {
  return {
    dim: 16, hiddenDim: 24, nLayers: 2, nHeads: 2, nKvHeads: 1, headDim: 8, vocabSize: 11, maxSeqLen: 16,
    normEps: 1e-5, ropeTheta: 10000, tieWordEmbeddings: false, bosId: 1, eosIds: [2], slidingWindow: null, ...over,
  };
}

/** Weights with a larger spread than training init so every gradient is well away from zero. */
export function tinyBase(config: LlamaConfig, seed = 1, std = 0.3): BaseWeights {
  const rng = new Rng(seed);
  const b = initBase(config, () => rng.normal() * (std / 0.02));
  for (const l of b.layers) for (let i = 0; i < l.inputNorm.length; i++) { l.inputNorm[i] = 1 + 0.2 * rng.normal(); l.postNorm[i] = 1 + 0.2 * rng.normal(); }
  for (let i = 0; i < b.norm.length; i++) b.norm[i] = 1 + 0.2 * rng.normal();
  return b;
}
