// Run- and group-level aggregation as HELM: the instance mean of each metric over the main split;
// with canonical augmentation the worst case per instance over {original, perturbed variants of one
// kind} (metric.py compute_worst_case_metrics); a run-level metric (Metric.aggregate) gives one value
// from the main split's unperturbed requests instead (evaluate_instances per context); per group the
// unweighted mean over runs of each run's mean (summarize.py merges one take_mean() stat per run).
import type { RequestState, RunSpec } from '../run-spec.js';
import type { Completion } from '../../core/request.js';
import type { Metric } from './metric.js';
import type { GroupResult, MetricStat, RunResult } from '../../core/results-schema.js';

export type PerturbationKind = 'robustness' | 'fairness';

export interface ScoredRequest {
  state: RequestState;
  /** Every completion the request got (what run-level metrics read). */
  completions: readonly Completion[];
  /** Per-request metric name → score. */
  scores: Record<string, number>;
}

/** mean, and stderr = sample std / sqrt(n) (0 when n < 2). */
export function meanStat(values: number[]): MetricStat {
  const n = values.length;
  if (n === 0) return { mean: NaN, stderr: 0, count: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, stderr: 0, count: n };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { mean, stderr: Math.sqrt(variance / n), count: n };
}

/** The perturbation kind a request was made under, or null for the original instance. */
export function perturbationKind(state: RequestState): PerturbationKind | null {
  const p = state.perturbation ?? state.instance.meta?.perturbation;
  if (p === undefined || p === null || p === '') return null;
  if (p === 'robustness' || p === 'fairness') return p;
  throw new Error(`run ${state.runName}, instance ${state.instance.id}: unknown perturbation "${String(p)}"`);
}

export function robustnessName(metric: string): string {
  return `${metric} (robustness)`;
}

export function fairnessName(metric: string): string {
  return `${metric} (fairness)`;
}

interface InstanceScores {
  original: number | null;
  robustness: number[];
  fairness: number[];
}

/** Worst case per instance over the original and every variant of one kind (min; higher is better). */
function worstCase(s: InstanceScores, kind: PerturbationKind): number | null {
  const values = s[kind].slice();
  if (s.original !== null) values.push(s.original);
  return values.length === 0 ? null : Math.min(...values);
}

/** A run-level metric's value as one statistic (HELM: one Stat per trial, count 1). */
function runLevelStat(metric: Metric & { aggregate: NonNullable<Metric['aggregate']> }, main: ScoredRequest[]): MetricStat | null {
  const value = metric.aggregate(main.filter((r) => perturbationKind(r.state) === null));
  if (value === null) return null;
  return typeof value === 'number' ? { mean: value, stderr: 0, count: 1 } : { mean: NaN, stderr: 0, count: 0, note: value.note };
}

/** Per-metric statistics of one run over its main split. */
export function aggregateRun(runSpec: RunSpec, records: ScoredRequest[]): Record<string, MetricStat> {
  const main = records.filter((r) => r.state.instance.split === runSpec.mainSplit);
  const out: Record<string, MetricStat> = {};
  for (const m of runSpec.metrics) {
    if (m.aggregate) {
      const stat = runLevelStat(m as Metric & { aggregate: NonNullable<Metric['aggregate']> }, main);
      if (stat) out[m.name] = stat;
      continue;
    }
    const metric = m.name;
    const perInstance = new Map<string, InstanceScores>();
    for (const { state, scores } of main) {
      const value = scores[metric];
      if (value === undefined) continue;
      const id = state.instance.id;
      let entry = perInstance.get(id);
      if (!entry) perInstance.set(id, (entry = { original: null, robustness: [], fairness: [] }));
      const kind = perturbationKind(state);
      if (kind === null) {
        if (entry.original !== null) throw new Error(`run ${runSpec.name}: instance ${id} scored twice unperturbed`);
        entry.original = value;
      } else {
        entry[kind].push(value);
      }
    }
    const originals = [...perInstance.values()].flatMap((s) => (s.original === null ? [] : [s.original]));
    if (originals.length > 0) out[metric] = meanStat(originals);
    if (runSpec.dataAugmentation !== 'canonical') continue;
    for (const kind of ['robustness', 'fairness'] as const) {
      const worst = [...perInstance.values()].flatMap((s) => {
        const w = worstCase(s, kind);
        return w === null ? [] : [w];
      });
      if (worst.length > 0) out[kind === 'robustness' ? robustnessName(metric) : fairnessName(metric)] = meanStat(worst);
    }
  }
  return out;
}

/** Per group (in order of first appearance): the unweighted mean over runs of each metric's run mean. */
export function aggregateGroups(runs: RunResult[]): GroupResult[] {
  const byGroup = new Map<string, RunResult[]>();
  for (const run of runs) {
    for (const group of run.groups) {
      const list = byGroup.get(group) ?? [];
      list.push(run);
      byGroup.set(group, list);
    }
  }
  const results: GroupResult[] = [];
  for (const [group, groupRuns] of byGroup) {
    const names = [...new Set(groupRuns.flatMap((r) => Object.keys(r.metrics)))];
    const metrics: GroupResult['metrics'] = {};
    for (const name of names) {
      const withStat = groupRuns.flatMap((r) => {
        const s = r.metrics[name];
        return s && s.count > 0 && Number.isFinite(s.mean) ? [s] : [];
      });
      if (withStat.length === 0) continue;
      const stat = meanStat(withStat.map((s) => s.mean));
      metrics[name] = {
        mean: stat.mean,
        stderr: stat.stderr,
        count: withStat.reduce((a, s) => a + s.count, 0),
        runs: withStat.length,
      };
    }
    results.push({ group, mainMetric: groupRuns[0]!.mainMetric, metrics });
  }
  return results;
}
