// Pretrains the shipped tiny base from scratch on the mini-challenge world's prose: trains the
// byte-level BPE tokenizer, then full-parameter training of a small LLaMA on corpus documents,
// and saves an HF model folder (config.json, model.safetensors, tokenizer.json). Deterministic for a
// seed, so `npm run pretrain-base` reproduces the committed files.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LETTER_MERGES, tokenizerConfigJson, tokenizerJson, trainBpe } from '../../tasks/mini/bpe.js';
import { pretrainingCorpus } from '../../tasks/mini/corpus.js';
import { instructionRows } from '../../tasks/mini/instructions.js';
import { DEFAULT_MINI_SEED, generateWorld } from '../../tasks/mini/world.js';
import type { LlamaConfig } from '../llama/config.js';
import { saveBase } from './base-io.js';
import type { LogEntry } from './checkpoint.js';
import { alpacaPrompt, type Example } from './data.js';
import { loadTokenizer } from './finetune.js';
import { trainLoop } from './loop.js';
import { TrainModel } from './model.js';
import { TrainRng } from './rng.js';
import { initBase } from './weights.js';

export interface PretrainOptions {
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

export interface PretrainResult {
  outDir: string;
  config: LlamaConfig;
  steps: number;
  finalLoss: number;
  tokensPerSecond: number;
  elapsedSeconds: number;
  parameters: number;
}

/** Text the tokenizer is trained on: corpus documents plus the instruction data's formats. */
export function tokenizerTexts(docs: string[], worldSeed: number): string[] {
  const rows = instructionRows(generateWorld(worldSeed));
  const texts = docs.slice(0, 3000);
  for (const r of rows) texts.push('prompt' in r ? r.prompt + r.completion : alpacaPrompt(r.instruction, r.input) + r.output);
  return texts;
}

export async function pretrainTinyBase(opts: PretrainOptions): Promise<PretrainResult> {
  const o = { ...TINY_BASE_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as typeof TINY_BASE_DEFAULTS & PretrainOptions;
  const worldSeed = o.worldSeed ?? DEFAULT_MINI_SEED;
  const seed = o.seed ?? 0;
  const world = generateWorld(worldSeed);
  const docs = pretrainingCorpus(world, o.numDocs);
  const work = `${o.outDir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const bpe = trainBpe(tokenizerTexts(docs, worldSeed), o.vocabSize, 2, LETTER_MERGES);
  writeFileSync(join(work, 'tokenizer.json'), JSON.stringify(tokenizerJson(bpe)) + '\n');
  writeFileSync(join(work, 'tokenizer_config.json'), JSON.stringify(tokenizerConfigJson(o.maxSeqLen), null, 2) + '\n');
  const encode = loadTokenizer(work);
  const config: LlamaConfig = {
    dim: o.dim, hiddenDim: o.hiddenDim, nLayers: o.nLayers, nHeads: o.nHeads, nKvHeads: o.nKvHeads, headDim: o.dim / o.nHeads,
    vocabSize: bpe.vocab.size, maxSeqLen: o.maxSeqLen, normEps: 1e-5, ropeTheta: 10000, tieWordEmbeddings: false, bosId: 1, eosIds: [2], slidingWindow: null,
  };
  const examples: Example[] = [];
  docs.forEach((d, i) => {
    const ids = [1, ...encode(d), 2].slice(0, o.maxSeqLen + 1);
    examples.push({ ids: Int32Array.from(ids), promptLen: 1, line: i + 1 });
  });
  const rng = new TrainRng(seed);
  const base = initBase(config, () => rng.normal());
  const model = new TrainModel(base, null, o.maxSeqLen);
  const res = await trainLoop(model, examples, {
    outDir: join(work, 'checkpoints'),
    maxSteps: o.steps,
    maxTimeSeconds: o.maxTimeSeconds ?? null,
    checkpointEvery: o.steps + 1, // only the final state is kept
    batchSize: o.batchSize,
    lr: o.lr,
    warmupSteps: Math.round(0.05 * o.steps),
    minLrRatio: 0.1,
    adam: { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 1.0 },
    seed,
    useDropout: false,
    onLog: o.onLog,
    logEvery: 25,
  }, {}, () => {}, null);
  rmSync(join(work, 'checkpoints'), { recursive: true, force: true });
  if (res.stopReason === 'non_finite_loss') throw new Error(`pretraining diverged: ${res.error}`);
  saveBase(work, base, null, o.dtype ?? 'F32');
  rmSync(o.outDir, { recursive: true, force: true });
  renameSync(work, o.outDir);
  return {
    outDir: o.outDir, config, steps: res.step, finalLoss: res.log.at(-1)?.loss ?? NaN,
    tokensPerSecond: res.tokensPerSecond, elapsedSeconds: res.elapsedSeconds, parameters: model.params.reduce((a, p) => a + p.data.length, 0),
  };
}
