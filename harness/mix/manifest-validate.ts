// Validation of a composition manifest: every error is a UserError naming the manifest file, the
// line, and (inside a source) the source. See docs in harness/mix/README.md for the format.
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DEFAULT_MIN_COVERAGE } from '../gate/contamination-index.js';
import { UserError } from '../../core/errors.js';
import type { DocPath, ManifestDoc } from './manifest-doc.js';
import type { DedupSpec, DecontaminationSpec, FieldMap, FieldSource, FileFormat, Filters, LanguageFilter, MixManifest, RegexFilter, SourceSpec, TextField } from './manifest.js';
import { templateColumns } from './field-map.js';

const TOP_KEYS = ['name', 'seed', 'total', 'shuffle', 'sources', 'dedup', 'decontaminate'];
const SOURCE_KEYS = ['name', 'file', 'format', 'benchmark', 'split', 'share', 'rows', 'fields', 'filters'];
const FILTER_KEYS = ['min_chars', 'max_chars', 'min_words', 'max_words', 'language', 'include', 'exclude'];
const LANGUAGE_KEYS = ['allow', 'margin', 'undetermined'];
const REGEX_KEYS = ['pattern', 'flags', 'field'];
const DEDUP_KEYS = ['exact', 'near'];
const DECONTAMINATE_KEYS = ['suite', 'min_coverage'];
const FIELD_KEYS = ['prompt', 'completion'];
const FORMATS: FileFormat[] = ['jsonl', 'csv', 'parquet'];
/** Shares must sum to 1 within this tolerance. */
export const SHARE_TOLERANCE = 1e-9;
export const DEFAULT_LANGUAGE_MARGIN = 0.05;
export const DEFAULT_NEAR_DUPLICATE = 0.8;

type Obj = Record<string, unknown>;

class Checker {
  constructor(readonly doc: ManifestDoc) {}

  fail(path: DocPath, message: string, context = ''): never {
    throw new UserError(`${this.doc.file}:${this.doc.line(path)}: ${context}${message}`);
  }

  object(value: unknown, path: DocPath, what: string, context = ''): Obj {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, `${what} must be a mapping (key: value), got ${describe(value)}`, context);
    return value as Obj;
  }

  knownKeys(o: Obj, path: DocPath, known: string[], what: string, context = ''): void {
    for (const key of Object.keys(o)) {
      if (!known.includes(key)) this.fail([...path, key], `unknown field "${key}" in ${what} (known: ${known.join(', ')})`, context);
    }
  }

  number(o: Obj, key: string, path: DocPath, opts: { min: number; max?: number; integer?: boolean; minExclusive?: boolean }, context = ''): number | null {
    const v = o[key];
    if (v === undefined || v === null) return null;
    const bad = typeof v !== 'number' || !Number.isFinite(v) || (opts.integer && !Number.isInteger(v)) || (opts.minExclusive ? v <= opts.min : v < opts.min) || (opts.max !== undefined && v > opts.max);
    if (bad) {
      const range = `${opts.minExclusive ? '>' : '>='} ${opts.min}${opts.max !== undefined ? ` and <= ${opts.max}` : ''}`;
      this.fail([...path, key], `"${key}" must be ${opts.integer ? 'an integer' : 'a number'} ${range}, got ${describe(v)}`, context);
    }
    return v as number;
  }

  string(o: Obj, key: string, path: DocPath, context = ''): string | null {
    const v = o[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || v.length === 0) this.fail([...path, key], `"${key}" must be a non-empty string, got ${describe(v)}`, context);
    return v;
  }

  boolean(o: Obj, key: string, path: DocPath, fallback: boolean, context = ''): boolean {
    const v = o[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail([...path, key], `"${key}" must be true or false, got ${describe(v)}`, context);
    return v;
  }

  stringList(o: Obj, key: string, path: DocPath, context = ''): string[] | null {
    const v = o[key];
    if (v === undefined || v === null) return null;
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0) this.fail([...path, key], `"${key}" must not be empty`, context);
    list.forEach((x, i) => {
      if (typeof x !== 'string' || x.length === 0) this.fail(Array.isArray(v) ? [...path, key, i] : [...path, key], `"${key}" must be a string or a list of strings, got ${describe(x)}`, context);
    });
    return list as string[];
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object' && v !== null) return 'a mapping';
  return JSON.stringify(v);
}

