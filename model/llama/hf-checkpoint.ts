// Loads an HF LLaMA checkpoint directory: config.json, model.safetensors or a sharded
// model.safetensors.index.json, F32/F16/BF16 tensors, and bitsandbytes-saved 4-bit weights
// (`*.weight` uint8 + `.absmax`, `.quant_map`, `.nested_absmax`, `.nested_quant_map`,
// `.quant_state.bitsandbytes__nf4`). Optionally quantizes the projections to NF4 on load
// (blocksize 64, double quantization, as QLoRA's BitsAndBytesConfig).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError } from '../../core/errors.js';
import { bf16ArrayToFp32, fp16ArrayToFp32, nf4Quantize } from '../../kernels/index.js';
import { nf4FromBitsandbytes } from '../formats/bitsandbytes-nf4.js';
import { SafetensorsFile } from '../formats/safetensors.js';
import { weightFiles } from '../formats/shard-index.js';
import { parseHfConfig, type LlamaConfig } from './config.js';
import type { LinearWeight } from './linear.js';
import { checkFinite, checkShape, type LayerWeights, type LlamaWeights } from './weights.js';
import { PROJECTIONS, projectionShape, type Projection } from './projections.js';

export type QuantMode = 'none' | 'nf4';

/** Tensors of one checkpoint, possibly spread over shards. */
export class SafetensorsSet {
  private readonly where = new Map<string, SafetensorsFile>();
  constructor(readonly files: SafetensorsFile[]) {
    for (const f of files) for (const name of f.tensors.keys()) this.where.set(name, f);
  }

  static openDir(dir: string): SafetensorsSet {
    const w = weightFiles(dir);
    if (w.kind === 'single') return new SafetensorsSet([SafetensorsFile.open(w.file)]);
    const set = new SafetensorsSet(w.shards.map((s) => SafetensorsFile.open(s)));
    for (const [name, shard] of w.weightMap) {
      if (set.where.get(name)?.path !== shard) throw new UserError(`${w.index}: tensor "${name}" is mapped to ${relative(dir, shard)} but that shard does not hold it`);
    }
    return set;
  }

  has(name: string): boolean {
    return this.where.has(name);
  }

  file(name: string): SafetensorsFile {
    const f = this.where.get(name);
    if (!f) throw new UserError(`${this.files.map((x) => x.path).join(', ')}: missing tensor "${name}"`);
    return f;
  }

  shape(name: string): number[] {
    return this.file(name).info(name).shape;
  }

  bytes(name: string): Uint8Array {
    return this.file(name).readBytes(name);
  }

  /** A float tensor as fp32, checked for NaN / Infinity. */
  f32(name: string): Float32Array {
    const f = this.file(name);
    const info = f.info(name);
    const raw = f.readBytes(name);
    let out: Float32Array;
    switch (info.dtype) {
      case 'F32':
        out = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
        break;
      case 'F16':
        out = new Float32Array(raw.byteLength / 2);
        fp16ArrayToFp32(out, new Uint16Array(raw.buffer, raw.byteOffset, out.length));
        break;
      case 'BF16':
        out = new Float32Array(raw.byteLength / 2);
        bf16ArrayToFp32(out, new Uint16Array(raw.buffer, raw.byteOffset, out.length));
        break;
      case 'F64':
        out = Float32Array.from(new Float64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8));
        break;
      default:
        throw new UserError(`${f.path}: tensor "${name}" has dtype ${info.dtype}; expected F32, F16 or BF16`);
    }
    return checkFinite(out, name, f.path);
  }

  close(): void {
    for (const f of this.files) f.close();
  }
}

