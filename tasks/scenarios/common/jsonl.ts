// JSON Lines with the line number of every record; a bad line names file and line.
import { UserError } from '../../../core/errors.js';

export interface JsonlRecord {
  value: Record<string, unknown>;
  line: number;
}

export function parseJsonl(text: string, file: string): JsonlRecord[] {
  const out: JsonlRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new UserError(`${file}:${i + 1}: invalid JSON: ${(err as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new UserError(`${file}:${i + 1}: expected a JSON object per line`);
    }
    out.push({ value: value as Record<string, unknown>, line: i + 1 });
  }
  return out;
}

/** A string field of a record, or an error naming file, line and key. */
export function stringField(rec: JsonlRecord, key: string, file: string): string {
  const v = rec.value[key];
  if (typeof v !== 'string') throw new UserError(`${file}:${rec.line}: field "${key}" missing or not a string`);
  return v;
}
