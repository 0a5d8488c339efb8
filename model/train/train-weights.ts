// The trainable model's tensors: a LLaMA base (fp32, or the seven projections frozen in NF4) and,
// in LoRA mode, the adapters. HF tensor names are used throughout so checkpoints need no mapping.
import { nf4Quantize, type NF4Tensor } from '../../kernels/index.js';
import type { LlamaConfig } from '../llama/config.js';
import { projectionPath, projectionShape, PROJECTIONS, type Projection } from '../llama/projections.js';

/** A base projection weight [out, in]: fp32 (trainable in full mode) or frozen NF4. */
export type BaseWeight = { kind: 'f32'; w: Float32Array } | { kind: 'nf4'; w: NF4Tensor };

export interface LayerWeights {
  inputNorm: Float32Array; // [C]
  postNorm: Float32Array; // [C]
  proj: Record<Projection, BaseWeight>;
}

export interface BaseWeights {
  config: LlamaConfig;
  embed: Float32Array; // [V, C]
  layers: LayerWeights[];
  norm: Float32Array; // [C]
  lmHead: Float32Array; // [V, C] (the embedding itself when tied)
}

/** Every fp32 tensor of a base by HF name (the order used for optimizer state and checkpoints). */
export function baseTensors(b: BaseWeights): Map<string, { data: Float32Array; shape: number[] }> {
  const c = b.config;
  const m = new Map<string, { data: Float32Array; shape: number[] }>();
  m.set('model.embed_tokens.weight', { data: b.embed, shape: [c.vocabSize, c.dim] });
  b.layers.forEach((l, i) => {
    m.set(`model.layers.${i}.input_layernorm.weight`, { data: l.inputNorm, shape: [c.dim] });
    m.set(`model.layers.${i}.post_attention_layernorm.weight`, { data: l.postNorm, shape: [c.dim] });
    for (const p of PROJECTIONS) {
      const w = l.proj[p];
      if (w.kind === 'f32') m.set(`${projectionPath(i, p)}.weight`, { data: w.w, shape: projectionShape(c, p) });
    }
  });
  m.set('model.norm.weight', { data: b.norm, shape: [c.dim] });
  if (!c.tieWordEmbeddings) m.set('lm_head.weight', { data: b.lmHead, shape: [c.vocabSize, c.dim] });
  return m;
}

/** Random init for pretraining from scratch: N(0, 0.02), output projections scaled by 1/sqrt(2L) (GPT-2). */
export function initBase(config: LlamaConfig, normal: () => number): BaseWeights {
  const rand = (n: number, std: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = normal() * std;
    return a;
  };
  const ones = (n: number) => new Float32Array(n).fill(1);
  const std = 0.02;
  const residStd = std / Math.sqrt(2 * config.nLayers);
  const layers: LayerWeights[] = [];
  for (let i = 0; i < config.nLayers; i++) {
    const proj = {} as Record<Projection, BaseWeight>;
    for (const p of PROJECTIONS) {
      const [o, inp] = projectionShape(config, p);
      proj[p] = { kind: 'f32', w: rand(o * inp, p === 'o_proj' || p === 'down_proj' ? residStd : std) };
    }
    layers.push({ inputNorm: ones(config.dim), postNorm: ones(config.dim), proj });
  }
  const embed = rand(config.vocabSize * config.dim, std);
  return {
    config,
    embed,
    layers,
    norm: ones(config.dim),
    lmHead: config.tieWordEmbeddings ? embed : rand(config.vocabSize * config.dim, std),
  };
}

/** Freezes the seven projections as NF4 (blocksize 64, double quantization), as QLoRA does. */
export function quantizeProjections(b: BaseWeights): void {
  for (const l of b.layers) {
    for (const p of PROJECTIONS) {
      const w = l.proj[p];
      if (w.kind === 'f32') l.proj[p] = { kind: 'nf4', w: nf4Quantize(w.w, 64, true, projectionShape(b.config, p)) };
    }
  }
}
