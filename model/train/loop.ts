// The training loop shared by fine-tuning and pretraining: seeded data order (a fresh permutation
// per epoch), gradient accumulation over `batchSize` sequences, AdamW with warmup + cosine, global
// norm clipping, periodic atomic checkpoints with a continue/stop callback, a wall-clock limit, and
// a stop on a non-finite loss that keeps the last good checkpoint. Everything that influences the
// weights is in the checkpoint, so a resumed run reproduces an uninterrupted one bit for bit.
import { UserError } from '../../core/errors.js';
import { writeCheckpoint, type LoadedCheckpoint, type LogEntry, type ResumeState } from './checkpoint.js';
import { exampleTensors, type Example } from './training-data.js';
import type { TrainModel } from './train-model.js';
import { adamwUpdate, gradNorm, initAdamW, type AdamWOptions } from './optimizer.js';
import { Rng } from '../../kernels/rng.js';
import { learningRate } from './schedule.js';

export type CheckpointDecision = 'continue' | 'stop';
export type StopReason = 'max_steps' | 'max_time' | 'callback' | 'non_finite_loss';

export interface LoopOptions {
  outDir: string;
  maxSteps: number;
  maxTimeSeconds: number | null;
  checkpointEvery: number;
  batchSize: number;
  lr: number;
  warmupSteps: number;
  minLrRatio: number;
  adam: AdamWOptions;
  seed: number;
  /** Dropout draws masks only when the model has LoRA dropout. */
  useDropout: boolean;
  /** After each save; `saveS`: the seconds writing the checkpoint took. */
  onCheckpoint?: (step: number, path: string, saveS?: number) => Promise<CheckpointDecision> | CheckpointDecision;
  onLog?: (entry: LogEntry) => void;
  logEvery: number;
  /** The folder resumed from, reported through onCheckpoint before the first step (null: none). */
  reportResumePoint?: string | null;
}

export interface LoopResult {
  step: number;
  stopReason: StopReason;
  /** Set when stopReason is non_finite_loss. */
  error: string | null;
  checkpoints: string[];
  lastCheckpoint: string | null;
  log: LogEntry[];
  tokensPerSecond: number;
  elapsedSeconds: number;
}

export async function trainLoop(model: TrainModel, examples: Example[], o: LoopOptions, fingerprint: Record<string, unknown>, writeWeights: (dir: string) => void, resume: LoadedCheckpoint | null): Promise<LoopResult> {
  if (examples.length === 0) throw new Error('no training examples');
  const optimizer = initAdamW(model.params);
  let state: ResumeState;
  let dataRng: Rng;
  let dropoutRng: Rng;
  let log: LogEntry[] = [];
  if (resume) {
    state = structuredClone(resume.state);
    for (const [k, v] of Object.entries(fingerprint)) {
      if (JSON.stringify(state.fingerprint[k]) !== JSON.stringify(v)) {
        throw new UserError(`cannot resume: ${k} was ${JSON.stringify(state.fingerprint[k])} in the checkpoint, now ${JSON.stringify(v)}`);
      }
    }
    resume.restoreOptimizer(model.params, optimizer);
    dataRng = Rng.fromState(state.dataRng);
    dropoutRng = Rng.fromState(state.dropoutRng);
    log = resume.log.slice();
  } else {
    dataRng = new Rng(o.seed);
    dropoutRng = new Rng((o.seed ^ 0x6a09e667) >>> 0);
    state = { version: 1, step: 0, epoch: 0, position: 0, order: dataRng.permutation(examples.length), dataRng: [], dropoutRng: [], fingerprint, tokensSeen: 0 };
  }
  const schedule = { lr: o.lr, warmupSteps: o.warmupSteps, totalSteps: o.maxSteps, minLrRatio: o.minLrRatio };
  const checkpoints: string[] = [];
  let lastCheckpoint: string | null = null;
  const t0 = performance.now();
  let tokens = 0;
  const elapsed = () => (performance.now() - t0) / 1000;
  const save = async (): Promise<CheckpointDecision> => {
    state.dataRng = dataRng.state();
    state.dropoutRng = dropoutRng.state();
    const saveStarted = performance.now();
    const path = writeCheckpoint(o.outDir, { params: model.params, optimizer, state, log, maxSteps: o.maxSteps, writeWeights });
    const saveS = (performance.now() - saveStarted) / 1000;
    checkpoints.push(path);
    lastCheckpoint = path;
    return o.onCheckpoint ? await o.onCheckpoint(state.step, path, saveS) : 'continue';
  };
  const result = (stopReason: StopReason, error: string | null = null): LoopResult => ({
    step: state.step, stopReason, error, checkpoints, lastCheckpoint, log,
    tokensPerSecond: tokens / Math.max(1e-9, elapsed()), elapsedSeconds: elapsed(),
  });
  if (resume && o.reportResumePoint && o.onCheckpoint) {
    lastCheckpoint = o.reportResumePoint;
    // The resume point was saved by an earlier run: no save time to report.
    if ((await o.onCheckpoint(state.step, o.reportResumePoint)) === 'stop') return result('callback');
  }
  let lossSum = 0;
  let lossCount = 0;
  while (state.step < o.maxSteps) {
    const step = state.step + 1;
    model.zeroGrads();
    let stepLoss = 0;
    let stepTokens = 0;
    for (let micro = 0; micro < o.batchSize; micro++) {
      if (state.position >= state.order.length) {
        state.epoch++;
        state.position = 0;
        state.order = dataRng.permutation(examples.length);
      }
      const ex = examples[state.order[state.position]!]!;
      state.position++;
      const { inputs, targets, mask, T } = exampleTensors(ex);
      model.forward(inputs, T, o.useDropout ? dropoutRng : null);
      const loss = model.loss(targets, mask, T);
      if (!Number.isFinite(loss)) {
        return result('non_finite_loss', `loss is ${loss} at step ${step} (example from line ${ex.line}); stopped, last good checkpoint: ${lastCheckpoint ?? 'none'}`);
      }
      model.backward(inputs, targets, mask, T, 1 / o.batchSize, true);
      stepLoss += loss / o.batchSize;
      stepTokens += T;
    }
    const lr = learningRate(step, schedule);
    const preNorm = gradNorm(model.params);
    if (!Number.isFinite(preNorm)) {
      return result('non_finite_loss', `gradient norm is ${preNorm} at step ${step}; stopped before the update, last good checkpoint: ${lastCheckpoint ?? 'none'}`);
    }
    const norm = adamwUpdate(model.params, optimizer, o.adam, lr);
    state.step = step;
    state.tokensSeen += stepTokens;
    tokens += stepTokens;
    lossSum += stepLoss;
    lossCount++;
    if (step % o.logEvery === 0 || step === o.maxSteps) {
      const entry: LogEntry = { step, loss: lossSum / lossCount, learning_rate: lr, grad_norm: norm, tokens: state.tokensSeen, elapsed_s: Math.round(elapsed() * 1000) / 1000 };
      log.push(entry);
      o.onLog?.(entry);
      lossSum = 0;
      lossCount = 0;
    }
    const outOfTime = o.maxTimeSeconds !== null && elapsed() >= o.maxTimeSeconds;
    if (step % o.checkpointEvery === 0 || step === o.maxSteps || outOfTime) {
      const decision = await save();
      if (decision === 'stop') return result('callback');
    }
    if (outOfTime && step < o.maxSteps) return result('max_time');
  }
  return result('max_steps');
}
