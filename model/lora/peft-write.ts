// Writes a PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors) in the
// layout peft 0.21 saves: keys `base_model.model.model.layers.{i}.{self_attn|mlp}.{proj}.lora_{A|B}.weight`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors, type TensorToWrite } from '../formats/safetensors-write.js';
import type { LlamaConfig } from '../llama/config.js';
import { randomNormal, Rng } from '../../kernels/rng.js';
import { projectionShape, type Projection } from '../llama/projections.js';

export interface PeftWriteOptions {
  r: number;
  loraAlpha: number;
  useRslora?: boolean;
  targetModules: Projection[];
}

export function peftTensorName(layer: number, p: Projection, ab: 'A' | 'B'): string {
  const parent = p === 'gate_proj' || p === 'up_proj' || p === 'down_proj' ? 'mlp' : 'self_attn';
  return `base_model.model.model.layers.${layer}.${parent}.${p}.lora_${ab}.weight`;
}

export function writePeftAdapter(dir: string, opts: PeftWriteOptions, tensors: Record<string, { shape: number[]; data: Float32Array }>): void {
  mkdirSync(dir, { recursive: true });
  const out: Record<string, TensorToWrite> = {};
  for (const [k, v] of Object.entries(tensors)) out[k] = { dtype: 'F32', shape: v.shape, data: v.data };
  writeSafetensors(join(dir, 'adapter_model.safetensors'), out, { format: 'pt' });
  const config = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    r: opts.r,
    lora_alpha: opts.loraAlpha,
    use_rslora: opts.useRslora ?? false,
    target_modules: opts.targetModules,
    lora_dropout: 0.0,
    bias: 'none',
    fan_in_fan_out: false,
    use_dora: false,
    lora_bias: false,
    rank_pattern: {},
    alpha_pattern: {},
    inference_mode: true,
    base_model_name_or_path: null,
  };
  writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify(config, null, 2) + '\n');
}

/** Seeded A and B (B non-zero, unlike a fresh adapter, so the adapter changes the output). */
export function seededPeftTensors(c: LlamaConfig, opts: PeftWriteOptions, seed: number): Record<string, { shape: number[]; data: Float32Array }> {
  const rng = new Rng(seed);
  const t: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (let l = 0; l < c.nLayers; l++) {
    for (const p of opts.targetModules) {
      const [out, inp] = projectionShape(c, p);
      t[peftTensorName(l, p, 'A')] = { shape: [opts.r, inp], data: randomNormal(rng, opts.r * inp, 1 / Math.sqrt(inp)) };
      t[peftTensorName(l, p, 'B')] = { shape: [out, opts.r], data: randomNormal(rng, out * opts.r, 0.05) };
    }
  }
  return t;
}
