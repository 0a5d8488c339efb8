// Python's str.split() / str.strip() without arguments, exactly: they use str.isspace(), whose set
// differs from JavaScript's \s (Python adds \x1c-\x1f and \x85; JavaScript adds \ufeff).
// HELM's scenarios call these (e.g. CNN/DM truncation `" ".join(text.split()[:512])`).

const PY_WHITESPACE = '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const RUN = new RegExp(`[${PY_WHITESPACE}]+`, 'u');
const LEADING = new RegExp(`^[${PY_WHITESPACE}]+`, 'u');
const TRAILING = new RegExp(`[${PY_WHITESPACE}]+$`, 'u');

/** str.split(): splits on runs of whitespace and drops empty strings at both ends. */
export function pySplit(text: string): string[] {
  const trimmed = pyStrip(text);
  return trimmed.length === 0 ? [] : trimmed.split(RUN);
}

/** str.strip(). */
export function pyStrip(text: string): string {
  return text.replace(LEADING, '').replace(TRAILING, '');
}

/** Python text-mode reading (open(path) with newline=None): "\r\n" and lone "\r" become "\n". */
export function universalNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}
