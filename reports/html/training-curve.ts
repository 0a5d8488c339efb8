// The points a training run's charts and checkpoint table show, in order: the baseline (step 0,
// before training), every scored checkpoint, and the final full-suite evaluation of the best
// checkpoint. Each comes from train.json, or, where train.json does not (yet) carry it, from the
// evals/step-N-full run directory itself, scored the way the supervisor scores (per group, the
// group's instances pooled; plus the pooled aggregate) with the same exact 95 % intervals.
import type { Decision, TaskScore } from '../../core/train-schema.js';
import type { InstanceRecord, ResultsFile } from '../../core/results-schema.js';
import { isPooledKey, mainScores, pooledByGroup, POOLED } from '../../harness/stats/aggregates.js';
import { scoreInterval } from '../../harness/stats/exact-intervals.js';
import type { TrainFile } from './train-file.js';

export type CurveKind = 'baseline' | 'checkpoint' | 'final';

export interface CurveRow {
  kind: CurveKind;
  step: number;
  /** Seconds since the run started when the scores were known (the final one: at the stop). */
  time_s: number;
  /** Group (or `pooled`) → score; train.json's `mean` key is shown as `pooled`. */
  scores: Record<string, TaskScore>;
  /** Whether the scores cover the full suite (else an adaptive sample). */
  full: boolean;
  /** Where the scores were read: "train.json" or the evaluation's directory. */
  source: string;
  decision?: Decision;
}

/** A full-suite evaluation found beside train.json, as loaded for the report. */
export interface LoadedEval {
  role: 'baseline' | 'best';
  step: number;
  dir: string;
  results: ResultsFile;
  instances: InstanceRecord[];
}

function withPooledLabel(scores: Record<string, TaskScore>): Record<string, TaskScore> {
  return Object.fromEntries(Object.entries(scores).map(([k, v]) => [isPooledKey(k) ? POOLED : k, v]));
}

function asTaskScore(scores: number[]): TaskScore {
  const s = scoreInterval(scores, 0.05);
  return { mean: s.mean, ci_low: s.ciLow, ci_high: s.ciHigh, n: s.n };
}

/** An evaluation directory's scores as train.json would record them. */
export function scoresOfEval(results: ResultsFile, instances: InstanceRecord[]): Record<string, TaskScore> {
  const out: Record<string, TaskScore> = {};
  for (const [g, xs] of Object.entries(pooledByGroup(results, instances))) out[g] = asTaskScore(xs);
  const all = mainScores(results, instances).map((s) => s.score);
  if (all.length) out[POOLED] = asTaskScore(all);
  return out;
}

export function trainingCurve(train: TrainFile, evals: LoadedEval[]): CurveRow[] {
  const rows: CurveRow[] = [];
  const baseEval = evals.find((e) => e.role === 'baseline');
  if (train.baseline) {
    rows.push({ kind: 'baseline', step: train.baseline.step, time_s: train.baseline.eval_s, scores: withPooledLabel(train.baseline.scores), full: true, source: 'train.json' });
  } else if (baseEval) {
    rows.push({ kind: 'baseline', step: baseEval.step, time_s: 0, scores: scoresOfEval(baseEval.results, baseEval.instances), full: true, source: baseEval.dir });
  }
  for (const c of train.checkpoints) {
    rows.push({ kind: 'checkpoint', step: c.step, time_s: c.time_s, scores: withPooledLabel(c.scores), full: c.full_eval ?? false, source: 'train.json', decision: c.decision });
  }
  const best = train.best;
  if (!best) return rows;
  const at = train.stop?.time_s ?? train.checkpoints.at(-1)?.time_s ?? 0;
  const bestEval = evals.find((e) => e.role === 'best');
  if (best.full_eval && best.scores) {
    rows.push({ kind: 'final', step: best.step, time_s: at, scores: withPooledLabel(best.scores), full: true, source: 'train.json' });
  } else if (bestEval) {
    rows.push({ kind: 'final', step: best.step, time_s: at, scores: scoresOfEval(bestEval.results, bestEval.instances), full: true, source: bestEval.dir });
  }
  return rows;
}
