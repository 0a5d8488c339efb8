// Reads a training run's train.json (written by the supervisor) for the report's training views.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { parseTarget, type TargetExpr } from '../../harness/supervisor/target.js';
import { checkpointEvalDir } from '../../harness/supervisor/checkpoint-eval.js';
import { upgradeTrainState, type TrainState } from '../../core/train-schema.js';

/** The parts of train.json (core/train-schema.ts) the report draws: checked on read, since a run may be mid-write by an older version. */
export type TrainFile = Pick<TrainState, 'target' | 'checkpoints' | 'stop' | 'best'> & Partial<Pick<TrainState, 'baseline'>>;

export function readTrainFile(dir: string): TrainFile | null {
  const file = join(dir, 'train.json');
  if (!existsSync(file)) return null;
  let data: Partial<TrainState>;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as Partial<TrainState>;
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data.checkpoints)) throw new UserError(`${file}: expected a "checkpoints" array`);
  data.checkpoints.forEach((c, i) => {
    if (typeof c?.step !== 'number' || typeof c.time_s !== 'number' || typeof c.scores !== 'object' || c.scores === null)
      throw new UserError(`${file}: checkpoints[${i}] needs numeric "step", "time_s" and a "scores" object`);
  });
  upgradeTrainState(data); // an older file's aggregate `mean` is shown as `pooled`
  return { target: data.target ?? null, checkpoints: data.checkpoints, stop: data.stop ?? null, best: data.best ?? null, baseline: data.baseline };
}

/** A full-suite evaluation of a training run: its baseline (step 0) or its best checkpoint. */
export interface TrainingEval {
  role: 'baseline' | 'best';
  step: number;
  dir: string;
}

/**
 * The full-suite evaluations a training run keeps under evals/step-N-full (with results.json): the
 * baseline and the best checkpoint's final evaluation. What the run's report lists beside train.json.
 */
export function trainingEvalDirs(runDir: string, train: TrainFile): TrainingEval[] {
  const wanted: Omit<TrainingEval, 'dir'>[] = [{ role: 'baseline', step: train.baseline?.step ?? 0 }];
  if (train.best) wanted.push({ role: 'best', step: train.best.step });
  const out: TrainingEval[] = [];
  for (const w of wanted) {
    const dir = checkpointEvalDir(runDir, w.step, null);
    if (existsSync(join(dir, 'results.json')) && !out.some((o) => o.dir === dir)) out.push({ ...w, dir });
  }
  return out;
}

/** task → threshold of each comparison in the target expression (e.g. "mmlu >= 0.6 && gsm >= 0.3"). */
export function targetThresholds(target: string | null | undefined): { task: string; op: string; threshold: number }[] {
  if (!target) return [];
  let expr: TargetExpr;
  try {
    expr = parseTarget(target);
  } catch {
    return [];
  }
  const out: { task: string; op: string; threshold: number }[] = [];
  const walk = (e: TargetExpr): void => {
    if (e.kind === 'cmp') out.push({ task: e.task, op: e.op, threshold: e.threshold });
    else e.parts.forEach(walk);
  };
  walk(expr);
  return out;
}
