// Streams a fine-tuning dataset (JSONL) row by row. Accepted shapes, one per line:
//   {"prompt": str, "completion": str}
//   {"instruction": str, "input"?: str, "output": str}
//   {"text": str}
// plus an optional string "source". A line that is not one of these is a schema error naming the
// line; it does not stop the stream.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { UserError } from '../../core/errors.js';

export type RowShape = 'prompt/completion' | 'instruction/input/output' | 'text';

export interface TrainingRow {
  line: number;
  shape: RowShape;
  /** Text fields by name, in a fixed order per shape. */
  fields: Record<string, string>;
  source: string | null;
}

export interface SchemaError {
  line: number;
  message: string;
}

export type RowOrError = { row: TrainingRow; error?: undefined } | { row?: undefined; error: SchemaError };

function isStr(x: unknown): x is string {
  return typeof x === 'string';
}

/** Classifies one parsed line. */
export function toTrainingRow(value: unknown, line: number): RowOrError {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: { line, message: 'expected a JSON object' } };
  const o = value as Record<string, unknown>;
  if (o.source !== undefined && !isStr(o.source)) return { error: { line, message: '"source" must be a string' } };
  const source = isStr(o.source) ? o.source : null;
  if ('prompt' in o || 'completion' in o) {
    if (!isStr(o.prompt) || !isStr(o.completion)) return { error: { line, message: '"prompt" and "completion" must both be strings' } };
    return { row: { line, shape: 'prompt/completion', fields: { prompt: o.prompt, completion: o.completion }, source } };
  }
  if ('instruction' in o || 'output' in o) {
    if (!isStr(o.instruction) || !isStr(o.output)) return { error: { line, message: '"instruction" and "output" must both be strings' } };
    if (o.input !== undefined && !isStr(o.input)) return { error: { line, message: '"input" must be a string when present' } };
    const fields: Record<string, string> = { instruction: o.instruction };
    if (isStr(o.input) && o.input !== '') fields.input = o.input;
    fields.output = o.output;
    return { row: { line, shape: 'instruction/input/output', fields, source } };
  }
  if ('text' in o) {
    if (!isStr(o.text)) return { error: { line, message: '"text" must be a string' } };
    return { row: { line, shape: 'text', fields: { text: o.text }, source } };
  }
  const keys = Object.keys(o).slice(0, 8).join(', ');
  return { error: { line, message: `unknown row shape (keys: ${keys || 'none'}); expected {"prompt","completion"}, {"instruction","input","output"} or {"text"}` } };
}

/** Every non-blank line of a JSONL file as a row or a schema error. */
export async function* readTrainingRows(file: string): AsyncGenerator<RowOrError> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`${file}: dataset file not found`);
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      yield { error: { line: lineNo, message: `not valid JSON (${(err as Error).message})` } };
      continue;
    }
    yield toTrainingRow(value, lineNo);
  }
}
