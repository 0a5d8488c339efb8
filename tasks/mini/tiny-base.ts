// The shipped tiny base: a small LLaMA pretrained from scratch on the mini-challenge world's prose,
// with a byte-level BPE tokenizer trained on that prose and the instruction formats (every name,
// value and place of the world one token). Deterministic for a seed, so `npm run pretrain-base` reproduces the
// committed files in model/assets/tiny-base.
import type { LogEntry } from '../../model/train/checkpoint.js';
import { alpacaPrompt } from '../../model/train/training-data.js';
import { pretrainBase, type PretrainResult } from '../../model/train/pretrain.js';
import { LETTER_MERGES, tokenizerConfigJson, tokenizerJson, trainBpe, wordMerges } from './bpe.js';
import { pretrainingCorpus } from './corpus.js';
import { instructionRows } from './instructions.js';
import { DEFAULT_MINI_SEED, PLACES, generateWorld } from './world.js';

export interface TinyBaseOptions {
  outDir: string;
  worldSeed?: number;
  seed?: number;
  vocabSize?: number;
  dim?: number;
  hiddenDim?: number;
  nLayers?: number;
  nHeads?: number;
  nKvHeads?: number;
  maxSeqLen?: number;
  numDocs?: number;
  steps?: number;
  batchSize?: number;
  lr?: number;
  maxTimeSeconds?: number | null;
  dtype?: 'F32' | 'F16';
  onLog?: (e: LogEntry) => void;
}

export const TINY_BASE_DEFAULTS = {
  vocabSize: 768, dim: 64, hiddenDim: 192, nLayers: 2, nHeads: 4, nKvHeads: 2, maxSeqLen: 256,
  numDocs: 6000, steps: 1200, batchSize: 8, lr: 1e-2,
} as const;

/** Text the tokenizer is trained on: corpus documents plus the instruction data's formats. */
export function tokenizerTexts(docs: string[], worldSeed: number): string[] {
  const rows = instructionRows(generateWorld(worldSeed));
  const texts = docs.slice(0, 3000);
  for (const r of rows) texts.push('prompt' in r ? r.prompt + r.completion : alpacaPrompt(r.instruction, r.input) + r.output);
  return texts;
}

/**
 * Merges made before the learned ones: the letters (a multiple-choice answer is one token) and the
 * places of every split (the instruction data holds only the train split's places, so frequency
 * alone would leave a valid or test passage's place in byte pieces while a train passage's is one
 * token).
 */
export const FORCED_MERGES: [string, string][] = [...LETTER_MERGES, ...wordMerges(Object.values(PLACES).flat())];

export async function pretrainTinyBase(opts: TinyBaseOptions): Promise<PretrainResult> {
  const o = { ...TINY_BASE_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as typeof TINY_BASE_DEFAULTS & TinyBaseOptions;
  const worldSeed = o.worldSeed ?? DEFAULT_MINI_SEED;
  const docs = pretrainingCorpus(generateWorld(worldSeed), o.numDocs);
  const bpe = trainBpe(tokenizerTexts(docs, worldSeed), o.vocabSize, 2, FORCED_MERGES);
  return pretrainBase({
    ...o,
    docs,
    seed: o.seed ?? 0,
    tokenizer: {
      json: JSON.stringify(tokenizerJson(bpe)) + '\n',
      config: JSON.stringify(tokenizerConfigJson(o.maxSeqLen), null, 2) + '\n',
      vocabSize: bpe.vocab.size,
    },
  });
}
