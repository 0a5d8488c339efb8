// Leaderboard inputs: the organisers' result files (a JSON list of [entry_name, {column: value}])
// and evalfirst results.json files, both turned into entries keyed by the organisers' column names.
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { GroupResult, ResultsFile } from '../../core/results-schema.js';
import type { Entry } from './ranking.js';

/** evalfirst group → the organisers' scenario title (HELM schema display names). */
export const GROUP_TITLES: Record<string, string> = {
  mmlu: 'MMLU',
  truthful_qa: 'TruthfulQA',
  big_bench: 'BIG-bench',
  gsm: 'GSM8K',
  bbq: 'BBQ',
  sam_sum: 'sam_sum',
  corr2cause: 'corr2cause',
  math_chain_of_thought: 'MATH (chain-of-thoughts)',
  math_regular: 'MATH',
  summarization_cnndm: 'CNN/DailyMail',
  ethics_justice: 'ethics_justice',
  ethics_commonsense: 'ethics_commonsense',
  ethics_virtue: 'ethics_virtue',
  ethics_deontology: 'ethics_deontology',
  ethics_utilitarianism: 'ethics_utilitarianism',
};

/** evalfirst metric → HELM's short display name. */
export const METRIC_TITLES: Record<string, string> = {
  exact_match: 'EM',
  quasi_exact_match: 'EM',
  exact_match_indicator: 'EM',
  rouge_2: 'ROUGE-2',
  math_equiv_chain_of_thought: 'Equivalent (chain of thought)',
  math_equiv: 'Equivalent',
};

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
  const title = GROUP_TITLES[group.group];
  const metricTitle = METRIC_TITLES[group.mainMetric];
  if (!title || !metricTitle) return {};
  const out: Record<string, number> = {};
  const put = (metric: string, suffix: string) => {
    const stat = group.metrics[metric];
    if (stat && Number.isFinite(stat.mean)) out[`${title} - ${metricTitle}${suffix}`] = stat.mean;
  };
  put(group.mainMetric, '');
  put(`${group.mainMetric} (robustness)`, ' (Robustness)');
  put(`${group.mainMetric} (fairness)`, ' (Fairness)');
  for (const [metric, short] of Object.entries(BIAS_COLUMN_TITLES)) {
    const stat = group.metrics[metric];
    if (stat && Number.isFinite(stat.mean)) out[`${title} - ${short}`] = stat.mean;
  }
  return out;
}

/** Why a run of the results file has no value for a column (its metric's note), by column. */
export function columnNotes(data: ResultsFile): Record<string, string> {
  const notes: Record<string, string> = {};
  for (const run of data.runs ?? []) {
    for (const group of run.groups) {
      const title = GROUP_TITLES[group];
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
