// nltk's trained Punkt parameters in the punkt_tab layout (nltk_data packages/tokenizers/punkt_tab.zip,
// unpacked by `evalfirst data fetch punkt_tab` into <data dir>/nltk/tokenizers/punkt_tab/): per
// language a folder of four UTF-8 files, one entry per line:
//   abbrev_types.txt   an abbreviation type (lower case, no final period)
//   collocations.tab   "first<TAB>second": a type pair that is no sentence break
//   sent_starters.txt  a frequent sentence starter type
//   ortho_context.tab  "type<TAB>flags": the orthographic-context bit set (an integer)
// These are the same parameters as the punkt pickles HELM's nltk 3.8.1 loaded (nltk_data re-published
// the pickles' contents in this text form). Empty lines are skipped; a malformed line is an error
// naming file and line.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { PunktParameters } from './punkt.js';

export const PUNKT_TAB_DIR = 'nltk/tokenizers/punkt_tab';
export const PUNKT_FILES = ['abbrev_types.txt', 'collocations.tab', 'sent_starters.txt', 'ortho_context.tab'] as const;

/** The language folder under the data dir. */
export function punktLanguageDir(dataDir: string, language = 'english'): string {
  return join(dataDir, ...PUNKT_TAB_DIR.split('/'), language);
}

function lines(file: string): { text: string; line: number }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((text, i) => ({ text: text.replace(/\r$/, ''), line: i + 1 }))
    .filter((l) => l.text.length > 0);
}

function fields(file: string, l: { text: string; line: number }): [string, string] {
  const parts = l.text.split('\t');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') throw new UserError(`${file}:${l.line}: expected two tab-separated fields, got ${JSON.stringify(l.text)}`);
  return [parts[0]!, parts[1]!];
}

/** Reads a punkt_tab language folder. */
export function readPunktParams(dir: string): PunktParameters {
  const f = (name: string) => join(dir, name);
  const ortho = new Map<string, number>();
  for (const l of lines(f('ortho_context.tab'))) {
    const [type, flags] = fields(f('ortho_context.tab'), l);
    if (!/^\d+$/.test(flags)) throw new UserError(`${f('ortho_context.tab')}:${l.line}: flags must be a non-negative integer, got ${JSON.stringify(flags)}`);
    ortho.set(type, Number(flags));
  }
  return {
    abbrevTypes: new Set(lines(f('abbrev_types.txt')).map((l) => l.text)),
    collocations: new Set(lines(f('collocations.tab')).map((l) => fields(f('collocations.tab'), l).join('\t'))),
    sentStarters: new Set(lines(f('sent_starters.txt')).map((l) => l.text)),
    orthoContext: ortho,
  };
}

/** The English parameters from the data dir, or why they are not there (never a fallback). */
export function loadEnglishPunkt(dataDir: string | undefined): { params: PunktParameters } | { missing: string } {
  if (!dataDir) return { missing: 'no data dir given, so no nltk punkt_tab parameters' };
  const dir = punktLanguageDir(dataDir);
  const absent = PUNKT_FILES.filter((n) => !existsSync(join(dir, n)));
  if (absent.length > 0) return { missing: `nltk's English Punkt parameters are not in ${dir} (missing ${absent.join(', ')}; run \`evalfirst data fetch punkt_tab\`)` };
  return { params: readPunktParams(dir) };
}
