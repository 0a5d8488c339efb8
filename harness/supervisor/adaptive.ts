// Adaptive evaluation of intermediate checkpoints.
//
// Method. Each task's eval instances are visited in a seeded random order that is the same for
// every checkpoint; HELM's own selection (numpy RandomState(0).choice(N, k) = permutation(N)[:k])
// is nested in k, so "the first n instances" of a run entry is a uniform random subset and a
// larger look re-uses every answer of the smaller ones (through the request cache). The sample
// grows on a geometric schedule n0, 2·n0, 4·n0, … up to the full size N: K looks in all. At every
// look each task in the target gets an exact interval (Clopper–Pearson for 0/1 scores, Hoeffding
// for [0,1] scores) at level δ = α / (K · m), m = number of tasks in the target. Evaluation stops at
// the first look where the target's verdict is "met" or "not_met" (see target.ts).
//
// Guarantee. By the union bound over the K looks and m tasks, with probability ≥ 1 − α every
// interval computed during the checkpoint's evaluation covers the task's true accuracy (the
// accuracy over the population the instances are drawn from), so the decision "met"/"not_met"
// is wrong with probability ≤ α per checkpoint, however early it is taken. "undecided" at the last
// look is not an error: the supervisor treats it as "not met yet".
import { judgeTarget, targetTasks, type ScoreEstimate, type TargetExpr } from './target.js';
import type { Verdict } from '../../core/train-schema.js';
import { scoreInterval } from '../stats/exact-intervals.js';
import { POOLED } from '../stats/aggregates.js';

export interface AdaptivePlan {
  /** Sample sizes per task at each look, increasing, the last equal to the full size. */
  looks: number[];
  /** Per-interval miss probability δ. */
  delta: number;
}

/** The geometric schedule n0, 2n0, …, N and the Bonferroni-split δ. */
export function adaptivePlan(fullSize: number, alpha: number, tasksInTarget: number, n0 = 16): AdaptivePlan {
  const looks: number[] = [];
  for (let n = Math.min(n0, fullSize); n < fullSize; n *= 2) looks.push(n);
  looks.push(fullSize);
  return { looks, delta: alpha / (looks.length * Math.max(1, tasksInTarget)) };
}

export interface LookResult {
  n: number;
  verdict: Verdict;
  scores: Record<string, ScoreEstimate>;
}

/**
 * Runs the sequential procedure given a way to get the scores of the first n instances of every
 * task (`scoresAt(n)` → task → per-instance scores in the fixed order). Returns every look taken.
 */
export async function runAdaptive(
  target: TargetExpr,
  plan: AdaptivePlan,
  scoresAt: (n: number) => Promise<Record<string, number[]>>,
): Promise<LookResult[]> {
  const looks: LookResult[] = [];
  for (const n of plan.looks) {
    const raw = await scoresAt(n);
    const perTask: Record<string, ScoreEstimate> = {};
    for (const [task, s] of Object.entries(raw)) perTask[task] = scoreInterval(s, plan.delta);
    // The aggregate is judged on and recorded, as for a full evaluation.
    const scores = withAggregate(perTask, raw, plan.delta);
    const verdict = judgeTarget(target, scores);
    looks.push({ n, verdict, scores });
    if (verdict !== 'undecided') break;
  }
  return looks;
}

/** Adds the pseudo-task `pooled` (all instances of all tasks in one sample) for aggregate targets. */
export function withAggregate(scores: Record<string, ScoreEstimate>, raw: Record<string, number[]>, delta: number): Record<string, ScoreEstimate> {
  if (POOLED in scores) return scores;
  const all = Object.values(raw).flat();
  return all.length ? { ...scores, [POOLED]: scoreInterval(all, delta) } : scores;
}

export { targetTasks };
