// LLaMA-family hyperparameters, read from an HF config.json (LLaMA 2 incl. GQA, Mistral-style
// configs) or from GGUF `llama.*` metadata. Anything this runtime does not implement (rope scaling,
// biases, another activation) is refused with the file named rather than silently mis-run.
import { UserError } from '../../core/errors.js';
import type { GGUFFile } from '../formats/gguf.js';
import { GGUFValueType } from '../formats/gguf-value.js';

export interface LlamaConfig {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  vocabSize: number;
  /** Longest sequence the model was trained for (max_position_embeddings / context_length). */
  maxSeqLen: number;
  normEps: number;
  ropeTheta: number;
  tieWordEmbeddings: boolean;
  bosId: number | null;
  eosIds: number[];
  /** Mistral's sliding window, when the config sets one; sequences longer than it are refused. */
  slidingWindow: number | null;
}

function num(path: string, obj: Record<string, unknown>, key: string, fallback?: number): number {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw new UserError(`${path}: missing "${key}"`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserError(`${path}: "${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function posInt(path: string, key: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new UserError(`${path}: "${key}" must be a positive integer, got ${v}`);
  return v;
}

/** Checks the relations between sizes that the forward pass relies on. */
export function validateConfig(path: string, c: LlamaConfig): LlamaConfig {
  if (c.nHeads % c.nKvHeads !== 0) throw new UserError(`${path}: ${c.nHeads} attention heads is not a multiple of ${c.nKvHeads} key/value heads`);
  if (c.headDim % 2 !== 0) throw new UserError(`${path}: head dimension ${c.headDim} must be even for RoPE`);
  if (!(c.normEps > 0)) throw new UserError(`${path}: rms norm epsilon must be positive, got ${c.normEps}`);
  if (!(c.ropeTheta > 0)) throw new UserError(`${path}: rope theta must be positive, got ${c.ropeTheta}`);
  return c;
}

/** Parses an HF config.json object (LlamaForCausalLM / MistralForCausalLM). */
export function parseHfConfig(path: string, json: unknown): LlamaConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UserError(`${path}: config is not a JSON object`);
  const o = json as Record<string, unknown>;
  const type = o.model_type;
  if (type !== undefined && type !== 'llama' && type !== 'mistral') {
    throw new UserError(`${path}: model_type "${String(type)}" is not supported (llama, mistral)`);
  }
  if (o.hidden_act !== undefined && o.hidden_act !== 'silu') throw new UserError(`${path}: hidden_act "${String(o.hidden_act)}" is not supported (silu)`);
  if (o.rope_scaling !== undefined && o.rope_scaling !== null) throw new UserError(`${path}: rope_scaling ${JSON.stringify(o.rope_scaling)} is not supported`);
  if (o.attention_bias === true || o.mlp_bias === true) throw new UserError(`${path}: attention_bias / mlp_bias are not supported`);
  const dim = posInt(path, 'hidden_size', num(path, o, 'hidden_size'));
  const nHeads = posInt(path, 'num_attention_heads', num(path, o, 'num_attention_heads'));
  const eos = o.eos_token_id;
  const eosIds = Array.isArray(eos) ? eos.filter((x): x is number => typeof x === 'number') : typeof eos === 'number' ? [eos] : [];
  const headDim = posInt(path, 'head_dim', num(path, o, 'head_dim', dim / nHeads));
  const sw = o.sliding_window;
  return validateConfig(path, {
    dim,
    hiddenDim: posInt(path, 'intermediate_size', num(path, o, 'intermediate_size')),
    nLayers: posInt(path, 'num_hidden_layers', num(path, o, 'num_hidden_layers')),
    nHeads,
    nKvHeads: posInt(path, 'num_key_value_heads', num(path, o, 'num_key_value_heads', nHeads)),
    headDim,
    vocabSize: posInt(path, 'vocab_size', num(path, o, 'vocab_size')),
    maxSeqLen: posInt(path, 'max_position_embeddings', num(path, o, 'max_position_embeddings', 2048)),
    normEps: num(path, o, 'rms_norm_eps', 1e-6),
    ropeTheta: num(path, o, 'rope_theta', 10000),
    tieWordEmbeddings: o.tie_word_embeddings === true,
    bosId: typeof o.bos_token_id === 'number' ? o.bos_token_id : null,
    eosIds,
    slidingWindow: typeof sw === 'number' && sw > 0 ? sw : null,
  });
}

function ggufNum(f: GGUFFile, key: string, fallback?: number): number {
  const v = f.metadata.get(key);
  if (!v) {
    if (fallback !== undefined) return fallback;
    throw new UserError(`${f.path}: missing GGUF metadata "${key}"`);
  }
  if (v.type === GGUFValueType.ARRAY || typeof v.value !== 'number') throw new UserError(`${f.path}: GGUF metadata "${key}" must be a number`);
  return v.value;
}

/** Reads `llama.*` hyperparameters from a GGUF (docs/gguf.md "LLaMA"). */
export function configFromGGUF(f: GGUFFile): LlamaConfig {
  const arch = f.metadata.get('general.architecture');
  if (arch && arch.value !== 'llama') throw new UserError(`${f.path}: general.architecture "${String(arch.value)}" is not supported (llama)`);
  const dim = ggufNum(f, 'llama.embedding_length');
  const nHeads = ggufNum(f, 'llama.attention.head_count');
  const tokens = f.metadata.get('tokenizer.ggml.tokens');
  const vocabFromTokens = tokens && tokens.type === GGUFValueType.ARRAY ? tokens.value.length : undefined;
  const embd = f.tensors.get('token_embd.weight');
  const vocabSize = ggufNum(f, 'llama.vocab_size', vocabFromTokens ?? embd?.ne[1]);
  const eos = f.metadata.get('tokenizer.ggml.eos_token_id');
  const bos = f.metadata.get('tokenizer.ggml.bos_token_id');
  const headDim = dim / nHeads;
  const ropeDims = ggufNum(f, 'llama.rope.dimension_count', headDim);
  if (ropeDims !== headDim) throw new UserError(`${f.path}: llama.rope.dimension_count ${ropeDims} differs from the head dimension ${headDim} (partial RoPE is not supported)`);
  return validateConfig(f.path, {
    dim: posInt(f.path, 'llama.embedding_length', dim),
    hiddenDim: posInt(f.path, 'llama.feed_forward_length', ggufNum(f, 'llama.feed_forward_length')),
    nLayers: posInt(f.path, 'llama.block_count', ggufNum(f, 'llama.block_count')),
    nHeads: posInt(f.path, 'llama.attention.head_count', nHeads),
    nKvHeads: posInt(f.path, 'llama.attention.head_count_kv', ggufNum(f, 'llama.attention.head_count_kv', nHeads)),
    headDim: posInt(f.path, 'head dimension', headDim),
    vocabSize: posInt(f.path, 'vocab size', vocabSize),
    maxSeqLen: posInt(f.path, 'llama.context_length', ggufNum(f, 'llama.context_length', 2048)),
    normEps: ggufNum(f, 'llama.attention.layer_norm_rms_epsilon'),
    ropeTheta: ggufNum(f, 'llama.rope.freq_base', 10000),
    tieWordEmbeddings: !f.tensors.has('output.weight'),
    bosId: bos && typeof bos.value === 'number' ? bos.value : null,
    eosIds: eos && typeof eos.value === 'number' ? [eos.value] : [],
    slidingWindow: null,
  });
}
