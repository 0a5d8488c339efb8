// Pretrains a small LLaMA from scratch on a list of documents with a given tokenizer: full-parameter
// training, then an HF model folder (config.json, model.safetensors, tokenizer.json). Deterministic
// for a seed. The shipped tiny base is this over the mini-challenge corpus (tasks/mini/tiny-base.ts).
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LlamaConfig } from '../llama/config.js';
import { saveBase } from './base-io.js';
import type { LogEntry } from './checkpoint.js';
import type { Example } from './training-data.js';
import { loadTokenizer } from './finetune.js';
import { trainLoop } from './loop.js';
import { TrainModel } from './train-model.js';
import { Rng } from '../../kernels/rng.js';
import { initBase } from './train-weights.js';

export interface ModelShape {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  maxSeqLen: number;
}

export interface PretrainOptions extends ModelShape {
  outDir: string;
  /** Training documents, one sequence each (BOS + tokens + EOS, cut at maxSeqLen + 1). */
  docs: string[];
  /** The tokenizer files written into the model folder: tokenizer.json and tokenizer_config.json contents. */
  tokenizer: { json: string; config: string; vocabSize: number };
  seed: number;
  steps: number;
  batchSize: number;
  lr: number;
  maxTimeSeconds?: number | null;
  dtype?: 'F32' | 'F16';
  onLog?: (e: LogEntry) => void;
}

export interface PretrainResult {
  outDir: string;
  config: LlamaConfig;
  steps: number;
  finalLoss: number;
  tokensPerSecond: number;
  elapsedSeconds: number;
  parameters: number;
}

export async function pretrainBase(o: PretrainOptions): Promise<PretrainResult> {
  const work = `${o.outDir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'tokenizer.json'), o.tokenizer.json);
  writeFileSync(join(work, 'tokenizer_config.json'), o.tokenizer.config);
  const encode = loadTokenizer(work);
  const config: LlamaConfig = {
    dim: o.dim, hiddenDim: o.hiddenDim, nLayers: o.nLayers, nHeads: o.nHeads, nKvHeads: o.nKvHeads, headDim: o.dim / o.nHeads,
    vocabSize: o.tokenizer.vocabSize, maxSeqLen: o.maxSeqLen, normEps: 1e-5, ropeTheta: 10000, tieWordEmbeddings: false, bosId: 1, eosIds: [2], slidingWindow: null,
  };
  const examples: Example[] = [];
  o.docs.forEach((d, i) => {
    const ids = [1, ...encode(d), 2].slice(0, o.maxSeqLen + 1);
    examples.push({ ids: Int32Array.from(ids), promptLen: 1, line: i + 1 });
  });
  const rng = new Rng(o.seed);
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
    seed: o.seed,
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
