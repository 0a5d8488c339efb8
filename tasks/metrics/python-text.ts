// Python `str` whitespace semantics (str.split(), str.strip()) that HELM's metrics rely on.
// JavaScript's \s differs: it includes U+FEFF and lacks U+001C–U+001F and U+0085.

const PY_WHITESPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const SPLIT_RE = new RegExp(`[${PY_WHITESPACE}]+`, 'u');
const STRIP_RE = new RegExp(`^[${PY_WHITESPACE}]+|[${PY_WHITESPACE}]+$`, 'gu');

/** Python `text.split()` (no separator): runs of whitespace, no empty strings. */
export function pySplit(text: string): string[] {
  return text.split(SPLIT_RE).filter((t) => t.length > 0);
}

/** Python `text.strip()` (no argument). */
export function pyStrip(text: string): string {
  return text.replace(STRIP_RE, '');
}

/** Python `string.punctuation`. */
export const PY_PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
