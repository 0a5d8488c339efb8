// Checkpoints: the trainable weights in PEFT (adapter_config.json + adapter_model.safetensors) or HF
// (config.json + model.safetensors + tokenizer) form, the AdamW moments (optimizer.safetensors) and
// trainer_state.json (HF Trainer's fields plus what an exact resume needs: RNG states, data order and
// position). Written into a temporary folder and renamed, so a watcher never sees a partial one;
// trainer_state.json is written last, as HF Trainer does. A checkpoint that exists is never
// rewritten (it may have been scored already): writing one again is an error.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { Param } from './train-model.js';
import type { AdamWState } from './optimizer.js';
import { readAllF32, writeF32Tensors } from './tensor-io.js';

export interface LogEntry {
  step: number;
  loss: number;
  learning_rate: number;
  grad_norm: number;
  tokens: number;
  elapsed_s: number;
}

/** What an exact resume restores besides weights and moments. */
export interface ResumeState {
  version: 1;
  step: number;
  epoch: number;
  /** Index into `order` of the next example. */
  position: number;
  order: number[];
  dataRng: number[];
  dropoutRng: number[];
  /** Options and data fingerprint the run must match to resume. */
  fingerprint: Record<string, unknown>;
  tokensSeen: number;
}

export interface CheckpointPayload {
  params: Param[];
  optimizer: AdamWState;
  state: ResumeState;
  log: LogEntry[];
  maxSteps: number;
  /** Writes the weight files (adapter or full model) into the folder. */
  writeWeights(dir: string): void;
}

export function checkpointName(step: number): string {
  return `checkpoint-${step}`;
}

/** The step of a `checkpoint-STEP` folder name, or null. */
export function checkpointStepOf(name: string): number | null {
  const m = /^checkpoint-(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** The checkpoint-STEP folders of an output folder (complete or not), by step. */
export function listCheckpoints(outDir: string): { step: number; path: string }[] {
  if (!existsSync(outDir)) return [];
  return readdirSync(outDir)
    .map((name) => ({ step: checkpointStepOf(name), path: join(outDir, name) }))
    .filter((c): c is { step: number; path: string } => c.step !== null)
    .sort((a, b) => a.step - b.step);
}

/** The highest-step checkpoint of an output folder that reads as complete (trainer_state.json with resume state), or null. */
export function latestCompleteCheckpoint(outDir: string): string | null {
  for (const c of listCheckpoints(outDir).reverse()) {
    try {
      readCheckpoint(c.path);
      return c.path;
    } catch {
      // incomplete or foreign: look at the one before
    }
  }
  return null;
}

export function writeCheckpoint(outDir: string, p: CheckpointPayload): string {
  mkdirSync(outDir, { recursive: true });
  const final = join(outDir, checkpointName(p.state.step));
  if (existsSync(final)) throw new UserError(`${final} exists already; a checkpoint is never rewritten (it may have been scored): resume from the latest one or choose another output folder`);
  const tmp = join(outDir, `.${checkpointName(p.state.step)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  p.writeWeights(tmp);
  const moments = new Map<string, { data: Float32Array; shape: number[] }>();
  p.params.forEach((param, i) => {
    moments.set(`${param.name}.exp_avg`, { data: p.optimizer.m[i]!, shape: param.shape });
    moments.set(`${param.name}.exp_avg_sq`, { data: p.optimizer.v[i]!, shape: param.shape });
  });
  writeF32Tensors(join(tmp, 'optimizer.safetensors'), moments, 'F32', { format: 'pt', step: String(p.optimizer.step) });
  const trainerState = {
    global_step: p.state.step,
    max_steps: p.maxSteps,
    epoch: p.state.epoch + p.state.position / Math.max(1, p.state.order.length),
    log_history: p.log,
    num_input_tokens_seen: p.state.tokensSeen,
    evalfirst: p.state,
  };
  writeFileSync(join(tmp, 'trainer_state.json'), JSON.stringify(trainerState) + '\n');
  renameSync(tmp, final); // fails (ENOTEMPTY) if another writer made it meanwhile
  return final;
}

export interface LoadedCheckpoint {
  state: ResumeState;
  log: LogEntry[];
  /** Restores the moments into optimizer state aligned with params. */
  restoreOptimizer(params: Param[], opt: AdamWState): void;
}

export function readCheckpoint(dir: string): LoadedCheckpoint {
  const statePath = join(dir, 'trainer_state.json');
  if (!existsSync(statePath)) throw new UserError(`${dir}: not a complete checkpoint (no trainer_state.json)`);
  let ts: { log_history?: LogEntry[]; evalfirst?: ResumeState };
  try {
    ts = JSON.parse(readFileSync(statePath, 'utf8'));
  } catch (e) {
    throw new UserError(`${statePath}: not valid JSON (${(e as Error).message})`);
  }
  if (!ts.evalfirst || ts.evalfirst.version !== 1) throw new UserError(`${statePath}: no evalfirst resume state (was this checkpoint written by evalfirst finetune?)`);
  const state = ts.evalfirst;
  return {
    state,
    log: ts.log_history ?? [],
    restoreOptimizer(params, opt) {
      const path = join(dir, 'optimizer.safetensors');
      const t = readAllF32(path);
      params.forEach((p, i) => {
        const m = t.get(`${p.name}.exp_avg`);
        const v = t.get(`${p.name}.exp_avg_sq`);
        if (!m || !v || m.data.length !== p.data.length || v.data.length !== p.data.length) throw new UserError(`${path}: no moments of the right size for "${p.name}"`);
        opt.m[i]!.set(m.data);
        opt.v[i]!.set(v.data);
      });
      opt.step = state.step;
    },
  };
}
