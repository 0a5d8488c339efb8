// Scores one checkpoint: either the full suite, or adaptively (a growing nested sample that stops
// as soon as the target's verdict is settled; see adaptive.ts for the method and its guarantee).
import { adaptivePlan, runAdaptive, withAggregate } from './adaptive.js';
import { scoreInterval } from '../stats/exact-intervals.js';
import { judgeTarget, targetTasks, type ScoreEstimate, type TargetExpr } from './target.js';
import type { Verdict } from '../../core/train-schema.js';

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
  mode: 'adaptive' | 'full',
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
