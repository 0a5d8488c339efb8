// A suite is a list of run entries. Files are HELM's `.conf` format (HOCON, as the organisers'
// run_specs_*.conf, read by HELM's presentation/run_entry.py):
//   entries: [ {description: "mmlu:subject=anatomy,model=neurips/local", priority: 1}, ... ]
// with `#` / `//` comments, or plain text with one run entry per line.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../core/errors.js';

export interface Suite {
  name: string;
  entries: string[];
}

export interface SuiteEntry {
  description: string;
  priority: number;
  groups?: string[];
  /** 1-based line where the entry starts. */
  line: number;
}

const here = dirname(fileURLToPath(import.meta.url));
// Compiled code runs from dist/tasks/suites, which has no .conf files: fall back to the sources.
const SUITE_DIRS = [here, resolve(here, '..', '..', '..', 'tasks', 'suites')];

/** Names of the suites shipped in tasks/suites/ (without .conf). */
export function listSuites(): string[] {
  const names = new Set<string>();
  for (const dir of SUITE_DIRS) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.conf')) names.add(f.slice(0, -'.conf'.length));
  }
  return [...names].sort();
}

function looksLikePath(nameOrPath: string): boolean {
  return nameOrPath.includes('/') || nameOrPath.includes('\\') || /\.(conf|txt)$/.test(nameOrPath) || existsSync(nameOrPath);
}

/** A suite by name (tasks/suites/<name>.conf) or by path to a .conf / plain list file. */
export function loadSuite(nameOrPath: string): Suite {
  let file: string | undefined;
  if (looksLikePath(nameOrPath)) {
    file = resolve(nameOrPath);
    if (!existsSync(file)) throw new UserError(`suite file not found: ${file}`);
  } else {
    file = SUITE_DIRS.map((d) => join(d, `${nameOrPath}.conf`)).find((f) => existsSync(f));
    if (!file) throw new UserError(`unknown suite '${nameOrPath}' (known: ${listSuites().join(', ') || 'none'}; or give a path to a .conf file)`);
  }
  const entries = parseSuiteText(readFileSync(file, 'utf8'), file).map((e) => e.description);
  if (entries.length === 0) throw new UserError(`${file}: the suite has no run entries`);
  return { name: basename(file).replace(/\.(conf|txt)$/, ''), entries };
}

/** Removes a `#` or `//` comment that is outside double quotes. */
function stripComment(line: string): string {
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inQuote && c === '\\') i++;
    else if (c === '"') inQuote = !inQuote;
    else if (!inQuote && (c === '#' || (c === '/' && line[i + 1] === '/'))) return line.slice(0, i);
  }
  return line;
}

/** Parses a HELM `.conf` (entries: [...]) or a plain one-entry-per-line list. */
export function parseSuiteText(text: string, file: string): SuiteEntry[] {
  const lines = text.split(/\r\n|\r|\n/).map(stripComment);
  const body = lines.join('\n');
  if (/^\s*entries\s*[:=]?\s*\[/m.test(body)) return parseConf(body, file);
  const entries: SuiteEntry[] = [];
  lines.forEach((l, i) => {
    const t = l.trim();
    if (t.length > 0) entries.push({ description: t, priority: 1, line: i + 1 });
  });
  return entries;
}

/** A small reader for the HOCON subset the HELM confs use: one array of flat objects. */
class ConfReader {
  pos = 0;
  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  line(at = this.pos): number {
    let n = 1;
    for (let i = 0; i < at && i < this.text.length; i++) if (this.text[i] === '\n') n++;
    return n;
  }

  fail(msg: string): never {
    throw new UserError(`${this.file}:${this.line()}: ${msg}`);
  }

  skipSpace(commas = true): void {
    while (this.pos < this.text.length && (/\s/.test(this.text[this.pos]) || (commas && this.text[this.pos] === ','))) this.pos++;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  expect(c: string): void {
    this.skipSpace(false);
    if (this.peek() !== c) this.fail(`expected '${c}', found ${this.peek() ? `'${this.peek()}'` : 'end of file'}`);
    this.pos++;
  }

  key(): string {
    this.skipSpace();
    if (this.peek() === '"') return this.quoted();
    const m = /^[A-Za-z_][\w.-]*/.exec(this.text.slice(this.pos));
    if (!m) this.fail(`expected a key, found '${this.peek()}'`);
    this.pos += m[0].length;
    return m[0];
  }

  quoted(): string {
    const m = /^"(?:[^"\\\n]|\\.)*"/.exec(this.text.slice(this.pos));
    if (!m) this.fail('unterminated string');
    this.pos += m[0].length;
    try {
      return JSON.parse(m[0]) as string;
    } catch {
      return this.fail(`bad string ${m[0]}`);
    }
  }

  value(): string | string[] {
    this.skipSpace(false);
    if (this.peek() === '"') return this.quoted();
    if (this.peek() === '[') {
      this.pos++;
      const items: string[] = [];
      for (;;) {
        this.skipSpace();
        if (this.peek() === ']') {
          this.pos++;
          return items;
        }
        const v = this.value();
        if (Array.isArray(v)) this.fail('nested arrays are not supported');
        items.push(v);
      }
    }
    const m = /^[^,}\]\n]+/.exec(this.text.slice(this.pos));
    if (!m) this.fail(`expected a value, found '${this.peek()}'`);
    this.pos += m[0].length;
    return m[0].trim();
  }
}

function parseConf(body: string, file: string): SuiteEntry[] {
  const r = new ConfReader(body, file);
  const m = /^\s*entries\s*[:=]?\s*\[/m.exec(body);
  r.pos = (m?.index ?? 0) + (m?.[0].length ?? 0);
  const entries: SuiteEntry[] = [];
  for (;;) {
    r.skipSpace();
    if (r.pos >= body.length) r.fail("unterminated 'entries' list (missing ']')");
    if (r.peek() === ']') break;
    if (r.peek() !== '{') r.fail(`expected '{' to start an entry, found '${r.peek()}'`);
    const start = r.pos;
    r.pos++;
    const fields: Record<string, string | string[]> = {};
    for (;;) {
      r.skipSpace();
      if (r.peek() === '}') {
        r.pos++;
        break;
      }
      if (r.pos >= body.length) r.fail("unterminated entry (missing '}')");
      const key = r.key();
      r.skipSpace(false);
      if (r.peek() === ':' || r.peek() === '=') r.pos++;
      fields[key] = r.value();
    }
    const line = r.line(start);
    const description = fields.description;
    if (typeof description !== 'string' || description.trim() === '') {
      throw new UserError(`${file}:${line}: entry without a description`);
    }
    const priority = fields.priority === undefined ? 1 : Number(fields.priority);
    if (!Number.isInteger(priority)) throw new UserError(`${file}:${line}: priority must be an integer, got ${String(fields.priority)}`);
    const groups = fields.groups;
    if (groups !== undefined && !Array.isArray(groups)) throw new UserError(`${file}:${line}: groups must be a list`);
    entries.push({ description: description.trim(), priority, line, ...(groups ? { groups } : {}) });
  }
  return entries;
}
