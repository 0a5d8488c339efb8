// A composition manifest: which sources make up a fine-tuning mix, how much of each, how rows are
// mapped to prompt/completion and filtered, and how the mix is deduplicated and decontaminated.
// Validated once (manifest-validate.ts); every part keeps the manifest line it came from.

export type FileFormat = 'jsonl' | 'csv' | 'parquet';

/** A prompt or completion taken from a column, or built from a template with {column} placeholders. */
export type FieldSource = { kind: 'column'; column: string } | { kind: 'template'; template: string; columns: string[] };

export interface FieldMap {
  prompt: FieldSource;
  completion: FieldSource;
}

export type TextField = 'text' | 'prompt' | 'completion';

export interface RegexFilter {
  pattern: string;
  flags: string;
  /** What the pattern is matched against: prompt, completion, or both joined by a newline ("text"). */
  field: TextField;
  line: number;
}

export interface LanguageFilter {
  /** ISO 639-3 codes as franc reports them (eng, deu, fra, ...). */
  allow: string[];
  /** Keep a row when an allowed language scores within this fraction of the best one (default 0.05). */
  margin: number;
  /** What to do with text too short or too ambiguous to identify (franc's "und"). */
  undetermined: 'keep' | 'drop';
  line: number;
}

export interface Filters {
  /** Bounds on prompt + completion length in characters (UTF-16 code units, as String.length). */
  minChars: number | null;
  maxChars: number | null;
  /** Bounds on prompt + completion length in whitespace-separated words. */
  minWords: number | null;
  maxWords: number | null;
  language: LanguageFilter | null;
  /** A row must match every include pattern and no exclude pattern. */
  include: RegexFilter[];
  exclude: RegexFilter[];
}

interface SourceCommon {
  name: string;
  /** Manifest line of the source's list item. */
  line: number;
  /** Exactly one of share / rows is set; all sources of a manifest use the same one. */
  share: number | null;
  rows: number | 'all' | null;
  /** Manifest line of the share or rows field. */
  amountLine: number;
  fields: FieldMap | null;
  filters: Filters;
}

export interface FileSourceSpec extends SourceCommon {
  kind: 'file';
  /** As written in the manifest (relative to the manifest's folder unless absolute). */
  path: string;
  /** Absolute path. */
  resolved: string;
  format: FileFormat;
}

export interface BenchmarkSourceSpec extends SourceCommon {
  kind: 'benchmark';
  /** HELM run entries ("gsm", "mmlu:subject=anatomy", "mini_gsm:"). */
  entries: string[];
  split: 'train' | 'valid';
}

export type SourceSpec = FileSourceSpec | BenchmarkSourceSpec;

export interface DedupSpec {
  exact: boolean;
  /** Jaccard similarity of word 3-gram sets at or above which a row is a near-duplicate; null = off. */
  near: number | null;
}

export interface DecontaminationSpec {
  /** Suite names or .conf paths whose evaluation instances must not be trained on. */
  suites: string[];
  /** The same, with .conf paths resolved against the manifest's folder. */
  resolved: string[];
  minCoverage: number;
  line: number;
}

export interface MixManifest {
  /** The manifest file as given, and its folder (relative source paths resolve against it). */
  file: string;
  dir: string;
  name: string | null;
  seed: number;
  /** Rows of the mix when shares are used; null = as many as the scarcest source allows. */
  total: number | null;
  totalLine: number;
  shuffle: boolean;
  sources: SourceSpec[];
  dedup: DedupSpec;
  decontaminate: DecontaminationSpec | null;
}

/** The manifest as it enters the version hash: what it says, not where it was read from. */
export function canonicalManifest(m: MixManifest): unknown {
  const filters = (f: Filters) => ({
    min_chars: f.minChars,
    max_chars: f.maxChars,
    min_words: f.minWords,
    max_words: f.maxWords,
    language: f.language && { allow: f.language.allow, margin: f.language.margin, undetermined: f.language.undetermined },
    include: f.include.map((r) => ({ pattern: r.pattern, flags: r.flags, field: r.field })),
    exclude: f.exclude.map((r) => ({ pattern: r.pattern, flags: r.flags, field: r.field })),
  });
  const fields = (f: FieldMap | null) => f && { prompt: f.prompt, completion: f.completion };
  return {
    format: 'evalfirst-mix/1',
    name: m.name,
    seed: m.seed,
    total: m.total,
    shuffle: m.shuffle,
    dedup: m.dedup,
    decontaminate: m.decontaminate && { suites: m.decontaminate.suites, min_coverage: m.decontaminate.minCoverage },
    sources: m.sources.map((s) => ({
      name: s.name,
      ...(s.kind === 'file' ? { file: s.path, format: s.format } : { benchmark: s.entries, split: s.split }),
      share: s.share,
      rows: s.rows,
      fields: fields(s.fields),
      filters: filters(s.filters),
    })),
  };
}
