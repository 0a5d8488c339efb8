// Scores of one candidate (a sweep arm at a rung, or a fine-tuned composition) on evaluation
// instances, and paired comparisons of two candidates on the instances both were scored on.
// The headline is HELM's aggregate: the unweighted mean over tasks of each task's mean score.
import { binomialHalfCdf } from '../stats/mcnemar.js';
import { erfc } from '../stats/intervals.js';

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

function binary(strata: readonly Float64Array[], a: CandidateScores, b: CandidateScores, on: Record<string, string[]>): { aOnly: number; bOnly: number } | null {
  if (strata.length !== 1) return null;
  const t = Object.keys(on)[0];
  let aOnly = 0;
  let bOnly = 0;
  for (const id of on[t]) {
    const x = a.tasks[t][id];
    const y = b.tasks[t][id];
    if ((x !== 0 && x !== 1) || (y !== 0 && y !== 1)) return null;
    if (x === 1 && y === 0) aOnly++;
    else if (x === 0 && y === 1) bOnly++;
  }
  return { aOnly, bOnly };
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
export function worseTest(a: CandidateScores, b: CandidateScores, on: Record<string, string[]>): OneSidedTest {
  const strata = pairedDiffs(a, b, on);
  const { delta, se } = stratifiedMean(strata);
  const bin = binary(strata, a, b, on);
  if (bin) return { delta, p: bin.aOnly + bin.bOnly === 0 ? 1 : binomialHalfCdf(bin.aOnly, bin.aOnly + bin.bOnly), method: 'sign' };
  if (se === 0) return { delta, p: delta > 0 ? 0 : 1, method: 'normal' };
  return { delta, p: 1 - normalCdf(delta / se), method: 'normal' };
}
