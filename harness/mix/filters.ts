// Row filters of a source, checked in a fixed order (lengths, regexes, language: cheapest first). A
// row failing one is dropped with the filter's name and the numbers behind it.
import { candidateText } from './candidate.js';
import type { Filters, RegexFilter } from './manifest.js';
import { judgeLanguage } from './language.js';

export interface FilterRejection {
  filter: 'min_chars' | 'max_chars' | 'min_words' | 'max_words' | 'include' | 'exclude' | 'language';
  detail: string;
}

/** Whitespace-separated words ("tokens by whitespace"). */
export function wordCount(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      n++;
    }
  }
  return n;
}

function fieldText(row: { prompt: string; completion: string }, r: RegexFilter): string {
  return r.field === 'prompt' ? row.prompt : r.field === 'completion' ? row.completion : candidateText(row);
}

export function hasFilters(f: Filters): boolean {
  return f.minChars !== null || f.maxChars !== null || f.minWords !== null || f.maxWords !== null || f.language !== null || f.include.length > 0 || f.exclude.length > 0;
}

/** Compiled once per source: regexes built, then applied row by row. */
export function makeRowFilter(f: Filters): (row: { prompt: string; completion: string }) => FilterRejection | null {
  const include = f.include.map((r) => ({ r, re: new RegExp(r.pattern, r.flags) }));
  const exclude = f.exclude.map((r) => ({ r, re: new RegExp(r.pattern, r.flags) }));
  return (row) => {
    // Lengths count prompt + completion (the newline joining them is not counted).
    const chars = row.prompt.length + row.completion.length;
    if (f.minChars !== null && chars < f.minChars) return { filter: 'min_chars', detail: `${chars} characters < ${f.minChars}` };
    if (f.maxChars !== null && chars > f.maxChars) return { filter: 'max_chars', detail: `${chars} characters > ${f.maxChars}` };
    if (f.minWords !== null || f.maxWords !== null) {
      const words = wordCount(row.prompt) + wordCount(row.completion);
      if (f.minWords !== null && words < f.minWords) return { filter: 'min_words', detail: `${words} words < ${f.minWords}` };
      if (f.maxWords !== null && words > f.maxWords) return { filter: 'max_words', detail: `${words} words > ${f.maxWords}` };
    }
    for (const { r, re } of include) if (!re.test(fieldText(row, r))) return { filter: 'include', detail: `${r.field} does not match /${r.pattern}/${r.flags}` };
    for (const { r, re } of exclude) {
      const m = re.exec(fieldText(row, r));
      if (m) return { filter: 'exclude', detail: `${r.field} matches /${r.pattern}/${r.flags} at ${JSON.stringify(m[0].slice(0, 40))}` };
    }
    if (f.language) {
      const v = judgeLanguage(candidateText(row), f.language);
      if (!v.keep) {
        const why = v.detected === 'und' ? 'undetermined (too short or no letters)' : `detected ${v.detected}${v.allowedScore !== null ? `, best allowed at ${v.allowedScore.toFixed(3)} of it` : ''}`;
        return { filter: 'language', detail: `${why}; allowed ${f.language.allow.join(', ')}` };
      }
    }
    return null;
  };
}
