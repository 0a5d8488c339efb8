// The organisers' ranking (perlitz/private-helm neurIPS_eval_scripts/rank_submissions.py and
// combin_ranks.py): per-metric win rate among a track's entries, mean per scenario, geometric mean
// over scenarios (zeros → smallest positive double), final = 1/3 open + 2/3 hidden.

export interface MetricColumn {
  /** The organisers' column name, e.g. "MMLU - EM (Robustness)". */
  column: string;
  lowerIsBetter: boolean;
}

/** Scenario name → its columns, in the organisers' order. */
export type ScenarioConfig = Record<string, MetricColumn[]>;

/**
 * How ties are treated:
 * - "pair-share": each tied pair credits 1/(c(c-1)) (commit b6b2f3da, the final ranking), so a tie
 *   group of c shares 1/c; divided by N;
 * - "one-over-c": each tied pair credits 1/c (commit 15c764fa, the hidden round of Nov 10–14); by N;
 * - "position": HELM's own rank, position in sorted((value, index)) / (N - 1) (commit 5f6f8638, the
 *   open round): a tie goes to the entry listed later, so the result depends on the input order.
 */
export type TieRule = 'pair-share' | 'one-over-c' | 'position';

export interface Entry {
  name: string;
  /** column → value; null or absent is "missing". */
  values: Record<string, number | null | undefined>;
  /** column → why the entry has no value (from an evalfirst results.json), for the user. */
  notes?: Record<string, string>;
}

/** calc_win_rate: for each value, wins over the others (ties credited per TieRule), divided by N. */
export function winRates(values: number[], lowerIsBetter: boolean, tie: TieRule = 'pair-share'): number[] {
  if (tie === 'position') return positionWinRates(values, lowerIsBetter);
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return values.map((v, i) => {
    let wins = 0;
    values.forEach((w, j) => {
      if (i === j) return;
      if (lowerIsBetter ? v < w : v > w) wins += 1;
      else if (v === w) {
        const c = counts.get(v)!;
        wins += tie === 'pair-share' ? 1 / (c * (c - 1)) : 1 / c;
      }
    });
    return wins / values.length;
  });
}

/** for wins, (v, j) in enumerate(sorted(values, reverse=lower_is_better)): wins / (N - 1); 1.0 alone. */
export function positionWinRates(values: number[], lowerIsBetter: boolean): number[] {
  const n = values.length;
  const order = values.map((v, j) => [v, j] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (lowerIsBetter) order.reverse();
  const rates = new Array<number>(n);
  order.forEach(([, j], position) => {
    rates[j] = n > 1 ? position / (n - 1) : 1.0;
  });
  return rates;
}

/** Python statistics.geometric_mean (exp of the mean log). */
export function geometricMean(values: number[]): number {
  return Math.exp(values.reduce((a, v) => a + Math.log(v), 0) / values.length);
}

export interface TrackScore {
  entry: string;
  score: number;
  /** scenario → mean win rate */
  scenarios: Record<string, number>;
}

/** rank_results: per-entry mean win rate per scenario and the geometric-mean score. */
export function rankTrack(entries: Entry[], config: ScenarioConfig, tie: TieRule = 'pair-share'): TrackScore[] {
  const perScenario = entries.map(() => ({}) as Record<string, number>);
  for (const [scenario, columns] of Object.entries(config)) {
    const rates = entries.map(() => [] as number[]);
    for (const { column, lowerIsBetter } of columns) {
      const fallback = lowerIsBetter ? 1000.0 : 0.0;
      const values = entries.map((e) => {
        const v = e.values[column];
        return typeof v === 'number' ? v : fallback;
      });
      winRates(values, lowerIsBetter, tie).forEach((w, k) => rates[k]!.push(w));
    }
    rates.forEach((r, k) => {
      perScenario[k]![scenario] = r.reduce((a, b) => a + b, 0) / r.length;
    });
  }
  return entries.map((e, k) => {
    const means = Object.values(perScenario[k]!).map((v) => (v > 0 ? v : Number.MIN_VALUE));
    return { entry: e.name, score: means.length > 0 ? geometricMean(means) : 0, scenarios: perScenario[k]! };
  });
}

export const OPEN_WEIGHT = 1 / 3;
export const HIDDEN_WEIGHT = 2 / 3;

export interface LeaderboardRow {
  entry: string;
  score_open: number;
  score_hidden: number;
  score_full: number;
  scenarios: Record<string, number>;
}

/** Open and hidden scores among the same entries, combined as combin_ranks.py; best first. */
export function leaderboard(
  entries: Entry[],
  open: ScenarioConfig,
  hidden: ScenarioConfig,
  tie: TieRule = 'pair-share',
): LeaderboardRow[] {
  const o = rankTrack(entries, open, tie);
  const h = rankTrack(entries, hidden, tie);
  const rows = entries.map((e, k) => ({
    entry: e.name,
    score_open: o[k]!.score,
    score_hidden: h[k]!.score,
    score_full: OPEN_WEIGHT * o[k]!.score + HIDDEN_WEIGHT * h[k]!.score,
    scenarios: { ...o[k]!.scenarios, ...h[k]!.scenarios },
  }));
  // Stable sort, as Python's sorted(..., reverse=True) keeps the input order of equal scores.
  return rows.sort((a, b) => b.score_full - a.score_full);
}
