// The terminal table of a results.json: one row per run (its main metric, robustness/fairness when
// present, counts, errors) and one per leaderboard group.
import Table from 'cli-table3';
import { tableStyle } from './terminal-style.js';
import type { MetricStat, ResultsFile } from '../core/results-schema.js';

export function formatStat(s: MetricStat | undefined): string {
  if (!s || s.count === 0 || !Number.isFinite(s.mean)) return '-';
  return s.count > 1 ? `${s.mean.toFixed(3)} ± ${s.stderr.toFixed(3)}` : s.mean.toFixed(3);
}

/** `color: false` keeps the text plain (tests, non-TTY output). */
export function renderResultsTable(results: ResultsFile, options: { color?: boolean } = {}): string {
  const style = tableStyle(Boolean(options.color));
  const runs = new Table({ head: ['run', 'metric', 'value ± se', 'robustness', 'fairness', 'n', 'requests', 'errors'], style });
  for (const r of results.runs) {
    runs.push([
      r.name,
      r.mainMetric,
      formatStat(r.metrics[r.mainMetric]),
      formatStat(r.metrics[`${r.mainMetric} (robustness)`]),
      formatStat(r.metrics[`${r.mainMetric} (fairness)`]),
      String(r.metrics[r.mainMetric]?.count ?? 0),
      String(r.numRequests),
      String(r.numErrors),
    ]);
  }
  let out = runs.toString();
  if (results.groups.length > 0) {
    const groups = new Table({ head: ['group', 'metric', 'mean over runs', 'robustness', 'fairness', 'runs'], style });
    for (const g of results.groups) {
      const main = g.metrics[g.mainMetric];
      groups.push([
        g.group,
        g.mainMetric,
        formatStat(main),
        formatStat(g.metrics[`${g.mainMetric} (robustness)`]),
        formatStat(g.metrics[`${g.mainMetric} (fairness)`]),
        String(main?.runs ?? 0),
      ]);
    }
    out += `\n${groups.toString()}`;
  }
  return out;
}

/** "3 requests failed; first: ..." lines for the end of a run, or '' when none did. */
export function renderErrorSummary(results: ResultsFile): string {
  const { count, first } = results.errors;
  if (count === 0) return '';
  const lines = [`${count} request${count === 1 ? '' : 's'} ended in error; first ${first.length}:`];
  for (const e of first) lines.push(`  ${e.runName} ${e.instanceId}: ${e.message}`);
  return lines.join('\n');
}

/** What the reader of a run should know though nothing failed: answers cut to max_tokens, runs with no instance. */
export function renderWarnings(results: ResultsFile): string {
  const lines: string[] = [];
  const t = results.truncated;
  if (t && t.count > 0) {
    lines.push(`warning: ${t.count} answer${t.count === 1 ? ' was' : 's were'} longer than max_new_tokens and ${t.count === 1 ? 'was' : 'were'} cut to it before scoring (flagged "truncated" in instances.jsonl; the server ignores max_new_tokens, and HELM would have scored the whole answer); first ${t.first.length}:`);
    for (const a of t.first) lines.push(`  ${a.runName} ${a.instanceId}: ${a.tokens} tokens for max_new_tokens ${a.maxTokens}`);
  }
  for (const w of results.warnings ?? []) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

