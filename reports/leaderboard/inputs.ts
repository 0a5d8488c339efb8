// Leaderboard inputs: the organisers' result files (a JSON list of [entry_name, {column: value}])
// and evalfirst results.json files, both turned into entries keyed by the organisers' column names.
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { GroupResult, ResultsFile } from '../../core/results-schema.js';
import type { Entry } from './ranking.js';
import { metricTitle } from '../../tasks/metrics/metric.js';
import type { RunGroup } from '../../tasks/run-spec.js';
import { SCENARIO_MODULES } from '../../tasks/scenarios/all.js';

/**
 * evalfirst group → its run group as the scenario declares it: the title (HELM schema display name)
 * is the organisers' scenario title, and its main metric's short display name their metric's.
 */
const TITLED_GROUPS: ReadonlyMap<string, RunGroup> = new Map(
  SCENARIO_MODULES.flatMap((m) => m.runGroups).flatMap((g) => (g.title ? [[g.name, g] as const] : [])),
);

/**
 * HELM's bias metrics in the organisers' tables: the "bias" metric group of schema.yaml lists the
 * profession associations and the representation metrics, under these short display names
 * (lower is better). The adjective associations are computed by HELM but in no table.
 */
export const BIAS_COLUMN_TITLES: Record<string, string> = {
  'bias_metric:mode=associations,demographic_category=race,target_category=profession': 'Stereotypes (race)',
  'bias_metric:mode=associations,demographic_category=gender,target_category=profession': 'Stereotypes (gender)',
  'bias_metric:mode=representation,demographic_category=race': 'Representation (race)',
  'bias_metric:mode=representation,demographic_category=gender': 'Representation (gender)',
};

/** A derived key the organisers' files carry and the leaderboard recomputes. */
export function isDerivedKey(key: string): boolean {
  return key.startsWith('Score') || key.endsWith('Mean Win Rate');
}

/** The organisers' columns of one evalfirst group: main metric, its robustness/fairness worst cases, and the bias metrics. */
export function groupColumns(group: GroupResult): Record<string, number> {
  const runGroup = TITLED_GROUPS.get(group.group);
  if (!runGroup || runGroup.mainMetric.name !== group.mainMetric) return {};
  const column = `${runGroup.title} - ${metricTitle(runGroup.mainMetric)}`;
  const out: Record<string, number> = {};
  const put = (metric: string, suffix: string) => {
    const stat = group.metrics[metric];
    if (stat && Number.isFinite(stat.mean)) out[`${column}${suffix}`] = stat.mean;
  };
  put(group.mainMetric, '');
  put(`${group.mainMetric} (robustness)`, ' (Robustness)');
  put(`${group.mainMetric} (fairness)`, ' (Fairness)');
  for (const [metric, short] of Object.entries(BIAS_COLUMN_TITLES)) {
    const stat = group.metrics[metric];
    if (stat && Number.isFinite(stat.mean)) out[`${runGroup.title} - ${short}`] = stat.mean;
  }
  return out;
}

/** Why a run of the results file has no value for a column (its metric's note), by column. */
export function columnNotes(data: ResultsFile): Record<string, string> {
  const notes: Record<string, string> = {};
  for (const run of data.runs ?? []) {
    for (const group of run.groups) {
      const title = TITLED_GROUPS.get(group)?.title;
      if (!title) continue;
      for (const [metric, short] of Object.entries(BIAS_COLUMN_TITLES)) {
        const note = run.metrics?.[metric]?.note;
        if (note) notes[`${title} - ${short}`] = note;
      }
    }
  }
  return notes;
}

/** The organisers' file format: entries with their numeric columns; derived keys dropped. */
export function parseOrganiserResults(data: unknown, file: string): Entry[] {
  if (!Array.isArray(data)) throw new UserError(`${file}: expected a JSON list of [entry_name, {metric: value}] pairs`);
  return data.map((item, i) => {
    if (!Array.isArray(item) || item.length !== 2 || typeof item[0] !== 'string' || typeof item[1] !== 'object' || item[1] === null) {
      throw new UserError(`${file}: item ${i} is not an [entry_name, {metric: value}] pair`);
    }
    const values: Record<string, number | null> = {};
    for (const [key, value] of Object.entries(item[1] as Record<string, unknown>)) {
      if (isDerivedKey(key)) continue;
      if (value !== null && typeof value !== 'number') {
        throw new UserError(`${file}: entry "${item[0]}", metric "${key}": expected a number or null, got ${JSON.stringify(value)}`);
      }
      values[key] = value;
    }
    // combin_ranks.py pairs an open entry "X" with the hidden entry "X_hidden".
    return { name: item[0].replace(/_hidden$/, ''), values };
  });
}

export function parseEvalfirstResults(data: ResultsFile, name: string, file: string): Entry {
  if (!Array.isArray(data.groups)) throw new UserError(`${file}: results.json has no "groups" list`);
  const values: Record<string, number> = {};
  for (const g of data.groups) Object.assign(values, groupColumns(g));
  const notes = columnNotes(data);
  return Object.keys(notes).length > 0 ? { name, values, notes } : { name, values };
}

/** "NAME=PATH" names the entry; otherwise a results.json is named after its run directory. */
export function splitNamedPath(arg: string): { name: string | null; path: string } {
  const eq = arg.indexOf('=');
  return eq > 0 ? { name: arg.slice(0, eq), path: arg.slice(eq + 1) } : { name: null, path: arg };
}

function defaultEntryName(path: string): string {
  const file = basename(path);
  return file === 'results.json' ? basename(dirname(resolve(path))) : basename(file, extname(file));
}

/** Reads every file; entries with the same name (e.g. an open and a hidden run) are merged. */
export function loadEntries(args: string[]): Entry[] {
  const merged = new Map<string, Entry>();
  for (const arg of args) {
    const { name, path } = splitNamedPath(arg);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new UserError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
    }
    let entries: Entry[];
    if (Array.isArray(data)) entries = parseOrganiserResults(data, path);
    else if (data && typeof data === 'object' && 'groups' in data) {
      entries = [parseEvalfirstResults(data as ResultsFile, name ?? defaultEntryName(path), path)];
    } else throw new UserError(`${path}: neither an evalfirst results.json nor an organisers' result list`);
    for (const e of entries) {
      const prev = merged.get(e.name);
      merged.set(e.name, prev ? { name: e.name, values: { ...prev.values, ...e.values }, notes: { ...prev.notes, ...e.notes } } : e);
    }
  }
  return [...merged.values()];
}
