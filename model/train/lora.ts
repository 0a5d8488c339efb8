// LoRA adapters as HF peft defines them (tuners/lora/layer.py): per target projection
// A [r, in] ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform with a=sqrt(5)), B [out, r] = 0,
// y = base(x) + scaling · B·A·dropout(x), scaling = alpha/r, or alpha/sqrt(r) with rsLoRA.
import type { LlamaConfig } from '../llama/config.js';
import type { LoraPair } from '../lora/lora-pair.js';
import { PROJECTIONS, projectionPath, projectionShape, type Projection } from '../llama/projections.js';

export interface LoraOptions {
  r: number;
  alpha: number;
  dropout: number;
  useRslora: boolean;
  targetModules: Projection[];
}

export const DEFAULT_LORA: LoraOptions = { r: 8, alpha: 16, dropout: 0.05, useRslora: false, targetModules: [...PROJECTIONS] };

export interface LoraAdapters {
  options: LoraOptions;
  scaling: number;
  /** layers[i][projection] — absent when the projection is not a target. */
  layers: Partial<Record<Projection, LoraPair>>[];
}

export function loraScaling(o: LoraOptions): number {
  return o.useRslora ? o.alpha / Math.sqrt(o.r) : o.alpha / o.r;
}

export function initLora(config: LlamaConfig, options: LoraOptions, uniform: () => number): LoraAdapters {
  const layers: Partial<Record<Projection, LoraPair>>[] = [];
  for (let i = 0; i < config.nLayers; i++) {
    const l: Partial<Record<Projection, LoraPair>> = {};
    for (const p of options.targetModules) {
      const [outDim, inDim] = projectionShape(config, p);
      const bound = 1 / Math.sqrt(inDim);
      const A = new Float32Array(options.r * inDim);
      for (let j = 0; j < A.length; j++) A[j] = (2 * uniform() - 1) * bound;
      l[p] = { r: options.r, scaling: loraScaling(options), a: A, b: new Float32Array(outDim * options.r), inFeatures: inDim, outFeatures: outDim };
    }
    layers.push(l);
  }
  return { options, scaling: loraScaling(options), layers };
}

/** PEFT tensor names: base_model.model.<module path>.lora_{A,B}.weight. */
export function loraTensors(a: LoraAdapters): Map<string, { data: Float32Array; shape: number[] }> {
  const m = new Map<string, { data: Float32Array; shape: number[] }>();
  a.layers.forEach((l, i) => {
    for (const p of PROJECTIONS) {
      const pair = l[p];
      if (!pair) continue;
      const base = `base_model.model.${projectionPath(i, p)}`;
      m.set(`${base}.lora_A.weight`, { data: pair.a, shape: [a.options.r, pair.inFeatures] });
      m.set(`${base}.lora_B.weight`, { data: pair.b, shape: [pair.outFeatures, a.options.r] });
    }
  });
  return m;
}

/** adapter_config.json as peft writes it (the keys loaders read). */
export function adapterConfigJson(a: LoraAdapters, baseModel: string | null): Record<string, unknown> {
  return {
    base_model_name_or_path: baseModel,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    lora_alpha: a.options.alpha,
    lora_dropout: a.options.dropout,
    modules_to_save: null,
    peft_type: 'LORA',
    r: a.options.r,
    target_modules: [...a.options.targetModules],
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_rslora: a.options.useRslora,
  };
}
