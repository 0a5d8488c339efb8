// Opens a model from a path: a .gguf file (weights + embedded vocabulary) or an HF directory
// (config.json, safetensors, tokenizer.json). Also computes a stable identity for caches: the
// file contents' sha256 for small checkpoints, headers + sizes + mtimes for large ones.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import { GGUFFile } from '../formats/gguf.js';
import { loadGGUFModel } from './gguf-checkpoint.js';
import { loadHfModel, type QuantMode } from './hf-checkpoint.js';
import { placeWeightsForKernels } from './kernel-placement.js';
import { LlamaModel } from './llama-model.js';
import { loadHfTokenizer } from '../tokenizer/hf-tokenizer.js';
import { spmTokenizerFromGGUF } from '../tokenizer/spm-tokenizer.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';

export interface LoadedModel {
  model: LlamaModel;
  tokenizer: TextTokenizer;
  format: 'hf' | 'gguf';
  path: string;
  /** sha256 over the checkpoint (see fileIdentity). */
  identity: string;
}

const FULL_HASH_LIMIT = 256 * 1024 * 1024;

/** sha256 of the files' contents when they total under 256 MB, else of names, sizes, mtimes and first 1 MB. */
export function fileIdentity(files: string[]): string {
  const h = createHash('sha256');
  const total = files.reduce((s, f) => s + statSync(f).size, 0);
  for (const f of [...files].sort()) {
    const st = statSync(f);
    h.update(`${f.split('/').pop()}\0${st.size}\0`);
    if (total <= FULL_HASH_LIMIT) h.update(readFileSync(f));
    else {
      h.update(`${st.mtimeMs}\0`);
      const head = new Uint8Array(Math.min(st.size, 1 << 20));
      const fd = openSync(f, 'r');
      try {
        readSync(fd, head, 0, head.length, 0);
      } finally {
        closeSync(fd);
      }
      h.update(head);
    }
  }
  return h.digest('hex');
}

export function modelFiles(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith('.safetensors') || f.endsWith('.json'))
    .map((f) => join(path, f))
    .filter((f) => statSync(f).isFile());
}

export function loadModel(path: string, quant: QuantMode = 'none'): LoadedModel {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new UserError(`--model ${path}: no such file or directory`);
  const st = statSync(abs);
  if (st.isFile()) {
    const { config, weights } = loadGGUFModel(abs, quant);
    placeWeightsForKernels(weights);
    const f = GGUFFile.open(abs);
    let tokenizer: TextTokenizer;
    try {
      tokenizer = spmTokenizerFromGGUF(f);
    } finally {
      f.close();
    }
    return { model: new LlamaModel(config, weights), tokenizer, format: 'gguf', path: abs, identity: fileIdentity([abs]) };
  }
  const { config, weights } = loadHfModel(abs, quant);
  placeWeightsForKernels(weights);
  const tokenizer = loadHfTokenizer(abs, config.vocabSize);
  return { model: new LlamaModel(config, weights), tokenizer, format: 'hf', path: abs, identity: fileIdentity(modelFiles(abs)) };
}
