// Reading and writing train.json (its shape: core/train-schema.ts), rewritten atomically after every
// decision so a report can be drawn from it at any moment and `--resume` continues where a killed run stopped.
import { existsSync, readFileSync, appendFileSync } from 'node:fs';
import { writeJsonAtomic } from '../../core/atomic-write.js';
import { join } from 'node:path';
import { upgradeTrainState, type TrainState } from '../../core/train-schema.js';
import { UserError } from '../../core/errors.js';

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
    // An older file's aggregate `mean` is read as `pooled`.
    return upgradeTrainState(JSON.parse(readFileSync(p, 'utf8')) as TrainState);
  } catch (e) {
    throw new UserError(`${p}: not valid JSON (${(e as Error).message})`);
  }
}

export function saveState(runDir: string, state: TrainState): void {
  writeJsonAtomic(trainJsonPath(runDir), state);
}

/** One line per decision, with its numbers, in decisions.log. */
export function logDecision(runDir: string, line: string): void {
  appendFileSync(join(runDir, 'decisions.log'), `${new Date().toISOString()} ${line}\n`);
}
