// Hendrycks' MATH answer extraction (github.com/hendrycks/math, as in HELM's math_scenario.py):
// the last \boxed{...} (or \fbox{...}) of a solution, and its content. The scenario needs it to
// build non-chain-of-thought golds; the metric (math_equiv*) compares answers the same way.

/** last_boxed_only_string: from the last "\boxed" (else "\fbox") to its matching "}", or null. */
export function lastBoxedOnlyString(text: string): string | null {
  let idx = text.lastIndexOf('\\boxed');
  if (idx < 0) {
    idx = text.lastIndexOf('\\fbox');
    if (idx < 0) return null;
  }
  let open = 0;
  for (let i = idx; i < text.length; i++) {
    if (text[i] === '{') open++;
    if (text[i] === '}') {
      open--;
      if (open === 0) return text.slice(idx, i + 1);
    }
  }
  return null;
}

/** remove_boxed: the content of "\boxed{...}", or null when the string is not exactly that shape. */
export function removeBoxed(text: string): string | null {
  const left = '\\boxed{';
  if (!text.startsWith(left) || !text.endsWith('}')) return null;
  return text.slice(left.length, -1);
}

/** get_answer: removeBoxed(lastBoxedOnlyString(solution)). */
export function boxedAnswer(solution: string | null): string | null {
  if (solution === null) return null;
  const last = lastBoxedOnlyString(solution);
  return last === null ? null : removeBoxed(last);
}
