// A manifest file (JSON or YAML) parsed into plain values plus the line of every key and list item,
// so that validation errors can name the manifest line. YAML goes through the `yaml` package (its
// CST keeps source ranges); a .json file must first parse as strict JSON, then the same YAML parser
// (YAML 1.2 is a superset of JSON) supplies the positions.
import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { UserError } from '../../core/errors.js';

export type DocPath = readonly (string | number)[];

export interface ManifestDoc {
  /** The file as given (for messages). */
  file: string;
  value: unknown;
  /** 1-based line of the value at `path` (of its key, for map entries), or of its nearest located parent. */
  line(path: DocPath): number;
}

function pathKey(path: DocPath): string {
  return JSON.stringify(path);
}

/** Records the line of every map key and sequence item below `node`. */
function collectLines(node: unknown, path: (string | number)[], lc: LineCounter, out: Map<string, number>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const at = [...path, key];
      const range = (pair.key as Node | null)?.range ?? (pair.value as Node | null)?.range;
      if (range) out.set(pathKey(at), lc.linePos(range[0]).line);
      collectLines(pair.value, at, lc, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const at = [...path, i];
      const range = (item as Node | null)?.range;
      if (range) out.set(pathKey(at), lc.linePos(range[0]).line);
      collectLines(item, at, lc, out);
    });
  }
}

/** Line of a character offset in `text`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function strictJson(text: string, file: string): void {
  try {
    JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const where = pos ? `:${lineAt(text, Number(pos[1]))}` : '';
    throw new UserError(`${file}${where}: not valid JSON (${msg})`);
  }
}

export function parseManifestText(text: string, file: string): ManifestDoc {
  if (/\.json$/i.test(file)) strictJson(text, file);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line ?? lineAt(text, e.pos[0]);
    throw new UserError(`${file}:${line}: not a valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'} manifest (${e.message.split('\n')[0]})`);
  }
  const lines = new Map<string, number>();
  collectLines(doc.contents, [], lc, lines);
  const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  return {
    file,
    value,
    line(path: DocPath): number {
      for (let n = path.length; n > 0; n--) {
        const l = lines.get(pathKey(path.slice(0, n)));
        if (l !== undefined) return l;
      }
      return 1;
    },
  };
}

export function readManifestDoc(file: string): ManifestDoc {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read the manifest (${code === 'ENOENT' ? 'file not found' : (code ?? (err as Error).message)})`);
  }
  return parseManifestText(text, file);
}
