// LLaMA base models on disk in HF layout: config.json (LlamaForCausalLM), model.safetensors,
// tokenizer.json (+ tokenizer_config.json). Loading optionally freezes the projections as NF4,
// one tensor at a time so a large fp16 base never sits in memory as fp32 all at once.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nf4Quantize } from '../../kernels/index.js';
import { parseHfConfig, type LlamaConfig } from '../llama/config.js';
import { UserError } from '../../core/errors.js';
import { openModelTensors, writeF32Tensors } from './tensor-io.js';
import { baseTensors, type BaseWeight, type BaseWeights, type LayerWeights } from './train-weights.js';
import { PROJECTIONS, projectionPath, projectionShape, type Projection } from '../llama/projections.js';
import { hfConfigJson } from '../llama/hf-write.js';

export function readBaseConfig(dir: string): LlamaConfig {
  const path = join(dir, 'config.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: cannot read the model config (${(e as Error).message})`);
  }
  return parseHfConfig(path, json);
}

export function loadBase(dir: string, quant: 'nf4' | 'none'): BaseWeights {
  const config = readBaseConfig(dir);
  const src = openModelTensors(dir);
  try {
    const C = config.dim;
    const V = config.vocabSize;
    const embed = src.read('model.embed_tokens.weight', [V, C]);
    const layers: LayerWeights[] = [];
    for (let i = 0; i < config.nLayers; i++) {
      const proj = {} as Record<Projection, BaseWeight>;
      for (const p of PROJECTIONS) {
        const shape = projectionShape(config, p);
        const w = src.read(`${projectionPath(i, p)}.weight`, shape);
        proj[p] = quant === 'nf4' ? { kind: 'nf4', w: nf4Quantize(w, 64, true, shape) } : { kind: 'f32', w };
      }
      layers.push({
        inputNorm: src.read(`model.layers.${i}.input_layernorm.weight`, [C]),
        postNorm: src.read(`model.layers.${i}.post_attention_layernorm.weight`, [C]),
        proj,
      });
    }
    const norm = src.read('model.norm.weight', [C]);
    const tied = config.tieWordEmbeddings || !src.has('lm_head.weight');
    const lmHead = tied ? embed : src.read('lm_head.weight', [V, C]);
    return { config: { ...config, tieWordEmbeddings: tied }, embed, layers, norm, lmHead };
  } finally {
    src.close();
  }
}

/** Writes an fp32 base as an HF model folder; tokenizer files are copied from tokenizerDir. */
export function saveBase(dir: string, b: BaseWeights, tokenizerDir: string | null, dtype: 'F32' | 'F16' = 'F32'): void {
  mkdirSync(dir, { recursive: true });
  for (const l of b.layers) for (const p of PROJECTIONS) if (l.proj[p].kind !== 'f32') throw new UserError(`saveBase: ${p} is quantized; only fp32 bases are saved`);
  writeF32Tensors(join(dir, 'model.safetensors'), baseTensors(b), dtype);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...hfConfigJson(b.config), torch_dtype: dtype === 'F16' ? 'float16' : 'float32' }, null, 2) + '\n');
  if (tokenizerDir !== null) {
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) {
      if (existsSync(join(tokenizerDir, f))) copyFileSync(join(tokenizerDir, f), join(dir, f));
    }
  }
}
