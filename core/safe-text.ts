// Text that came from a request or a file and goes into a log line or an error message: control
// characters (C0, DEL, C1, and the Unicode line/paragraph separators) are found, or shown escaped,
// so a newline in a checkpoint path cannot forge a line of decisions.log.

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** The index of the first control character in `s`, or -1. */
export function controlCharAt(s: string): number {
  const m = CONTROL.exec(s);
  return m ? m.index : -1;
}

/** `s` with every control character written as \n, \t, \r or \uXXXX. */
export function escapeControl(s: string): string {
  return s.replace(CONTROL_ALL, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** A value for an error message: JSON-quoted (so control characters show escaped), cut to `max` characters. */
export function quoteForMessage(value: unknown, max = 120): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return typeof value === 'string' ? JSON.stringify(cut) : escapeControl(cut);
}
