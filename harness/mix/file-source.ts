// Reading a local file source (JSONL, CSV with a header row, Parquet) into candidate rows. Without a
// field mapping, each record must have one of the shapes `finetune` reads ({"prompt","completion"} or
// {"instruction","input","output"}) and goes through the trainer's own row parser, so a mix row is
// exactly what `finetune` would have made of it.
import { readFileSync } from 'node:fs';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { parseRow } from '../../model/train/training-data.js';
import { parseCsv } from '../../tasks/scenarios/common/csv.js';
import { UserError } from '../../core/errors.js';
import type { Candidate, Origin } from './candidate.js';
import { describeFieldMap, mapFields, type RecordValue } from './field-map.js';
import type { FileSourceSpec } from './manifest.js';

type Rec = Record<string, RecordValue>;

export interface RawRecord {
  origin: Origin;
  /** file:line or "file row N", for messages. */
  where: string;
  record: Rec;
}

const AS_PROMPT_COMPLETION = ['shape: prompt/completion'] as const;
const AS_ALPACA = ['shape: instruction/input/output → prompt by the Alpaca template (as finetune reads it)'] as const;

/** Prefix naming the source and its manifest line, for errors about its data. */
export function sourceContext(manifestFile: string, spec: { name: string; line: number }): string {
  return `source "${spec.name}" (${manifestFile}:${spec.line})`;
}

function jsonlRecords(spec: FileSourceSpec, ctx: string): RawRecord[] {
  const text = readFileSync(spec.resolved, 'utf8');
  const out: RawRecord[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const where = `${spec.path}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new UserError(`${ctx}: ${where}: not valid JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError(`${ctx}: ${where}: expected a JSON object`);
    out.push({ origin: { file: spec.path, line: i + 1 }, where, record: value as Rec });
  });
  return out;
}

function csvRecords(spec: FileSourceSpec, ctx: string): RawRecord[] {
  let rows;
  try {
    rows = parseCsv(readFileSync(spec.resolved, 'utf8'), spec.path);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${ctx}: ${err.message}`);
    throw err;
  }
  if (rows.length === 0) throw new UserError(`${ctx}: ${spec.path}: empty CSV file (expected a header row)`);
  const header = rows[0].fields;
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup !== undefined) throw new UserError(`${ctx}: ${spec.path}:${rows[0].line}: column "${dup}" appears twice in the header`);
  return rows.slice(1).map((row) => {
    const where = `${spec.path}:${row.line}`;
    if (row.fields.length !== header.length) throw new UserError(`${ctx}: ${where}: ${row.fields.length} columns, the header has ${header.length}`);
    const record: Rec = {};
    header.forEach((h, i) => (record[h] = row.fields[i]));
    return { origin: { file: spec.path, line: row.line }, where, record };
  });
}

async function parquetRecords(spec: FileSourceSpec, ctx: string): Promise<RawRecord[]> {
  let rows: Rec[];
  try {
    rows = (await parquetReadObjects({ file: await asyncBufferFromFile(spec.resolved) })) as Rec[];
  } catch (err) {
    throw new UserError(`${ctx}: ${spec.path}: cannot read as Parquet (${(err as Error).message}); plain, dictionary and Snappy-compressed files are supported`);
  }
  return rows.map((record, i) => ({ origin: { file: spec.path, row: i + 1 }, where: `${spec.path} row ${i + 1}`, record }));
}

export async function readRecords(spec: FileSourceSpec, ctx: string): Promise<RawRecord[]> {
  switch (spec.format) {
    case 'jsonl':
      return jsonlRecords(spec, ctx);
    case 'csv':
      return csvRecords(spec, ctx);
    case 'parquet':
      return parquetRecords(spec, ctx);
  }
}

/** A record without a mapping, through finetune's parser (BigInts printed as strings first). */
function finetuneShape(r: RawRecord, ctx: string): { prompt: string; completion: string; transforms: readonly string[] } {
  const text = JSON.stringify(r.record, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  try {
    const pair = parseRow(text, r.where, 0);
    return { prompt: pair.prompt, completion: pair.completion, transforms: 'prompt' in r.record || 'completion' in r.record ? AS_PROMPT_COMPLETION : AS_ALPACA };
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${ctx}: ${err.message} (or give the source a "fields" mapping)`);
    throw err;
  }
}

export async function fileCandidates(spec: FileSourceSpec, manifestFile: string): Promise<Candidate[]> {
  const ctx = sourceContext(manifestFile, spec);
  const records = await readRecords(spec, ctx);
  const mapped = spec.fields ? [describeFieldMap(spec.fields)] : null;
  return records.map((r) => {
    if (!spec.fields) return { source: spec.name, origin: r.origin, ...finetuneShape(r, ctx) };
    try {
      return { source: spec.name, origin: r.origin, ...mapFields(spec.fields, r.record), transforms: mapped! };
    } catch (err) {
      throw new UserError(`${ctx}: ${r.where}: ${(err as Error).message}`);
    }
  });
}
