// train.json: the supervisor's record of a run, rewritten atomically after every decision so a
// report can be drawn from it at any moment and `--resume` continues where a killed run stopped.
import { existsSync, readFileSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointRecord, StopReason } from './stop-rules.js';
import { UserError } from '../user-error.js';

export interface TrainState {
  version: 1;
  startedAt: string;
  /** Absolute deadline, seconds after startedAt. */
  deadline_s: number;
  target: string | null;
  config: Record<string, unknown>;
  checkpoints: CheckpointRecord[];
  stop: { reason: StopReason; step: number | null; time_s: number; detail: string } | null;
  best: { step: number; path: string; scores?: CheckpointRecord['scores']; full_eval?: boolean } | null;
  /** The model before training, scored on the full suite (when asked for). */
  baseline?: { step: number; path: string; scores: CheckpointRecord['scores']; eval_s: number };
  /** Timings that feed the reserve estimate. */
  timing: { full_eval_s: number | null; seconds_per_request: number | null; full_request_count: number | null; checkpoint_save_s: number };
  trainer: { pid: number | null; exit_code: number | null; signal: string | null; crashed: boolean; killed?: boolean; exited_s?: number | null } | null;
}

export function trainJsonPath(runDir: string): string {
  return join(runDir, 'train.json');
}

export function newState(deadlineS: number, target: string | null, config: Record<string, unknown>): TrainState {
  return {
    version: 1,
    startedAt: new Date().toISOString(),
    deadline_s: deadlineS,
    target,
    config,
    checkpoints: [],
    stop: null,
    best: null,
    timing: { full_eval_s: null, seconds_per_request: null, full_request_count: null, checkpoint_save_s: 0 },
    trainer: null,
  };
}

export function loadState(runDir: string): TrainState {
  const p = trainJsonPath(runDir);
  if (!existsSync(p)) throw new UserError(`--resume ${runDir}: no train.json there (is it a training run directory?)`);
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as TrainState;
  } catch (e) {
    throw new UserError(`${p}: not valid JSON (${(e as Error).message})`);
  }
}

export function saveState(runDir: string, state: TrainState): void {
  const p = trainJsonPath(runDir);
  writeFileSync(`${p}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${p}.tmp`, p);
}

/** One line per decision, with its numbers, in decisions.log. */
export function logDecision(runDir: string, line: string): void {
  appendFileSync(join(runDir, 'decisions.log'), `${new Date().toISOString()} ${line}\n`);
}