export function readHfConfig(dir: string): LlamaConfig {
  const p = join(dir, 'config.json');
  if (!existsSync(p)) throw new UserError(`${dir}: no config.json (expected an HF model directory or a .gguf file)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw new UserError(`${p}: not valid JSON (${(e as Error).message})`);
  }
  return parseHfConfig(p, json);
}

const HF_PROJ_PARENT: Record<Projection, string> = {
  q_proj: 'self_attn', k_proj: 'self_attn', v_proj: 'self_attn', o_proj: 'self_attn',
  gate_proj: 'mlp', up_proj: 'mlp', down_proj: 'mlp',
};

export function hfProjectionName(layer: number, p: Projection): string {
  return `model.layers.${layer}.${HF_PROJ_PARENT[p]}.${p}.weight`;
}

function loadBnbNF4(set: SafetensorsSet, name: string): LinearWeight {
  const stateName = `${name}.quant_state.bitsandbytes__nf4`;
  const f = set.file(stateName);
  const opt = (n: string): Float32Array | null => (set.has(n) ? set.f32(n) : null);
  const absName = `${name}.absmax`;
  const nested = set.has(`${name}.nested_absmax`);
  const absmax = nested ? set.bytes(absName) : set.f32(absName);
  try {
    const t = nf4FromBitsandbytes(
      {
        weight: set.bytes(name),
        absmax,
        quantMap: set.f32(`${name}.quant_map`),
        nestedAbsmax: opt(`${name}.nested_absmax`),
        nestedQuantMap: opt(`${name}.nested_quant_map`),
        quantState: set.bytes(stateName),
      },
      name,
    );
    if (t.shape.length !== 2) throw new UserError(`${name}: 4-bit weight shape ${JSON.stringify(t.shape)} is not 2-D`);
    return { kind: 'nf4', rows: t.shape[0], cols: t.shape[1], data: t };
  } catch (e) {
    if (e instanceof UserError && !e.message.startsWith(f.path)) throw new UserError(`${f.path}: ${e.message}`);
    throw e;
  }
}

function loadLinear(set: SafetensorsSet, name: string, shape: [number, number], quant: QuantMode): LinearWeight {
  let w: LinearWeight;
  if (set.has(`${name}.quant_state.bitsandbytes__nf4`)) {
    w = loadBnbNF4(set, name);
    checkShape([w.rows, w.cols], shape, name, set.file(name).path);
    return w;
  }
  checkShape(set.shape(name), shape, name, set.file(name).path);
  const data = set.f32(name);
  if (quant === 'nf4') return { kind: 'nf4', rows: shape[0], cols: shape[1], data: nf4Quantize(data, 64, true, shape) };
  return { kind: 'f32', rows: shape[0], cols: shape[1], data };
}

function loadVector(set: SafetensorsSet, name: string, n: number): Float32Array {
  checkShape(set.shape(name), [n], name, set.file(name).path);
  return set.f32(name);
}

/** Loads config and weights of an HF checkpoint directory. */
export function loadHfModel(dir: string, quant: QuantMode = 'none'): { config: LlamaConfig; weights: LlamaWeights } {
  const config = readHfConfig(dir);
  const set = SafetensorsSet.openDir(dir);
  try {
    const embName = 'model.embed_tokens.weight';
    checkShape(set.shape(embName), [config.vocabSize, config.dim], embName, set.file(embName).path);
    const tokenEmbedding: LinearWeight = { kind: 'f32', rows: config.vocabSize, cols: config.dim, data: set.f32(embName) };
    const layers: LayerWeights[] = [];
    for (let l = 0; l < config.nLayers; l++) {
      const proj = {} as Record<Projection, LinearWeight>;
      for (const p of PROJECTIONS) proj[p] = loadLinear(set, hfProjectionName(l, p), projectionShape(config, p), quant);
      layers.push({
        attnNorm: loadVector(set, `model.layers.${l}.input_layernorm.weight`, config.dim),
        ffnNorm: loadVector(set, `model.layers.${l}.post_attention_layernorm.weight`, config.dim),
        proj,
      });
    }
    const finalNorm = loadVector(set, 'model.norm.weight', config.dim);
    let output = tokenEmbedding;
    if (!config.tieWordEmbeddings || set.has('lm_head.weight')) {
      checkShape(set.shape('lm_head.weight'), [config.vocabSize, config.dim], 'lm_head.weight', set.file('lm_head.weight').path);
      output = { kind: 'f32', rows: config.vocabSize, cols: config.dim, data: set.f32('lm_head.weight') };
    }
    return { config, weights: { tokenEmbedding, layers, finalNorm, output, ropeLayout: 'neox' } };
  } finally {
    set.close();
  }
}
