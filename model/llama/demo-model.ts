// A small seeded random LLaMA (HF safetensors + a real SentencePiece-style tokenizer.json) so the
// whole pipeline can run end to end before a trained model exists. Its answers are noise.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeHfModel } from './hf-write.js';
import { seededHfTensors, tinyConfig } from './seeded.js';
import { llamaTokenizerConfigJson, llamaTokenizerJson } from '../tokenizer/llama-tokenizer-json.js';
import { seededSpmVocab } from '../tokenizer/seeded-vocab.js';
import type { LlamaConfig } from './config.js';

export const DEMO_CONFIG: LlamaConfig = tinyConfig({ dim: 64, hiddenDim: 128, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 16, vocabSize: 384, maxSeqLen: 2048 });

/** Writes config.json, model.safetensors, tokenizer.json and tokenizer_config.json into dir. */
export async function makeSeededDemoModel(dir: string, seed = 2023): Promise<void> {
  writeHfModel(dir, DEMO_CONFIG, seededHfTensors(DEMO_CONFIG, seed));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(llamaTokenizerJson(seededSpmVocab(DEMO_CONFIG.vocabSize))));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(llamaTokenizerConfigJson(), null, 2) + '\n');
}
