// Scores one checkpoint: either the full suite, or adaptively (a growing nested sample that stops
// as soon as the target's verdict is settled; see adaptive.ts for the method and its guarantee).
// The Scorer also keeps the timings that feed the deadline reserve: the first checkpoint gets the
// full suite (that times the final evaluation), later ones are scored adaptively.
import { adaptivePlan, runAdaptive, withAggregate } from './adaptive.js';
import { scoreInterval } from '../stats/exact-intervals.js';
import { judgeTarget, targetTasks, type ScoreEstimate, type TargetExpr } from './target.js';
import type { CheckpointRecord, TrainState, Verdict } from '../../core/train-schema.js';

export interface CheckpointRef {
  step: number;
  path: string;
  /** A challenge-protocol server the trainer serves this checkpoint on while paused. */
  servingUrl?: string;
}

/** Per-task, per-instance main-metric scores in a fixed (nested) order, plus requests sent. */
export interface TaskScores {
  perTask: Record<string, number[]>;
  /** Requests actually sent to the model (cache hits excluded). */
  requestsSent: number;
  /** Requests the evaluation comprised in all (cached or not). */
  requestsTotal: number;
  /** Instances per run entry of the full suite (the largest run), known without sending anything. */
  fullPerRun: number;
}

/** Evaluates a checkpoint with at most `maxPerRun` instances per run entry (null: the full suite). */
export type EvaluateCheckpoint = (ckpt: CheckpointRef, maxPerRun: number | null) => Promise<TaskScores>;

export interface ScoreOutcome {
  scores: Record<string, ScoreEstimate>;
  verdict?: Verdict;
  full: boolean;
  /** Sample size per run at the last look (null: full). */
  looks: number[];
  requestsSent: number;
  requestsTotal: number;
  seconds: number;
}

export interface ScorerOptions {
  target: TargetExpr | null;
  alpha: number;
  adaptive: boolean;
  /** First look's sample size per run entry. */
  n0: number;
}

function intervals(perTask: Record<string, number[]>, delta: number): Record<string, ScoreEstimate> {
  const out: Record<string, ScoreEstimate> = {};
  for (const [task, s] of Object.entries(perTask)) out[task] = scoreInterval(s, delta);
  return withAggregate(out, perTask, delta);
}

export async function scoreCheckpoint(
  evaluate: EvaluateCheckpoint,
  ckpt: CheckpointRef,
  opts: ScorerOptions,
  mode: ScoreMode,
): Promise<ScoreOutcome> {
  const t0 = performance.now();
  const m = opts.target ? targetTasks(opts.target).length : 1;
  if (mode === 'full' || !opts.adaptive || !opts.target) {
    const r = await evaluate(ckpt, null);
    const scores = intervals(r.perTask, opts.alpha / m);
    return {
      scores,
      verdict: opts.target ? judgeTarget(opts.target, scores) : undefined,
      full: true,
      looks: [],
      requestsSent: r.requestsSent,
      requestsTotal: r.requestsTotal,
      seconds: (performance.now() - t0) / 1000,
    };
  }
  // The first look also tells the full size per run, which fixes the schedule and its δ.
  const byN = new Map<number, TaskScores>();
  const first = await evaluate(ckpt, opts.n0);
  byN.set(Math.min(opts.n0, first.fullPerRun), first);
  const plan = adaptivePlan(first.fullPerRun, opts.alpha, m, opts.n0);
  let sent = first.requestsSent;
  let total = first.requestsTotal;
  const looks = await runAdaptive(opts.target, plan, async (n) => {
    let r = byN.get(n);
    if (!r) {
      r = await evaluate(ckpt, n);
      byN.set(n, r);
      sent += r.requestsSent;
    }
    total = r.requestsTotal;
    return r.perTask;
  });
  const lookSizes = looks.map((l) => l.n);
  const last = looks[looks.length - 1];
  return {
    scores: withAggregate(last.scores, {}, plan.delta),
    verdict: last.verdict,
    full: lookSizes[lookSizes.length - 1] >= first.fullPerRun,
    looks: lookSizes,
    requestsSent: sent,
    requestsTotal: total,
    seconds: (performance.now() - t0) / 1000,
  };
}

export type ScoreMode = 'adaptive' | 'full';
export type Timing = TrainState['timing'];

/** The timings after one scoring: a full one times the final evaluation; any one gives the time per request. */
export function withTimings(timing: Timing, o: ScoreOutcome): Timing {
  const t = { ...timing };
  if (o.full) {
    t.full_eval_s = o.seconds;
    t.full_request_count = o.requestsTotal;
  }
  if (o.requestsSent > 0) t.seconds_per_request = o.seconds / o.requestsSent;
  if (!t.full_request_count || o.full) t.full_request_count = Math.max(t.full_request_count ?? 0, o.requestsTotal);
  return t;
}

/** An outcome's scores as train.json records them. */
export function recordScores(o: ScoreOutcome): CheckpointRecord['scores'] {
  return Object.fromEntries(Object.entries(o.scores).map(([k, v]) => [k, { mean: v.mean, ci_low: v.ciLow, ci_high: v.ciHigh, n: v.n }]));
}

/** `task=mean [low, high]` for each task, for the decisions log. */
export function describeScores(scores: Record<string, ScoreEstimate>): string {
  return Object.entries(scores)
    .map(([k, v]) => `${k}=${v.mean.toFixed(3)} [${v.ciLow.toFixed(3)}, ${v.ciHigh.toFixed(3)}]`)
    .join('  ');
}

/** Where the scorer keeps its timings (train.json's state: saved with it). */
export interface TimingBook {
  timing: Timing;
}

export class Scorer {
  constructor(
    private readonly evaluate: EvaluateCheckpoint,
    private readonly opts: ScorerOptions,
    private readonly book: TimingBook,
  ) {}

  /** Full until a full evaluation has been timed (the reserve needs it), then adaptive. */
  nextMode(): ScoreMode {
    return this.book.timing.full_eval_s === null ? 'full' : 'adaptive';
  }

  /** Scores a checkpoint and records the timings of the evaluation. */
  async score(ckpt: CheckpointRef, mode: ScoreMode): Promise<ScoreOutcome> {
    const o = await scoreCheckpoint(this.evaluate, ckpt, this.opts, mode);
    this.book.timing = withTimings(this.book.timing, o);
    return o;
  }
}
