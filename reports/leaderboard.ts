// `evalfirst leaderboard`: the organisers' final ranking of a track, from result files.
import Table from 'cli-table3';
import { leaderboard, type LeaderboardRow, type TieRule } from './leaderboard/ranking.js';
import { HIDDEN_ROUND_SCENARIOS, HIDDEN_SCENARIOS, OPEN_ROUND_SCENARIOS, OPEN_SCENARIOS } from './leaderboard/configs.js';
import { loadEntries } from './leaderboard/inputs.js';
import { tableStyle } from './terminal-style.js';
import type { Entry } from './leaderboard/ranking.js';

export type LeaderboardRule = 'final' | 'hidden-round' | 'open-round';

/**
 * "final": the final round (ties share 1/c, CNN/DailyMail not ranked).
 * "hidden-round": the Nov 10–14 hidden round (ties credited 1/c per pair, CNN/DailyMail ranked).
 * "open-round": the Oct 30 – Nov 14 open round (Accuracy/Robustness/Fairness categories, HELM's
 * position rank; ties go to the entry listed later, so only the organisers' listing order reproduces it).
 * The rounds other than "final" rank one set each; the other set's score is computed but meaningless.
 */
export function rankEntries(entries: Entry[], rule: LeaderboardRule = 'final'): LeaderboardRow[] {
  if (rule === 'open-round') return leaderboard(entries, OPEN_ROUND_SCENARIOS, HIDDEN_SCENARIOS, 'position');
  const tie: TieRule = rule === 'final' ? 'pair-share' : 'one-over-c';
  return leaderboard(entries, OPEN_SCENARIOS, rule === 'final' ? HIDDEN_SCENARIOS : HIDDEN_ROUND_SCENARIOS, tie);
}

export function rankFiles(files: string[], rule: LeaderboardRule = 'final'): LeaderboardRow[] {
  return rankEntries(loadEntries(files), rule);
}

/** Ranked columns some entries lack (they count as 0.0, or 1000.0 when lower is better): column → entries. */
export function missingColumns(entries: Entry[], rule: LeaderboardRule = 'final'): Map<string, string[]> {
  const configs =
    rule === 'open-round' ? [OPEN_ROUND_SCENARIOS] : [OPEN_SCENARIOS, rule === 'final' ? HIDDEN_SCENARIOS : HIDDEN_ROUND_SCENARIOS];
  const missing = new Map<string, string[]>();
  for (const config of configs) {
    for (const { column } of Object.values(config).flat()) {
      const lacking = entries.filter((e) => typeof e.values[column] !== 'number').map((e) => e.name);
      if (lacking.length > 0) missing.set(column, lacking);
    }
  }
  return missing;
}

/** `color` only for a terminal that wants it (colorWanted); files and pipes get plain text. */
export function renderLeaderboardTable(rows: LeaderboardRow[], options: { color?: boolean } = {}): string {
  const scenarios = [...new Set(rows.flatMap((r) => Object.keys(r.scenarios)))];
  const table = new Table({ head: ['#', 'entry', 'full', 'open', 'hidden', ...scenarios.map((s) => `${s} MWR`)], style: tableStyle(Boolean(options.color)) });
  rows.forEach((r, i) => {
    table.push([
      String(i + 1),
      r.entry,
      r.score_full.toFixed(3),
      r.score_open.toFixed(3),
      r.score_hidden.toFixed(3),
      ...scenarios.map((s) => (r.scenarios[s] === undefined ? '-' : r.scenarios[s]!.toFixed(3))),
    ]);
  });
  return table.toString();
}

export { type LeaderboardRow } from './leaderboard/ranking.js';
