// The data behind the HTML report, gathered from run directories (results.json + instances.jsonl,
// and train.json for a training run). Pure data: page.ts renders it, charts.ts draws it.
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { InstanceRecord, ResultsFile } from '../../core/results-schema.js';
import { readInstancesFile, readResultsFile, type RunDir } from '../../core/run-dir.js';
import { compareRuns, type CompareReport } from '../../harness/compare/compare-runs.js';
import { normalInterval, wilsonInterval } from '../../harness/stats/intervals.js';
import { readTrainFile, type TrainFile } from './train-file.js';
import type { TaskBar } from './charts.js';
import { rankEntries, type LeaderboardRow } from '../leaderboard.js';
import { parseEvalfirstResults } from '../leaderboard/inputs.js';

export interface ReportRun {
  label: string;
  dir: string;
  results: ResultsFile | null;
  instances: InstanceRecord[];
  train: TrainFile | null;
}

export interface LeaderboardLine {
  label: string;
  /** Unweighted mean of the group main-metric means (HELM-style aggregate of what was run). */
  mean: number;
  groups: Record<string, number>;
}

export interface ReportModel {
  runs: ReportRun[];
  bars: TaskBar[];
  groups: string[];
  leaderboard: LeaderboardLine[];
  /** The challenge's win-rate ranking (final-round rule) of these runs, when ≥ 2 have challenge groups. */
  challenge: LeaderboardRow[] | null;
  comparison: { report: CompareReport | null; note: string | null } | null;
  createdAt: string;
}

function uniqueLabels(dirs: string[]): string[] {
  const base = dirs.map((d) => basename(resolve(d)) || d);
  return base.map((b, i) => (base.filter((x) => x === b).length > 1 ? `${b} (${i + 1})` : b));
}

export async function loadReportRun(dir: string, label: string): Promise<ReportRun> {
  const hasResults = existsSync(join(dir, 'results.json'));
  const train = readTrainFile(dir);
  if (!hasResults && !train) throw new UserError(`${dir}: neither results.json nor train.json there (not a run directory)`);
  const results = hasResults ? readResultsFile(dir) : null;
  const instances = hasResults && existsSync(join(dir, 'instances.jsonl')) ? await readInstancesFile(join(dir, 'instances.jsonl')) : [];
  return { label, dir, results, instances, train };
}

/** Per-task bars: Wilson interval when the task's instance scores are 0/1, else mean ± 1.96·stderr. */
export function taskBars(run: ReportRun): TaskBar[] {
  if (!run.results) return [];
  return run.results.runs.flatMap((r) => {
    const stat = r.metrics[r.mainMetric];
    if (!stat || !Number.isFinite(stat.mean)) return [];
    const scores = run.instances.filter((i) => i.runName === r.name && i.perturbation === null).map((i) => i.scores[r.mainMetric]);
    const binary = scores.length > 0 && scores.every((s) => s === 0 || s === 1);
    const ci = binary && stat.count > 0 ? wilsonInterval(Math.round(stat.mean * stat.count), stat.count) : normalInterval(stat.mean, stat.stderr);
    return [{ run: run.label, task: r.name, metric: r.mainMetric, mean: stat.mean, low: Math.max(0, ci.low), high: Math.min(1, ci.high), n: stat.count }];
  });
}

function groupMeans(results: ResultsFile): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of results.groups ?? []) {
    const m = g.metrics[g.mainMetric];
    if (m && Number.isFinite(m.mean)) out[g.group] = m.mean;
  }
  if (Object.keys(out).length) return out;
  // No group aggregates written: average run means per group (HELM summarize).
  const acc = new Map<string, number[]>();
  for (const r of results.runs) {
    const m = r.metrics[r.mainMetric]?.mean;
    if (m === undefined || !Number.isFinite(m)) continue;
    for (const g of r.groups.length ? r.groups : [r.scenario]) acc.set(g, [...(acc.get(g) ?? []), m]);
  }
  for (const [g, xs] of acc) out[g] = xs.reduce((s, x) => s + x, 0) / xs.length;
  return out;
}

export async function buildReportModel(runDirs: string[]): Promise<ReportModel> {
  if (runDirs.length === 0) throw new UserError('report: give at least one run directory');
  const labels = uniqueLabels(runDirs);
  const runs = await Promise.all(runDirs.map((d, i) => loadReportRun(d, labels[i])));
  const bars = runs.flatMap(taskBars);
  const withResults = runs.filter((r) => r.results);
  const leaderboard = withResults
    .map((r) => {
      const groups = groupMeans(r.results!);
      const vals = Object.values(groups);
      return { label: r.label, groups, mean: vals.length ? vals.reduce((s, x) => s + x, 0) / vals.length : NaN };
    })
    .sort((a, b) => (Number.isNaN(b.mean) ? -1 : b.mean - a.mean));
  const groups = [...new Set(leaderboard.flatMap((l) => Object.keys(l.groups)))].sort();
  let comparison: ReportModel['comparison'] = null;
  if (withResults.length === 2) {
    const [a, b] = withResults.map((r): RunDir => ({ dir: r.label, results: r.results!, instances: r.instances }));
    try {
      comparison = { report: compareRuns(a, b, { resamples: 2000 }), note: null };
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      try {
        comparison = { report: compareRuns(a, b, { unpaired: true, resamples: 2000 }), note: `Compared unpaired: ${err.message}` };
      } catch (err2) {
        if (!(err2 instanceof UserError)) throw err2;
        comparison = { report: null, note: err2.message };
      }
    }
  }
  const entries = withResults.map((r) => parseEvalfirstResults(r.results!, r.label, r.dir)).filter((e) => Object.keys(e.values).length > 0);
  const challenge = entries.length >= 2 ? rankEntries(entries, 'final') : null;
  return { runs, bars, groups, leaderboard, challenge, comparison, createdAt: new Date().toISOString() };
}
