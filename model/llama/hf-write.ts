// Writes an HF LLaMA checkpoint directory (config.json + model.safetensors) from fp32 tensors named
// as transformers names them. The trainer saves models with this; tests build seeded models with it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors, type TensorToWrite } from '../formats/safetensors-write.js';
import type { LlamaConfig } from './config.js';

/** config.json contents for a LlamaForCausalLM with this config. */
export function hfConfigJson(c: LlamaConfig): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: c.dim,
    intermediate_size: c.hiddenDim,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nKvHeads,
    head_dim: c.headDim,
    vocab_size: c.vocabSize,
    max_position_embeddings: c.maxSeqLen,
    rms_norm_eps: c.normEps,
    rope_theta: c.ropeTheta,
    tie_word_embeddings: c.tieWordEmbeddings,
    bos_token_id: c.bosId,
    eos_token_id: c.eosIds.length === 1 ? c.eosIds[0] : c.eosIds,
    hidden_act: 'silu',
    attention_bias: false,
    mlp_bias: false,
    rope_scaling: null,
    torch_dtype: 'float32',
  };
}

/** Writes config.json and model.safetensors; `shapes` gives each tensor's PyTorch shape. */
export function writeHfModel(dir: string, config: LlamaConfig, tensors: Record<string, { shape: number[]; data: Float32Array }>): void {
  mkdirSync(dir, { recursive: true });
  const out: Record<string, TensorToWrite> = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = { dtype: 'F32', shape: t.shape, data: t.data };
  writeSafetensors(join(dir, 'model.safetensors'), out, { format: 'pt' });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(hfConfigJson(config), null, 2) + '\n');
}
