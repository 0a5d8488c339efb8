// Mapping a source record (a JSON object, a CSV row by header, a Parquet row, a benchmark instance)
// into a prompt/completion pair: a column taken as is, or a template with {column} placeholders
// ("{{" and "}}" are literal braces).
import type { FieldMap, FieldSource } from './manifest.js';

/** The placeholder names of a template, in order of first use; throws on unbalanced braces. */
export function templateColumns(template: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === '{' && template[i + 1] === '{') i += 2;
    else if (c === '}' && template[i + 1] === '}') i += 2;
    else if (c === '{') {
      const end = template.indexOf('}', i + 1);
      if (end < 0) throw new Error(`unclosed "{" in template ${JSON.stringify(template)} (write "{{" for a literal brace)`);
      const name = template.slice(i + 1, end);
      if (name.length === 0 || /[{]/.test(name)) throw new Error(`bad placeholder "{${name}}" in template ${JSON.stringify(template)}`);
      if (!out.includes(name)) out.push(name);
      i = end + 1;
    } else if (c === '}') throw new Error(`unmatched "}" in template ${JSON.stringify(template)} (write "}}" for a literal brace)`);
    else i++;
  }
  return out;
}

export function fillTemplate(template: string, values: (column: string) => string): string {
  return template.replace(/\{\{|\}\}|\{([^{}]+)\}/g, (m, name: string | undefined) => (m === '{{' ? '{' : m === '}}' ? '}' : values(name!)));
}

export type RecordValue = string | number | boolean | bigint | null | undefined | object;

/** A record's column as text: strings as is, numbers and booleans printed; anything else is an error. */
export function columnText(record: Record<string, RecordValue>, column: string): string {
  if (!(column in record)) throw new Error(`no column "${column}" (columns: ${Object.keys(record).slice(0, 12).join(', ') || 'none'})`);
  const v = record[column];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  throw new Error(`column "${column}" is ${v === null || v === undefined ? 'empty (null)' : 'not text'}`);
}

function one(source: FieldSource, record: Record<string, RecordValue>): string {
  return source.kind === 'column' ? columnText(record, source.column) : fillTemplate(source.template, (c) => columnText(record, c));
}

export function mapFields(map: FieldMap, record: Record<string, RecordValue>): { prompt: string; completion: string } {
  return { prompt: one(map.prompt, record), completion: one(map.completion, record) };
}

/** How a mapping reads, for lineage: `prompt←question, completion←"{answer}."`. */
export function describeFieldMap(map: FieldMap): string {
  const d = (s: FieldSource) => (s.kind === 'column' ? s.column : JSON.stringify(s.template));
  return `fields: prompt←${d(map.prompt)}, completion←${d(map.completion)}`;
}
