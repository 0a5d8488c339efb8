// A tiny HF-format base model folder (config.json, model.safetensors, tokenizer.json) and a small
// JSONL dataset, written by the tests themselves.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenizerConfigJson, tokenizerJson, trainBpe } from '../../../tasks/mini/bpe.js';
import { alpacaPrompt } from '../../../model/train/training-data.js';
import { saveBase } from '../../../model/train/base-io.js';
import { Rng } from '../../../kernels/rng.js';
import { initBase } from '../../../model/train/train-weights.js';
import { tinyConfig } from './tiny-model.js';

export const FIXTURE_ROWS = [
  { prompt: 'Q: What color is the sky?\nA:', completion: ' blue' },
  { prompt: 'Q: What color is grass?\nA:', completion: ' green' },
  { instruction: 'Name the color of snow.', input: '', output: 'white' },
  { instruction: 'Answer the question.', input: 'What color is coal?', output: 'black' },
  { prompt: 'Q: What color is the sun?\nA:', completion: ' yellow' },
  { prompt: 'Q: What color is blood?\nA:', completion: ' red' },
];

export function writeTinyBase(dir: string, seed = 1): void {
  mkdirSync(dir, { recursive: true });
  const text = FIXTURE_ROWS.map((r) => JSON.stringify(r));
  for (let i = 0; i < 5; i++) text.push(alpacaPrompt('x', ''), alpacaPrompt('x', 'y'));
  const bpe = trainBpe(text, 400);
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(bpe)));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfigJson(128)));
  const rng = new Rng(seed);
  const base = initBase(tinyConfig({ vocabSize: bpe.vocab.size, maxSeqLen: 256, dim: 32, hiddenDim: 64, headDim: 16 }), () => rng.normal() * 10); // std 0.2: a random base with 0.02 leaves lm_head too weak to fit
  saveBase(dir, base, dir);
}

export function writeJsonl(path: string, rows: unknown[]): void {
  writeFileSync(path, rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
}