function formatOf(c: Checker, path: string, explicit: string | null, at: DocPath, context: string): FileFormat {
  if (explicit !== null) {
    if (!FORMATS.includes(explicit as FileFormat)) c.fail([...at, 'format'], `unknown format "${explicit}" (known: ${FORMATS.join(', ')})`, context);
    return explicit as FileFormat;
  }
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.parquet$/i.test(path)) return 'parquet';
  return c.fail([...at, 'file'], `cannot tell the format of "${path}" from its extension; add format: ${FORMATS.join(' | ')}`, context);
}

function fieldSource(c: Checker, value: unknown, at: DocPath, context: string): FieldSource {
  if (typeof value !== 'string' || value.length === 0) c.fail(at, `a field mapping must be a column name or a template with {column} placeholders, got ${describe(value)}`, context);
  let columns: string[];
  try {
    columns = templateColumns(value);
  } catch (err) {
    c.fail(at, (err as Error).message, context);
  }
  return columns.length === 0 && !/[{}]/.test(value) ? { kind: 'column', column: value } : { kind: 'template', template: value, columns };
}

function fieldMap(c: Checker, value: unknown, at: DocPath, context: string): FieldMap | null {
  if (value === undefined || value === null) return null;
  const o = c.object(value, at, '"fields"', context);
  c.knownKeys(o, at, FIELD_KEYS, '"fields"', context);
  for (const k of FIELD_KEYS) if (o[k] === undefined) c.fail(at, `"fields" must map both prompt and completion (missing "${k}")`, context);
  return { prompt: fieldSource(c, o.prompt, [...at, 'prompt'], context), completion: fieldSource(c, o.completion, [...at, 'completion'], context) };
}

function regexFilters(c: Checker, value: unknown, at: DocPath, context: string): RegexFilter[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((item, i) => {
    const path = Array.isArray(value) ? [...at, i] : at;
    let pattern: string;
    let flags = '';
    let field: TextField = 'text';
    if (typeof item === 'string') pattern = item;
    else {
      const o = c.object(item, path, 'a regex filter', context);
      c.knownKeys(o, path, REGEX_KEYS, 'a regex filter', context);
      const p = c.string(o, 'pattern', path, context);
      if (p === null) c.fail(path, 'a regex filter needs "pattern"', context);
      pattern = p;
      flags = c.string(o, 'flags', path, context) ?? '';
      const f = c.string(o, 'field', path, context) ?? 'text';
      if (!['text', 'prompt', 'completion'].includes(f)) c.fail([...path, 'field'], `"field" must be text, prompt or completion, got ${JSON.stringify(f)}`, context);
      field = f as TextField;
    }
    if (/[gy]/.test(flags)) c.fail(path, `regex flags g and y are not allowed (they make matching stateful), got "${flags}"`, context);
    try {
      new RegExp(pattern, flags);
    } catch (err) {
      c.fail(path, `invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`, context);
    }
    return { pattern, flags, field, line: c.doc.line(path) };
  });
}

function languageFilter(c: Checker, value: unknown, at: DocPath, context: string): LanguageFilter | null {
  if (value === undefined || value === null) return null;
  const line = c.doc.line(at);
  if (typeof value === 'string' || Array.isArray(value)) {
    const allow = c.stringList({ language: value }, 'language', at.slice(0, -1), context)!;
    return { allow: checkCodes(c, allow, at, context), margin: DEFAULT_LANGUAGE_MARGIN, undetermined: 'keep', line };
  }
  const o = c.object(value, at, '"language"', context);
  c.knownKeys(o, at, LANGUAGE_KEYS, '"language"', context);
  const allow = c.stringList(o, 'allow', at, context);
  if (allow === null) c.fail(at, '"language" needs "allow" (ISO 639-3 codes such as eng)', context);
  const undetermined = c.string(o, 'undetermined', at, context) ?? 'keep';
  if (undetermined !== 'keep' && undetermined !== 'drop') c.fail([...at, 'undetermined'], `"undetermined" must be keep or drop, got ${JSON.stringify(undetermined)}`, context);
  return { allow: checkCodes(c, allow, [...at, 'allow'], context), margin: c.number(o, 'margin', at, { min: 0, max: 1 }, context) ?? DEFAULT_LANGUAGE_MARGIN, undetermined, line };
}

