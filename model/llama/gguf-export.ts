// Writes a LLaMA GGUF from HF-named fp32 tensors the way llama.cpp's convert_hf_to_gguf.py does:
// q/k rows permuted back to Meta's adjacent-pair RoPE layout, llama.* metadata with the exact
// types llama.cpp checks, the SentencePiece vocabulary, and projections in F32, Q8_0 or Q4_0
// (optionally the embedding and output too).
import { fp32ArrayToFp16, quantizeQ4_0, quantizeQ8_0 } from '../../kernels/index.js';
import { GGMLType } from '../formats/ggml-type.js';
import type { GGUFValue } from '../formats/gguf-value.js';
import { gv, writeGGUF, type GGUFTensorToWrite } from '../formats/gguf-write.js';
import type { LlamaConfig } from './config.js';
import { GGUF_PROJ_NAME } from './gguf-checkpoint.js';
import { hfProjectionName } from './hf-checkpoint.js';
import type { NamedTensors } from './seeded.js';
import { PROJECTIONS } from './projections.js';

export interface GGUFVocab {
  tokens: string[];
  scores: number[];
  /** llama.cpp token types: 1 normal, 2 unknown, 3 control, 6 byte. */
  types: number[];
}

// HF rotate-half rows -> Meta pairs: GGUF row (h, 2i + j) = HF row (h, j·HS/2 + i)
export function permuteHfToMeta(w: Float32Array, nHeads: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  const hs = rows / nHeads;
  const half = hs / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const src = h * hs + j * half + i;
        const dst = h * hs + 2 * i + j;
        out.set(w.subarray(src * cols, src * cols + cols), dst * cols);
      }
    }
  }
  return out;
}

function encodeLinear(name: string, data: Float32Array, rows: number, cols: number, type: number): GGUFTensorToWrite {
  if (type === GGMLType.F32) return { name, type, ne: [cols, rows], data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  if (type === GGMLType.F16) {
    const h = new Uint16Array(data.length);
    fp32ArrayToFp16(h, data);
    return { name, type, ne: [cols, rows], data: new Uint8Array(h.buffer) };
  }
  const blocks = (rows * cols) / 32;
  const bytes = new Uint8Array(blocks * (type === GGMLType.Q8_0 ? 34 : 18));
  if (type === GGMLType.Q8_0) quantizeQ8_0(data, bytes);
  else quantizeQ4_0(data, bytes);
  return { name, type, ne: [cols, rows], data: bytes };
}

export interface GGUFExportOptions {
  /** Type of the seven projections: F32, F16, Q8_0 or Q4_0. Embedding, output and norms stay F32. */
  projectionType?: number;
  vocab: GGUFVocab;
  name?: string;
  /** Store token_embd and output in the projection type too (as llama.cpp's quantize does for Q4_0/Q8_0). */
  quantizeEmbeddings?: boolean;
}

export function writeLlamaGGUF(path: string, c: LlamaConfig, t: NamedTensors, opts: GGUFExportOptions): void {
  const type = opts.projectionType ?? GGMLType.F32;
  const md: Array<[string, GGUFValue]> = [
    ['general.architecture', gv.str('llama')],
    ['general.name', gv.str(opts.name ?? 'evalfirst-seeded')],
    ['general.file_type', gv.u32(type === GGMLType.F32 ? 0 : type === GGMLType.F16 ? 1 : type === GGMLType.Q8_0 ? 7 : 2)],
    ['llama.context_length', gv.u32(c.maxSeqLen)],
    ['llama.embedding_length', gv.u32(c.dim)],
    ['llama.block_count', gv.u32(c.nLayers)],
    ['llama.feed_forward_length', gv.u32(c.hiddenDim)],
    ['llama.rope.dimension_count', gv.u32(c.headDim)],
    ['llama.attention.head_count', gv.u32(c.nHeads)],
    ['llama.attention.head_count_kv', gv.u32(c.nKvHeads)],
    ['llama.attention.layer_norm_rms_epsilon', gv.f32(c.normEps)],
    ['llama.rope.freq_base', gv.f32(c.ropeTheta)],
    ['llama.vocab_size', gv.u32(c.vocabSize)],
    ['tokenizer.ggml.model', gv.str('llama')],
    ['tokenizer.ggml.tokens', gv.strs(opts.vocab.tokens)],
    ['tokenizer.ggml.scores', gv.f32s(opts.vocab.scores)],
    ['tokenizer.ggml.token_type', gv.i32s(opts.vocab.types)],
    ['tokenizer.ggml.unknown_token_id', gv.u32(0)],
    ['tokenizer.ggml.bos_token_id', gv.u32(c.bosId ?? 1)],
    ['tokenizer.ggml.eos_token_id', gv.u32(c.eosIds[0] ?? 2)],
    ['tokenizer.ggml.add_bos_token', gv.bool(true)],
    ['tokenizer.ggml.add_eos_token', gv.bool(false)],
  ];
  const tensors: GGUFTensorToWrite[] = [];
  const emb = t['model.embed_tokens.weight'].data;
  const embType = opts.quantizeEmbeddings ? type : GGMLType.F32;
  tensors.push(encodeLinear('token_embd.weight', emb, c.vocabSize, c.dim, embType));
  for (let l = 0; l < c.nLayers; l++) {
    tensors.push(encodeLinear(`blk.${l}.attn_norm.weight`, t[`model.layers.${l}.input_layernorm.weight`].data, 1, c.dim, GGMLType.F32));
    tensors[tensors.length - 1].ne = [c.dim];
    for (const p of PROJECTIONS) {
      const src = t[hfProjectionName(l, p)];
      const [rows, cols] = src.shape;
      let data = src.data;
      if (p === 'q_proj') data = permuteHfToMeta(data, c.nHeads, rows, cols);
      if (p === 'k_proj') data = permuteHfToMeta(data, c.nKvHeads, rows, cols);
      tensors.push(encodeLinear(`blk.${l}.${GGUF_PROJ_NAME[p]}.weight`, data, rows, cols, type));
    }
    tensors.push(encodeLinear(`blk.${l}.ffn_norm.weight`, t[`model.layers.${l}.post_attention_layernorm.weight`].data, 1, c.dim, GGMLType.F32));
    tensors[tensors.length - 1].ne = [c.dim];
  }
  tensors.push({ ...encodeLinear('output_norm.weight', t['model.norm.weight'].data, 1, c.dim, GGMLType.F32), ne: [c.dim] });
  if (!c.tieWordEmbeddings) tensors.push(encodeLinear('output.weight', t['lm_head.weight'].data, c.vocabSize, c.dim, embType));
  writeGGUF(path, md, tensors);
}
