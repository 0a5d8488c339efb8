// Scores of one candidate (a sweep arm at a rung, or a fine-tuned composition) on evaluation
// instances, and paired comparisons of two candidates on the instances both were scored on.
// The headline is HELM's aggregate: the unweighted mean over tasks of each task's mean score.
import { binomialHalfCdf } from '../stats/mcnemar.js';
import { clopperPearson } from '../stats/exact-intervals.js';
import { erfc, zForLevel } from '../stats/intervals.js';

/** task (run) → instance id → score in [0, 1]. */
export type TaskScores = Record<string, Record<string, number>>;

export interface CandidateScores {
  name: string;
  tasks: TaskScores;
}

/** Per task, the instance ids every candidate was scored on, sorted (tasks no one shares are dropped). */
export function commonInstances(cands: readonly CandidateScores[]): Record<string, string[]> {
  if (cands.length === 0) return {};
  const out: Record<string, string[]> = {};
  for (const task of Object.keys(cands[0].tasks).sort()) {
    const ids = Object.keys(cands[0].tasks[task]).filter((id) => cands.every((c) => c.tasks[task] && id in c.tasks[task]));
    if (ids.length > 0) out[task] = ids.sort();
  }
  return out;
}

/** Mean over tasks of the task means, on the given instances. */
export function headline(c: CandidateScores, on: Record<string, string[]>): number {
  const tasks = Object.keys(on);
  if (tasks.length === 0) return NaN;
  let s = 0;
  for (const t of tasks) {
    let u = 0;
    for (const id of on[t]) u += c.tasks[t][id];
    s += u / on[t].length;
  }
  return s / tasks.length;
}

/** Per task, b_i − a_i on the given instances (the strata of a paired comparison). */
export function pairedDiffs(a: CandidateScores, b: CandidateScores, on: Record<string, string[]>): Float64Array[] {
  return Object.keys(on).map((t) => Float64Array.from(on[t], (id) => b.tasks[t][id] - a.tasks[t][id]));
}

export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** δ = mean over strata of the stratum mean, and its standard error (strata independent). */
export function stratifiedMean(strata: readonly Float64Array[]): { delta: number; se: number; n: number } {
  const k = strata.length;
  let delta = 0;
  let variance = 0;
  let n = 0;
  for (const d of strata) {
    const m = d.length;
    n += m;
    let s = 0;
    for (const x of d) s += x;
    const mean = s / m;
    let ss = 0;
    for (const x of d) ss += (x - mean) ** 2;
    delta += mean / k;
    // Sample variance of the stratum mean (0 for a single instance: it contributes no spread estimate).
    if (m > 1) variance += ss / (m - 1) / m / (k * k);
  }
  return { delta, se: Math.sqrt(variance), n };
}

/** A candidate's scores on the given instances, task by task (the order of `on`), read once for many tests. */
export interface ScoreVectors {
  tasks: Float64Array[];
  /** Every score is 0 or 1. */
  binary: boolean;
}

export function scoreVectors(c: CandidateScores, on: Record<string, string[]>): ScoreVectors {
  const tasks = Object.keys(on).map((t) => Float64Array.from(on[t], (id) => c.tasks[t][id]));
  return { tasks, binary: tasks.every((v) => v.every((x) => x === 0 || x === 1)) };
}

export interface OneSidedTest {
  /** mean(B − A) as aggregated (over tasks). */
  delta: number;
  /** p-value of H0: μ_A ≥ μ_B against μ_A < μ_B. */
  p: number;
  method: 'sign' | 'normal';
}

/**
 * One-sided paired test that A is worse than B. One task of 0/1 scores: the exact sign test on the
 * discordant pairs (McNemar's, one-sided: under μ_A = μ_B the instances A alone gets right are
 * Binomial(discordant, 1/2), fewer when μ_A < μ_B). Otherwise the stratified normal approximation.
 */
export function worseTestOn(a: ScoreVectors, b: ScoreVectors): OneSidedTest {
  const strata = a.tasks.map((x, t) => {
    const y = b.tasks[t];
    const d = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) d[i] = y[i] - x[i];
    return d;
  });
  const { delta, se } = stratifiedMean(strata);
  if (strata.length === 1 && a.binary && b.binary) {
    let aOnly = 0;
    let bOnly = 0;
    for (const d of strata[0]) {
      if (d < 0) aOnly++;
      else if (d > 0) bOnly++;
    }
    return { delta, p: aOnly + bOnly === 0 ? 1 : binomialHalfCdf(aOnly, aOnly + bOnly), method: 'sign' };
  }
  if (se === 0) return { delta, p: delta > 0 ? 0 : 1, method: 'normal' };
  return { delta, p: 1 - normalCdf(delta / se), method: 'normal' };
}

export function worseTest(a: CandidateScores, b: CandidateScores, on: Record<string, string[]>): OneSidedTest {
  return worseTestOn(scoreVectors(a, on), scoreVectors(b, on));
}

/** Clopper–Pearson bounds by (right, n): the same counts recur across arms and rungs, and each costs a bisection over binomial tails. */
const exactIntervals = new Map<number, [number, number]>();
function exact95(k: number, n: number): [number, number] {
  const key = n * 1_000_003 + k;
  let ci = exactIntervals.get(key);
  if (!ci) {
    if (exactIntervals.size > 100_000) exactIntervals.clear();
    exactIntervals.set(key, (ci = clopperPearson(k, n, 0.05)));
  }
  return ci;
}

export interface HeadlineInterval {
  mean: number;
  /** 95 % interval: Clopper–Pearson for one task of 0/1 scores, else normal with the stratified standard error. */
  ciLow: number;
  ciHigh: number;
  se: number;
  n: number;
}

/** A candidate's headline on its own instances (or `on`), with its interval. */
export function headlineInterval(c: CandidateScores, on: Record<string, string[]> = commonInstances([c])): HeadlineInterval {
  const mean = headline(c, on);
  const tasks = Object.keys(on);
  const vectors = tasks.map((t) => Float64Array.from(on[t], (id) => c.tasks[t][id]));
  const n = vectors.reduce((a, v) => a + v.length, 0);
  const { se } = stratifiedMean(vectors);
  if (tasks.length === 1 && vectors[0].every((v) => v === 0 || v === 1)) {
    const [ciLow, ciHigh] = exact95(vectors[0].reduce((a, b) => a + b, 0), n);
    return { mean, ciLow, ciHigh, se, n };
  }
  const z = zForLevel(0.95);
  return { mean, ciLow: Math.max(0, mean - z * se), ciHigh: Math.min(1, mean + z * se), se, n };
}