function checkCodes(c: Checker, codes: string[], at: DocPath, context: string): string[] {
  for (const code of codes) if (!/^[a-z]{3}$/.test(code)) c.fail(at, `language codes are ISO 639-3 (three lowercase letters, e.g. eng), got ${JSON.stringify(code)}`, context);
  return codes;
}

function filters(c: Checker, value: unknown, at: DocPath, context: string): Filters {
  const none: Filters = { minChars: null, maxChars: null, minWords: null, maxWords: null, language: null, include: [], exclude: [] };
  if (value === undefined || value === null) return none;
  const o = c.object(value, at, '"filters"', context);
  c.knownKeys(o, at, FILTER_KEYS, '"filters"', context);
  const int = (k: string) => c.number(o, k, at, { min: 0, integer: true }, context);
  const f: Filters = {
    minChars: int('min_chars'),
    maxChars: int('max_chars'),
    minWords: int('min_words'),
    maxWords: int('max_words'),
    language: languageFilter(c, o.language, [...at, 'language'], context),
    include: regexFilters(c, o.include, [...at, 'include'], context),
    exclude: regexFilters(c, o.exclude, [...at, 'exclude'], context),
  };
  if (f.minChars !== null && f.maxChars !== null && f.minChars > f.maxChars) c.fail([...at, 'min_chars'], `min_chars ${f.minChars} > max_chars ${f.maxChars}`, context);
  if (f.minWords !== null && f.maxWords !== null && f.minWords > f.maxWords) c.fail([...at, 'min_words'], `min_words ${f.minWords} > max_words ${f.maxWords}`, context);
  return f;
}

function source(c: Checker, value: unknown, i: number, seen: Map<string, number>): SourceSpec {
  const at: DocPath = ['sources', i];
  const o = c.object(value, at, `sources[${i}]`);
  const name = typeof o.name === 'string' && o.name.length > 0 ? o.name : null;
  const context = name ? `source "${name}": ` : `sources[${i}]: `;
  c.knownKeys(o, at, SOURCE_KEYS, 'a source', context);
  if (name === null) c.fail(at, `every source needs a "name" (got ${describe(o.name)})`, context);
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) c.fail([...at, 'name'], `source names use letters, digits, "_", "." and "-" only, got ${JSON.stringify(name)}`);
  const prior = seen.get(name);
  if (prior !== undefined) c.fail([...at, 'name'], `source name "${name}" is used twice (first at line ${prior})`);
  seen.set(name, c.doc.line(at));
  const hasShare = o.share !== undefined && o.share !== null;
  const hasRows = o.rows !== undefined && o.rows !== null;
  if (hasShare === hasRows) c.fail(at, 'give exactly one of "share" (a fraction of the mix) or "rows" (a row count or "all")', context);
  const share = c.number(o, 'share', at, { min: 0, max: 1, minExclusive: true }, context);
  let rows: number | 'all' | null = null;
  if (hasRows) rows = o.rows === 'all' ? 'all' : c.number(o, 'rows', at, { min: 1, integer: true }, context);
  const common = {
    name,
    line: c.doc.line(at),
    share,
    rows,
    amountLine: c.doc.line([...at, hasShare ? 'share' : 'rows']),
    fields: fieldMap(c, o.fields, [...at, 'fields'], context),
    filters: filters(c, o.filters, [...at, 'filters'], context),
  };
  const file = c.string(o, 'file', at, context);
  const benchmark = c.stringList(o, 'benchmark', at, context);
  if ((file === null) === (benchmark === null)) c.fail(at, 'give exactly one of "file" (a local JSONL/CSV/Parquet file) or "benchmark" (run entries whose train split is used)', context);
  if (file !== null) {
    if (o.split !== undefined) c.fail([...at, 'split'], '"split" is for benchmark sources', context);
    const resolved = isAbsolute(file) ? file : resolve(dirname(c.doc.file), file);
    if (!existsSync(resolved) || !statSync(resolved).isFile()) c.fail([...at, 'file'], `file ${file} not found (looked at ${resolved})`, context);
    return { kind: 'file', ...common, path: file, resolved, format: formatOf(c, file, c.string(o, 'format', at, context), at, context) };
  }
  if (o.format !== undefined) c.fail([...at, 'format'], '"format" is for file sources', context);
  const split = c.string(o, 'split', at, context) ?? 'train';
  if (split === 'test') c.fail([...at, 'split'], 'a benchmark\'s test split is what the suite evaluates on: training on it is contamination (use train or valid)', context);
  if (split !== 'train' && split !== 'valid') c.fail([...at, 'split'], `"split" must be train or valid, got ${JSON.stringify(split)}`, context);
  return { kind: 'benchmark', ...common, entries: benchmark!, split };
}

