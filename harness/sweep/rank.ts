// Ranking of candidates (fine-tuned compositions, or the arms that reached a sweep's last rung) by
// their scores on the same instances, with the interval of every pairwise difference corrected for
// multiplicity by Holm's step-down procedure:
//   - the m = k(k − 1)/2 pairs are ordered by an auxiliary p-value (exact McNemar for one task of
//     0/1 scores, else the stratified normal approximation);
//   - step j (1-based) tests its pair at level α/(m − j + 1): the pair is told apart when the
//     auxiliary p is at most that level AND the paired bootstrap interval (stratified by task, as
//     `compare` does) at level 1 − α/(m − j + 1) excludes 0. Requiring both keeps the exact test's
//     level where the percentile bootstrap is too narrow (few discordant pairs: 5 of 600 in one
//     direction give a bootstrap interval above 0 at 95 % although McNemar's p is 0.0625);
//   - at the first pair not told apart the procedure stops: it and every later pair are
//     "indistinguishable at this budget", their intervals given at that same level.
// Holm's family-wise bound holds for any test whose level is at most the step's (the first true
// null met is tested at level ≤ α/m0), so P(any pair of equal candidates is called different) ≤ α.
import { pairedBootstrapCI } from '../stats/bootstrap.js';
import { holmAdjust } from '../stats/holm.js';
import { mcnemarExactP } from '../stats/mcnemar.js';
import { commonInstances, headline, normalCdf, pairedDiffs, stratifiedMean, type CandidateScores } from './paired.js';

export interface PairComparison {
  /** The candidate ranked higher, and the one ranked lower. */
  better: string;
  worse: string;
  /** mean(better) − mean(worse). */
  delta: number;
  low: number;
  high: number;
  level: number;
  /** Auxiliary two-sided p-value, and its Holm adjustment over all pairs. */
  p: number;
  pHolm: number;
  distinguishable: boolean;
  /** Per task: mean difference and its 95 % paired bootstrap interval (not corrected). */
  tasks: Record<string, { delta: number; low: number; high: number; n: number }>;
}

export interface Ranking {
  order: { name: string; mean: number; rank: number }[];
  pairs: PairComparison[];
  /** Candidates not told apart from the top one (the top included). */
  tiedWithTop: string[];
  instances: number;
  alpha: number;
  summary: string[];
}

export interface RankOptions {
  alpha?: number;
  resamples?: number;
  seed?: number;
}

function auxP(a: CandidateScores, b: CandidateScores, on: Record<string, string[]>): number {
  const tasks = Object.keys(on);
  if (tasks.length === 1) {
    const t = tasks[0];
    let aOnly = 0;
    let bOnly = 0;
    let binary = true;
    for (const id of on[t]) {
      const x = a.tasks[t][id];
      const y = b.tasks[t][id];
      if ((x !== 0 && x !== 1) || (y !== 0 && y !== 1)) binary = false;
      else if (x === 1 && y === 0) aOnly++;
      else if (x === 0 && y === 1) bOnly++;
    }
    if (binary) return mcnemarExactP(aOnly, bOnly);
  }
  const { delta, se } = stratifiedMean(pairedDiffs(a, b, on));
  if (se === 0) return delta === 0 ? 1 : 0;
  return Math.min(1, 2 * (1 - normalCdf(Math.abs(delta) / se)));
}

const pct = (x: number) => `${(100 * x).toFixed(2)}`;

export function rankCandidates(cands: readonly CandidateScores[], opts: RankOptions = {}): Ranking {
  const alpha = opts.alpha ?? 0.05;
  const boot = { resamples: opts.resamples ?? 10_000, seed: opts.seed ?? 20231120 };
  if (cands.length < 2) throw new Error('rank: needs at least two candidates');
  const names = new Set(cands.map((c) => c.name));
  if (names.size !== cands.length) throw new Error('rank: candidate names must be distinct');
  const on = commonInstances(cands);
  const instances = Object.values(on).reduce((n, ids) => n + ids.length, 0);
  if (instances === 0) throw new Error('rank: the candidates share no scored instance');
  const means = cands.map((c) => headline(c, on));
  const idx = cands.map((_, i) => i).sort((i, j) => means[j] - means[i] || i - j);
  const order = idx.map((i, r) => ({ name: cands[i].name, mean: means[i], rank: r + 1 }));

  const raw: { bi: number; wi: number; p: number }[] = [];
  for (let x = 0; x < idx.length; x++) for (let y = x + 1; y < idx.length; y++) raw.push({ bi: idx[x], wi: idx[y], p: auxP(cands[idx[y]], cands[idx[x]], on) });
  const m = raw.length;
  const adjusted = holmAdjust(raw.map((r) => r.p));
  const steps = raw.map((_, k) => k).sort((a, b) => raw[a].p - raw[b].p || a - b);
  const pairs: PairComparison[] = new Array(m);
  let stoppedLevel: number | null = null;
  steps.forEach((k, j) => {
    const { bi, wi, p } = raw[k];
    const strata = pairedDiffs(cands[wi], cands[bi], on);
    const level = stoppedLevel ?? 1 - alpha / (m - j);
    const ci = pairedBootstrapCI(strata, { ...boot, level });
    const distinguishable = stoppedLevel === null && p <= 1 - level + 1e-15 && (ci.low > 0 || ci.high < 0);
    if (!distinguishable && stoppedLevel === null) stoppedLevel = level;
    const tasks: PairComparison['tasks'] = {};
    Object.keys(on).forEach((t, ti) => {
      const c = pairedBootstrapCI([strata[ti]], { ...boot, level: 0.95 });
      tasks[t] = { delta: c.delta, low: c.low, high: c.high, n: strata[ti].length };
    });
    pairs[k] = { better: cands[bi].name, worse: cands[wi].name, delta: ci.delta, low: ci.low, high: ci.high, level, p, pHolm: adjusted[k], distinguishable, tasks };
  });
  const top = order[0].name;
  const tiedWithTop = [top, ...pairs.filter((p) => p.better === top && !p.distinguishable).map((p) => p.worse)];
  const summary = pairs.map((p) =>
    p.distinguishable
      ? `${p.better} > ${p.worse}: +${pct(p.delta)} points [${pct(p.low)}, ${pct(p.high)}] at ${(100 * p.level).toFixed(2)} % (Holm)`
      : `${p.better} ≈ ${p.worse}: indistinguishable at this budget (${pct(p.delta)} points, [${pct(p.low)}, ${pct(p.high)}] at ${(100 * p.level).toFixed(2)} % covers 0)`,
  );
  return { order, pairs, tiedWithTop, instances, alpha, summary };
}
