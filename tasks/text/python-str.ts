// Python `str` and `re` semantics that HELM's code relies on, in one place. Each function names the
// CPython behaviour it reproduces; test/tasks/python-str.test.ts checks them against python3 over
// every code point (where both sides' Unicode versions agree: CPython 3.11 has Unicode 14, Node 20's
// ICU a newer one, so characters assigned since differ and cannot be helped).

/**
 * The characters str.isspace() is true for (CPython's _PyUnicode_IsWhitespace: bidirectional class
 * WS/B/S or category Zs), as a character-class body. str.split(), str.strip() and re's \s use this
 * set. JavaScript's \s differs: it lacks U+001C–U+001F and U+0085 and adds U+FEFF.
 */
export const PY_WHITESPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const WHITESPACE_RUN = new RegExp(`[${PY_WHITESPACE}]+`, 'u');
const LEADING_WHITESPACE = new RegExp(`^[${PY_WHITESPACE}]+`, 'u');
const TRAILING_WHITESPACE = new RegExp(`[${PY_WHITESPACE}]+$`, 'u');

/**
 * re's \w for a str pattern (Unicode flag, CPython's _PyUnicode_IsAlpha/IsDecimalDigit/IsDigit/
 * IsNumeric or "_"): letters, numbers and "_", as a character-class body. Python's \b is the
 * boundary between a \w and a non-\w character.
 */
export const PY_WORD = '\\p{L}\\p{N}_';

/** string.punctuation: the 32 ASCII punctuation characters. */
export const PY_PUNCTUATION: ReadonlySet<string> = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

/** str.split() with no separator: runs of whitespace split, no empty strings at either end. */
export function pySplit(text: string): string[] {
  const trimmed = pyStrip(text);
  return trimmed.length === 0 ? [] : trimmed.split(WHITESPACE_RUN);
}

/** str.strip() with no argument. */
export function pyStrip(text: string): string {
  return pyRstrip(text.replace(LEADING_WHITESPACE, ''));
}

/** str.rstrip() with no argument. */
export function pyRstrip(text: string): string {
  return text.replace(TRAILING_WHITESPACE, '');
}

/** str.lower(): the same full mapping as toLowerCase(), final sigma included (checked per code point and on strings). */
export function pyLower(text: string): string {
  return text.toLowerCase();
}

/** str.upper(): the same full mapping as toUpperCase() ("ß" → "SS"). */
export function pyUpper(text: string): string {
  return text.toUpperCase();
}

/** len(s): code points, not UTF-16 units. */
export function pyLen(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** s[:-1]: the string without its last code point. */
export function dropLastCodePoint(s: string): string {
  const last = s.codePointAt(s.length - 1);
  const isLowSurrogate = last !== undefined && last >= 0xdc00 && last <= 0xdfff && s.length >= 2;
  return s.slice(0, isLowSurrogate ? -2 : -1);
}

/** str.islower() of one character: it has the Unicode Lowercase property. */
export function isLowerChar(ch: string): boolean {
  return /^\p{Lowercase}$/u.test(ch);
}

/** str.isupper() of one character: it has the Unicode Uppercase property. */
export function isUpperChar(ch: string): boolean {
  return /^\p{Uppercase}$/u.test(ch);
}

// Title case where it is not "upper-case the first character, lower-case the rest of a multi-letter
// upper case" (CPython's _PyUnicode_ToTitleFull; UnicodeData field 14 and SpecialCasing.txt).
const TITLE_CASE: Record<number, string> = {
  0x149: '\u02bcN', // ŉ
  0x1c4: '\u01c5', 0x1c5: '\u01c5', 0x1c6: '\u01c5', // Ǆ ǅ ǆ → ǅ
  0x1c7: '\u01c8', 0x1c8: '\u01c8', 0x1c9: '\u01c8', // Ǉ ǈ ǉ → ǈ
  0x1ca: '\u01cb', 0x1cb: '\u01cb', 0x1cc: '\u01cb', // Ǌ ǋ ǌ → ǋ
  0x1f1: '\u01f2', 0x1f2: '\u01f2', 0x1f3: '\u01f2', // Ǳ ǲ ǳ → ǲ
  0x1fb3: '\u1fbc', 0x1fbc: '\u1fbc', 0x1fc3: '\u1fcc', 0x1fcc: '\u1fcc', 0x1ff3: '\u1ffc', 0x1ffc: '\u1ffc',
  0x1fb2: '\u1fba\u0345', 0x1fb4: '\u0386\u0345', 0x1fb7: '\u0391\u0342\u0345',
  0x1fc2: '\u1fca\u0345', 0x1fc4: '\u0389\u0345', 0x1fc7: '\u0397\u0342\u0345',
  0x1ff2: '\u1ffa\u0345', 0x1ff4: '\u038f\u0345', 0x1ff7: '\u03a9\u0342\u0345',
};

/** The title case of one character (what str.title() and str.capitalize() put first). */
export function titleCaseChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (Object.hasOwn(TITLE_CASE, cp)) return TITLE_CASE[cp]!;
  // Georgian Mkhedruli letters are their own title case (their upper case is Mtavruli).
  if ((cp >= 0x10d0 && cp <= 0x10fa) || (cp >= 0x10fd && cp <= 0x10ff)) return ch;
  // Greek with ypogegrammeni: title case is the capital with prosgegrammeni (U+1F80 → U+1F88).
  if (cp >= 0x1f80 && cp <= 0x1faf) return String.fromCodePoint(cp | 0x8);
  const [first, ...rest] = Array.from(ch.toUpperCase());
  return first! + rest.join('').toLowerCase(); // "ß" → "Ss", "ﬁ" → "Fi"
}

/**
 * str.capitalize() (Python ≥ 3.8): the first character in title case, the rest lower-cased in the
 * context of the whole string (a final "Σ" after the first letter becomes "ς").
 */
export function pyCapitalize(s: string): string {
  const first = s.codePointAt(0);
  if (first === undefined) return '';
  const head = String.fromCodePoint(first);
  return titleCaseChar(head) + s.toLowerCase().slice(head.toLowerCase().length);
}

/** str.replace(old, new): every non-overlapping occurrence, left to right. */
export function pyReplace(s: string, old: string, replacement: string): string {
  return s.split(old).join(replacement);
}

/** re.escape for a word list spliced into a pattern: escapes what is syntax in a JavaScript "u" regex. */
export function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** Python's default str ordering: by code point (JavaScript's `<` compares UTF-16 units). */
export function comparePythonStrings(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

// int() strips str.isspace() characters except U+001C–U+001F: CPython maps non-ASCII whitespace to
// " " (_PyUnicode_TransformDecimalAndSpaceToASCII), then skips C-locale whitespace (Py_ISSPACE).
const INT_WHITESPACE = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const INT_LITERAL = new RegExp(`^[${INT_WHITESPACE}]*([+-]?[0-9]+(?:_[0-9]+)*)[${INT_WHITESPACE}]*$`, 'u');

/**
 * int(text) for a base-10 literal with ASCII digits ("_" between digits allowed), or null where
 * Python raises ValueError. Python also accepts other Unicode decimal digits ("١"); those are
 * refused here (null), so a caller reports them instead of guessing.
 */
export function pyInt(text: string): number | null {
  const m = INT_LITERAL.exec(text);
  return m ? Number.parseInt(m[1]!.replaceAll('_', ''), 10) : null;
}

/** Python text-mode reading (open(path) with newline=None): "\r\n" and a lone "\r" become "\n". */
export function universalNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}
