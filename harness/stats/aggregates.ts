// The two one-number aggregates of an evaluation, defined once and labelled the same everywhere
// (report, terminal, train.json, targets):
//
//   pooled: the mean of the main metric over every main-split, unperturbed instance of every run,
//           all pooled into one sample (a request that failed counts as 0). Large runs weigh more.
//           What `evalfirst train --target "pooled >= x"` (alias `mean`) decides on; train.json
//           records it as `pooled` (files written before the rename: `mean`).
//   macro:  the unweighted mean over groups of each group's main-metric mean, where a group's mean
//           is the unweighted mean of its runs' means (HELM's summarize; errored requests are left
//           out of a run's mean, as the runner aggregates). Every group weighs the same.
//
// Both read results.json and instances.jsonl only (core/results-schema.ts).
import type { InstanceRecord, ResultsFile } from '../../core/results-schema.js';
import { LEGACY_POOLED_TASK, POOLED_TASK } from '../../core/train-schema.js';

export const POOLED = POOLED_TASK;
export const MACRO = 'macro';
export const POOLED_DEFINITION = 'the mean of the main metric over all main-split, unperturbed instances of all runs, pooled (a failed request counts as 0)';
export const MACRO_DEFINITION = "the unweighted mean over groups of each group's main-metric mean (a group's mean is the mean of its runs' means, as HELM summarizes)";

/** Keys under which train.json (and older ones) record the pooled aggregate beside the groups. */
const POOLED_KEYS = new Set([POOLED, LEGACY_POOLED_TASK]);

/** Whether a score key of train.json is the pooled aggregate rather than a group. */
export function isPooledKey(key: string): boolean {
  return POOLED_KEYS.has(key);
}

/** One scored eval instance: its run's groups and its main-metric score. */
export interface MainScore {
  runName: string;
  instanceId: string;
  groups: string[];
  score: number;
}

/** The main-metric score of every main-split, unperturbed instance, in record order (errors score 0). */
export function mainScores(results: ResultsFile, records: InstanceRecord[]): MainScore[] {
  const runs = new Map(results.runs.map((r) => [r.name, r]));
  const out: MainScore[] = [];
  for (const rec of records) {
    const run = runs.get(rec.runName);
    if (!run || rec.perturbation !== null || rec.split !== run.mainSplit) continue;
    const score = rec.error ? 0 : rec.scores[run.mainMetric];
    if (score === undefined) continue;
    out.push({ runName: rec.runName, instanceId: rec.instanceId, groups: run.groups.length ? run.groups : [run.scenario], score });
  }
  return out;
}

export interface PooledMean {
  /** NaN when no instance was scored. */
  mean: number;
  n: number;
}

export function pooledMean(results: ResultsFile, records: InstanceRecord[]): PooledMean {
  const scores = mainScores(results, records);
  const sum = scores.reduce((s, x) => s + x.score, 0);
  return { mean: scores.length ? sum / scores.length : NaN, n: scores.length };
}

/** Per group, the scores of its instances pooled (what train.json's per-group checkpoint scores are). */
export function pooledByGroup(results: ResultsFile, records: InstanceRecord[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const s of mainScores(results, records)) for (const g of s.groups) (out[g] ??= []).push(s.score);
  return out;
}

/** Each group's main-metric mean: results.json's group aggregates, else the mean of its runs' means. */
export function groupMeans(results: ResultsFile): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of results.groups ?? []) {
    const m = g.metrics[g.mainMetric];
    if (m && Number.isFinite(m.mean)) out[g.group] = m.mean;
  }
  if (Object.keys(out).length) return out;
  const runMeans = new Map<string, number[]>();
  for (const r of results.runs) {
    const m = r.metrics[r.mainMetric]?.mean;
    if (m === undefined || !Number.isFinite(m)) continue;
    for (const g of r.groups.length ? r.groups : [r.scenario]) runMeans.set(g, [...(runMeans.get(g) ?? []), m]);
  }
  for (const [g, xs] of runMeans) out[g] = mean(xs);
  return out;
}

export interface MacroMean {
  /** NaN when no group has a value. */
  mean: number;
  groups: Record<string, number>;
}

export function macroMean(results: ResultsFile): MacroMean {
  const groups = groupMeans(results);
  return { mean: mean(Object.values(groups)), groups };
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN;
}
