// CSV/TSV rows as Python's csv.reader sees them (HELM opens files in text mode, default dialect):
// newlines normalised first (universal newlines), quotes inside unquoted fields kept literally,
// blank lines skipped. Every row carries its line number for error messages. One known difference,
// on malformed input only: Python reads `"d"e` (text after a closing quote) as `de`, csv-parse as `"d"e`.
import { parse, CsvError } from 'csv-parse/sync';
import { UserError } from '../../../core/errors.js';
import { pyInt, universalNewlines } from '../../text/python-str.js';

export interface CsvRow {
  fields: string[];
  /** 1-based line of the file on which the row ends (its first line for one-line rows). */
  line: number;
}

export function parseCsv(text: string, file: string, opts: { delimiter?: string } = {}): CsvRow[] {
  try {
    const records = parse(universalNewlines(text), {
      delimiter: opts.delimiter ?? ',',
      quote: '"',
      bom: false, // Python's "utf-8" codec keeps the BOM; it only ever lands in a skipped header.
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map((r) => ({ fields: r.record, line: r.info.lines }));
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      throw new UserError(`${file}${line ? `:${line}` : ''}: malformed CSV: ${err.message}`);
    }
    throw err;
  }
}

/** Drops the header row (HELM: `next(csv_reader)`), checking it is there. */
export function withoutHeader(rows: CsvRow[], file: string): CsvRow[] {
  if (rows.length === 0) throw new UserError(`${file}: empty file, expected a header row`);
  return rows.slice(1);
}

/** Unpacks a row into exactly n fields, as Python's tuple unpacking does, or names file and line. */
export function expectFields(row: CsvRow, n: number, file: string, what: string): string[] {
  if (row.fields.length !== n) {
    throw new UserError(`${file}:${row.line}: expected ${n} columns (${what}), found ${row.fields.length}`);
  }
  return row.fields;
}

/** Python int(label) on a label column, or an error naming file and line. */
export function parseIntField(value: string, row: CsvRow, file: string, column: string): number {
  const n = pyInt(value);
  if (n === null) throw new UserError(`${file}:${row.line}: column ${column} is not an integer: ${JSON.stringify(value)}`);
  return n;
}
