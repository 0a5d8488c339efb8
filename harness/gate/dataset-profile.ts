// One pass over a dataset's rows: normalised content hashes (for added/removed/duplicates), length
// distributions (characters, and normalised words as "tokens": no model tokenizer is assumed),
// source mix, shapes.
import { prepareRow, preparedContentKey, type PreparedRow } from './contamination-index.js';
import type { RowShape, SchemaError, TrainingRow } from './training-rows.js';
import { quantileSorted } from '../stats/quantile.js';

export interface LengthSummary {
  min: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

export interface DatasetProfile {
  file: string;
  rows: number;
  schemaErrors: SchemaError[];
  shapes: Partial<Record<RowShape, number>>;
  sources: Record<string, number>;
  chars: LengthSummary | null;
  tokens: LengthSummary | null;
  /** Rows whose normalised content repeats an earlier row: line → first line. */
  duplicates: { line: number; firstLine: number }[];
  duplicateCount: number;
}

/** Hash of a row's normalised content, field names included (so a prompt is not an output). */
export function rowContentKey(row: TrainingRow): number {
  return preparedContentKey(prepareRow(row.fields));
}

function summarize(values: number[]): LengthSummary | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  let s = 0;
  for (const v of values) s += v;
  return { min: sorted[0], median: quantileSorted(sorted, 0.5), p95: quantileSorted(sorted, 0.95), max: sorted[sorted.length - 1], mean: s / values.length };
}

/** Accumulates a profile row by row; `keys` maps each content key to its first line. */
export class ProfileBuilder {
  readonly keys = new Map<number, number>();
  private rows = 0;
  private readonly errors: SchemaError[] = [];
  private readonly shapes: Partial<Record<RowShape, number>> = {};
  private readonly sources: Record<string, number> = {};
  private readonly chars: number[] = [];
  private readonly tokens: number[] = [];
  private readonly duplicates: { line: number; firstLine: number }[] = [];
  private duplicateCount = 0;

  constructor(
    readonly file: string,
    private readonly maxListed = 1000,
  ) {}

  addError(e: SchemaError): void {
    this.errors.push(e);
  }

  addRow(row: TrainingRow, prepared: PreparedRow = prepareRow(row.fields)): void {
    this.rows++;
    this.shapes[row.shape] = (this.shapes[row.shape] ?? 0) + 1;
    const src = row.source ?? '(none)';
    this.sources[src] = (this.sources[src] ?? 0) + 1;
    let c = 0;
    for (const text of Object.values(row.fields)) c += text.length;
    this.chars.push(c);
    this.tokens.push(prepared.all.length);
    const key = preparedContentKey(prepared);
    const first = this.keys.get(key);
    if (first === undefined) this.keys.set(key, row.line);
    else {
      this.duplicateCount++;
      if (this.duplicates.length < this.maxListed) this.duplicates.push({ line: row.line, firstLine: first });
    }
  }

  build(): DatasetProfile {
    return {
      file: this.file,
      rows: this.rows,
      schemaErrors: this.errors,
      shapes: this.shapes,
      sources: this.sources,
      chars: summarize(this.chars),
      tokens: summarize(this.tokens),
      duplicates: this.duplicates,
      duplicateCount: this.duplicateCount,
    };
  }
}

export interface DatasetDiff {
  added: number;
  removed: number;
  /** First lines (in NEW) of added rows, and (in OLD) of removed rows; at most 20 each. */
  addedLines: number[];
  removedLines: number[];
}

export function diffKeys(oldKeys: Map<number, number>, newKeys: Map<number, number>, listed = 20): DatasetDiff {
  const addedLines: number[] = [];
  const removedLines: number[] = [];
  let added = 0;
  let removed = 0;
  for (const [k, line] of newKeys) {
    if (!oldKeys.has(k)) {
      added++;
      if (addedLines.length < listed) addedLines.push(line);
    }
  }
  for (const [k, line] of oldKeys) {
    if (!newKeys.has(k)) {
      removed++;
      if (removedLines.length < listed) removedLines.push(line);
    }
  }
  return { added, removed, addedLines, removedLines };
}