function dedup(c: Checker, value: unknown): DedupSpec {
  if (value === undefined || value === null) return { exact: true, near: DEFAULT_NEAR_DUPLICATE };
  if (value === false) return { exact: false, near: null };
  const o = c.object(value, ['dedup'], '"dedup"');
  c.knownKeys(o, ['dedup'], DEDUP_KEYS, '"dedup"');
  const exact = c.boolean(o, 'exact', ['dedup'], true);
  let near: number | null = DEFAULT_NEAR_DUPLICATE;
  if (o.near === false) near = null;
  else if (o.near !== undefined) near = c.number(o, 'near', ['dedup'], { min: 0, max: 1, minExclusive: true });
  return { exact, near };
}

function decontaminate(c: Checker, value: unknown): DecontaminationSpec | null {
  if (value === undefined || value === null || value === false) return null;
  const at: DocPath = ['decontaminate'];
  const o = typeof value === 'string' || Array.isArray(value) ? { suite: value } : c.object(value, at, '"decontaminate"');
  c.knownKeys(o, at, DECONTAMINATE_KEYS, '"decontaminate"');
  const suites = c.stringList(o, 'suite', at);
  if (suites === null) c.fail(at, '"decontaminate" needs "suite" (a suite name or .conf path, or a list)');
  const resolvedSuites = suites.map((s) => (/[\\/]|\.(conf|txt)$/.test(s) && !isAbsolute(s) ? resolve(dirname(c.doc.file), s) : s));
  return { suites, resolved: resolvedSuites, minCoverage: c.number(o, 'min_coverage', at, { min: 0, max: 1 }) ?? DEFAULT_MIN_COVERAGE, line: c.doc.line(at) };
}

export function validateManifest(doc: ManifestDoc): MixManifest {
  const c = new Checker(doc);
  const o = c.object(doc.value, [], 'the manifest');
  c.knownKeys(o, [], TOP_KEYS, 'the manifest');
  if (!Array.isArray(o.sources) || o.sources.length === 0) c.fail(['sources'], '"sources" must be a non-empty list of sources');
  const seen = new Map<string, number>();
  const sources = (o.sources as unknown[]).map((s, i) => source(c, s, i, seen));
  const byShare = sources.filter((s) => s.share !== null);
  if (byShare.length > 0 && byShare.length < sources.length) {
    const odd = sources.find((s) => s.share === null)!;
    c.fail(['sources', sources.indexOf(odd)], `source "${odd.name}": sources use either shares or row counts, not both (source "${byShare[0].name}" has a share)`);
  }
  if (byShare.length > 0) {
    const sum = byShare.reduce((a, s) => a + s.share!, 0);
    if (Math.abs(sum - 1) > SHARE_TOLERANCE) {
      throw new UserError(`${doc.file}:${doc.line(['sources'])}: shares must sum to 1, they sum to ${sum} (${byShare.map((s) => `"${s.name}" ${s.share} at line ${s.amountLine}`).join(', ')})`);
    }
  }
  const total = c.number(o, 'total', [], { min: 1, integer: true });
  if (total !== null && byShare.length === 0) c.fail(['total'], '"total" is for manifests whose sources have shares (these give row counts)');
  const seed = c.number(o, 'seed', [], { min: 0, max: 2 ** 32 - 1, integer: true }) ?? 0;
  return {
    file: doc.file,
    dir: dirname(resolve(doc.file)),
    name: c.string(o, 'name', []),
    seed,
    total,
    totalLine: doc.line(['total']),
    shuffle: c.boolean(o, 'shuffle', [], true),
    sources,
    dedup: dedup(c, o.dedup),
    decontaminate: decontaminate(c, o.decontaminate),
  };
}
