// Python 3 `re` semantics for str patterns, as JavaScript "u" regex fragments. Where the two differ:
// - \w is Unicode in Python (str.isalnum() or "_"); JavaScript's \w is ASCII even with "u".
// - \b follows Python's \w; \d is any Unicode decimal digit (category Nd).
// - \s and str.split()/strip() use str.isspace(): JavaScript's \s adds U+FEFF and lacks U+001C–U+001F, U+0085.
// - $ (without MULTILINE) matches at the end AND before a newline that ends the string.
// - string.whitespace (used by some callers as a set) is only the six ASCII whitespace characters.

/** The characters of Python's \s (str.isspace()), as a character-class body. */
export const PY_SPACE_CLASS = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** Python \s and \S. */
export const S = `[${PY_SPACE_CLASS}]`;
export const NS = `[^${PY_SPACE_CLASS}]`;
/** Python \w (letters, numbers, "_") and \W. */
export const W = '[\\p{L}\\p{N}_]';
export const NW = '[^\\p{L}\\p{N}_]';
/** Python \d (Unicode decimal digits) and [^\W\d] (a word character that is not a decimal digit). */
export const D = '\\p{Nd}';
export const ALPHA_OR_NUMERIC_NOT_DECIMAL = '[\\p{L}\\p{Nl}\\p{No}_]';
/** Python \b: between a \w and a non-\w character (or the string's ends). */
export const B = `(?:(?<=${W})(?!${W})|(?<!${W})(?=${W}))`;
/** Python $ without MULTILINE: the end, or just before a final "\n". */
export const END = '(?=\\n?$)';
/** Python $ with MULTILINE: the end, or just before any "\n" (JavaScript's "m" also stops at \r, U+2028, U+2029). */
export const LINE_END = '(?=\\n|$)';

const SPACE_RUN = new RegExp(`${S}+`, 'u');
const LEADING = new RegExp(`^${S}+`, 'u');
const TRAILING = new RegExp(`${S}+$`, 'u');

/** str.split() without arguments. */
export function pySplit(text: string): string[] {
  const t = pyStrip(text);
  return t.length === 0 ? [] : t.split(SPACE_RUN);
}

export function pyStrip(text: string): string {
  return text.replace(LEADING, '').replace(TRAILING, '');
}

export function pyRstrip(text: string): string {
  return text.replace(TRAILING, '');
}

/** str.isupper() / str.islower() of one character (the Unicode Uppercase / Lowercase properties). */
export function isUpperChar(ch: string): boolean {
  return /^\p{Uppercase}$/u.test(ch);
}

export function isLowerChar(ch: string): boolean {
  return /^\p{Lowercase}$/u.test(ch);
}

/** s[0] in Python: the first code point (not UTF-16 unit). */
export function firstCodePoint(s: string): string {
  const cp = s.codePointAt(0);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

/** string.whitespace. */
export const ASCII_WHITESPACE = new Set([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
