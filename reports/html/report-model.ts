// The data behind the HTML report, gathered from run directories (results.json + instances.jsonl,
// and train.json for a training run). Pure data: page.ts renders it, charts.ts draws it.
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { InstanceRecord, ResultsFile } from '../../core/results-schema.js';
import { readInstancesFile, readResultsFile, type RunDir } from '../../core/run-dir.js';
import { compareRuns, type CompareReport } from '../../harness/compare/compare-runs.js';
import { normalInterval, wilsonInterval } from '../../harness/stats/intervals.js';
import { macroMean, pooledMean, type PooledMean } from '../../harness/stats/aggregates.js';
import { readTrainFile, trainingEvalDirs, type TrainFile, type TrainingEval } from './train-file.js';
import { trainingCurve, type CurveRow, type LoadedEval } from './training-curve.js';
import type { TaskBar } from './charts.js';
import { rankEntries, type LeaderboardRow } from '../leaderboard.js';
import { parseEvalfirstResults } from '../leaderboard/inputs.js';

export interface ReportRun {
  label: string;
  dir: string;
  results: ResultsFile | null;
  instances: InstanceRecord[];
  train: TrainFile | null;
  /** A training run's full-suite evaluation, found from its train.json: which run, which one. */
  of?: { training: string; role: TrainingEval['role']; step: number };
  /** A training run's baseline, checkpoints and final evaluation (charts and table). */
  curve?: CurveRow[];
}

export interface LeaderboardLine {
  label: string;
  /** harness/stats/aggregates.ts `macroMean`: the unweighted mean of the group main-metric means. */
  macro: number;
  /** harness/stats/aggregates.ts `pooledMean`: every main-split instance of every run pooled. */
  pooled: PooledMean;
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

/** Labels unique within the report: a repeated one gets its position appended. */
function uniqueLabels(labels: string[]): string[] {
  return labels.map((b, i) => (labels.filter((x) => x === b).length > 1 ? `${b} (${i + 1})` : b));
}

export async function loadReportRun(dir: string, label: string): Promise<ReportRun> {
  const hasResults = existsSync(join(dir, 'results.json'));
  const train = readTrainFile(dir);
  if (!hasResults && !train) throw new UserError(`${dir}: neither results.json nor train.json there (not a run directory)`);
  const results = hasResults ? readResultsFile(dir) : null;
  const instances = hasResults && existsSync(join(dir, 'instances.jsonl')) ? await readInstancesFile(join(dir, 'instances.jsonl')) : [];
  return { label, dir, results, instances, train };
}

/**
 * The run directories given, each training run (train.json, no results.json of its own) followed by
 * the full-suite evaluations its train.json names (baseline, best checkpoint); a directory given
 * twice, or given and also found, appears once. So `evalfirst report RUN` and the report.html that
 * `train` writes of RUN list the same evaluations.
 */
async function loadRuns(runDirs: string[]): Promise<ReportRun[]> {
  const given = await Promise.all(runDirs.map((d) => loadReportRun(d, basename(resolve(d)) || d)));
  const runs: ReportRun[] = [];
  const seen = new Map<string, ReportRun>();
  const add = (r: ReportRun) => {
    const key = resolve(r.dir);
    const before = seen.get(key);
    if (before) before.of ??= r.of;
    else {
      seen.set(key, r);
      runs.push(r);
    }
  };
  const trainings = given.filter((r) => r.train && !r.results).length;
  for (const run of given) {
    add(run);
    if (!run.train || run.results) continue;
    const found = trainingEvalDirs(run.dir, run.train);
    const evals = await Promise.all(found.map((e) => loadReportRun(e.dir, `${trainings > 1 ? `${run.label} ` : ''}${e.role} (step ${e.step})`)));
    evals.forEach((r, i) => add({ ...r, of: { training: run.label, role: found[i].role, step: found[i].step } }));
    const loaded: LoadedEval[] = evals.flatMap((r, i) => (r.results ? [{ ...found[i], results: r.results, instances: r.instances }] : []));
    run.curve = trainingCurve(run.train, loaded);
  }
  for (const run of runs) if (run.train && !run.curve) run.curve = trainingCurve(run.train, []);
  const labels = uniqueLabels(runs.map((r) => r.label));
  runs.forEach((r, i) => (r.label = labels[i]));
  return runs;
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

export async function buildReportModel(runDirs: string[]): Promise<ReportModel> {
  if (runDirs.length === 0) throw new UserError('report: give at least one run directory');
  const runs = await loadRuns(runDirs);
  const bars = runs.flatMap(taskBars);
  const withResults = runs.filter((r) => r.results);
  const leaderboard = withResults
    .map((r): LeaderboardLine => {
      const { mean, groups } = macroMean(r.results!);
      return { label: r.label, groups, macro: mean, pooled: pooledMean(r.results!, r.instances) };
    })
    .sort((a, b) => (Number.isNaN(b.macro) ? -1 : Number.isNaN(a.macro) ? 1 : b.macro - a.macro));
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
