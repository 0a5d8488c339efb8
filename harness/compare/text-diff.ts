// Where two strings first differ, with a little context, for messages like
// "prompts differ at character 1234: …Answer: A… vs …Answer: B…".

export interface FirstDifference {
  /** 0-based index of the first differing character (= shorter length when one is a prefix). */
  index: number;
  /** 1-based line and column of that character in the first string. */
  line: number;
  column: number;
  contextA: string;
  contextB: string;
}

export function firstDifference(a: string, b: string, context = 30): FirstDifference | null {
  if (a === b) return null;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  const before = a.slice(0, i);
  const line = before.split('\n').length;
  const column = i - before.lastIndexOf('\n');
  const from = Math.max(0, i - context);
  return { index: i, line, column, contextA: a.slice(from, i + context), contextB: b.slice(from, i + context) };
}

/** JSON-quoted context with an ellipsis where it was cut, safe to print on one line. */
export function describeDifference(d: FirstDifference, labelA = 'A', labelB = 'B'): string {
  return `first difference at character ${d.index} (line ${d.line}, column ${d.column}): ${labelA} ${JSON.stringify(d.contextA)} vs ${labelB} ${JSON.stringify(d.contextB)}`;
}
