// Loads a LLaMA GGUF (llama.cpp naming: token_embd, blk.N.attn_q ..., output_norm, output).
// q/k rows are in Meta's layout (llama.cpp's converter permutes HF weights back), so RoPE rotates
// adjacent pairs. F32/F16/BF16 become fp32; Q8_0/Q4_0 stay in ggml's block format for the kernels.
import { UserError } from '../../core/errors.js';
import { bf16ArrayToFp32, fp16ArrayToFp32, nf4Quantize } from '../../kernels/index.js';
import { GGUFFile } from '../formats/gguf.js';
import { GGMLType, ggmlTypeName } from '../formats/ggml-type.js';
import { configFromGGUF, type LlamaConfig } from './config.js';
import type { QuantMode } from './hf-checkpoint.js';
import type { LinearWeight } from './linear.js';
import { checkFinite, checkShape, type LayerWeights, type LlamaWeights } from './weights.js';
import { PROJECTIONS, projectionShape, type Projection } from './projections.js';

export const GGUF_PROJ_NAME: Record<Projection, string> = {
  q_proj: 'attn_q', k_proj: 'attn_k', v_proj: 'attn_v', o_proj: 'attn_output',
  gate_proj: 'ffn_gate', up_proj: 'ffn_up', down_proj: 'ffn_down',
};

function floatTensor(f: GGUFFile, name: string): Float32Array {
  const info = f.info(name);
  const raw = f.readBytes(name);
  let out: Float32Array;
  if (info.type === GGMLType.F32) out = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  else if (info.type === GGMLType.F16 || info.type === GGMLType.BF16) {
    out = new Float32Array(raw.byteLength / 2);
    const src = new Uint16Array(raw.buffer, raw.byteOffset, out.length);
    if (info.type === GGMLType.F16) fp16ArrayToFp32(out, src);
    else bf16ArrayToFp32(out, src);
  } else throw new UserError(`${f.path}: tensor "${name}" is ${ggmlTypeName(info.type)}; expected F32, F16 or BF16`);
  return checkFinite(out, name, f.path);
}

// every Q8_0/Q4_0 block starts with its fp16 scale: NaN/Inf there (exponent bits all set) is corruption
function checkBlockScales(bytes: Uint8Array, blockBytes: number, name: string, file: string): Uint8Array {
  for (let b = 0; b < bytes.length; b += blockBytes) {
    if ((bytes[b + 1] & 0x7c) === 0x7c) throw new UserError(`${file}: tensor "${name}" has a non-finite scale in block ${b / blockBytes}; refusing to run on corrupt weights`);
  }
  return bytes;
}

function linear(f: GGUFFile, name: string, shape: [number, number], quant: QuantMode): LinearWeight {
  const info = f.info(name);
  // ggml ne is [in, out]: the reverse of the PyTorch shape
  checkShape([...info.ne].reverse(), shape, name, f.path);
  const [rows, cols] = shape;
  if (info.type === GGMLType.Q8_0) return { kind: 'q8_0', rows, cols, data: checkBlockScales(f.readBytes(name), 34, name, f.path) };
  if (info.type === GGMLType.Q4_0) return { kind: 'q4_0', rows, cols, data: checkBlockScales(f.readBytes(name), 18, name, f.path) };
  const data = floatTensor(f, name);
  if (quant === 'nf4') return { kind: 'nf4', rows, cols, data: nf4Quantize(data, 64, true, shape) };
  return { kind: 'f32', rows, cols, data };
}

function vector(f: GGUFFile, name: string, n: number): Float32Array {
  checkShape(f.info(name).ne, [n], name, f.path);
  return floatTensor(f, name);
}

export function loadGGUFModel(path: string, quant: QuantMode = 'none'): { config: LlamaConfig; weights: LlamaWeights; file: GGUFFile } {
  const f = GGUFFile.open(path);
  try {
    const config = configFromGGUF(f);
    const tokenEmbedding = linear(f, 'token_embd.weight', [config.vocabSize, config.dim], 'none');
    const layers: LayerWeights[] = [];
    for (let l = 0; l < config.nLayers; l++) {
      const proj = {} as Record<Projection, LinearWeight>;
      for (const p of PROJECTIONS) proj[p] = linear(f, `blk.${l}.${GGUF_PROJ_NAME[p]}.weight`, projectionShape(config, p), quant);
      layers.push({ attnNorm: vector(f, `blk.${l}.attn_norm.weight`, config.dim), ffnNorm: vector(f, `blk.${l}.ffn_norm.weight`, config.dim), proj });
    }
    const finalNorm = vector(f, 'output_norm.weight', config.dim);
    const output = f.tensors.has('output.weight') ? linear(f, 'output.weight', [config.vocabSize, config.dim], 'none') : tokenEmbedding;
    return { config, weights: { tokenEmbedding, layers, finalNorm, output, ropeLayout: 'pairs' }, file: f };
  } finally {
    f.close();
  }
}
