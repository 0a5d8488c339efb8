// MATH answer equivalence as HELM's math_scenario.py (from hendrycks/math): the last \boxed{...}
// of prediction and gold, normalised by _strip_string, compared as strings.

import { boxedAnswer, lastBoxedOnlyString, removeBoxed } from '../scenarios/common/boxed.js';

export { lastBoxedOnlyString, removeBoxed };

/** get_answer: the content of the last \boxed{...}, or null. */
export const getAnswer = boxedAnswer;

/** Thrown where Python's version raises (IndexError/AssertionError); isEquiv then compares raw strings. */
class StripError extends Error {}

function fixFracs(text: string): string {
  const parts = text.split('\\frac');
  let out = parts[0]!;
  for (const sub of parts.slice(1)) {
    out += '\\frac';
    if (sub.length === 0) throw new StripError('empty \\frac argument'); // Python: substr[0] IndexError
    if (sub[0] === '{') {
      out += sub;
      continue;
    }
    // Python indexes code points; Array.from keeps astral characters whole.
    const chars = Array.from(sub);
    if (chars.length < 2) return text;
    const [a, b] = chars as [string, string];
    const rest = chars.slice(2).join('');
    out += b !== '{' ? `{${a}}{${b}}${rest}` : `{${a}}${b}${rest}`;
  }
  return out;
}

const CANONICAL_INT = /^-?(0|[1-9][0-9]*)$/;

function fixASlashB(text: string): string {
  const parts = text.split('/');
  if (parts.length !== 2) return text;
  const [a, b] = parts as [string, string];
  // Python: int(a), int(b) and string == f"{a}/{b}" hold only for canonical integers ("-0" is not).
  if (!CANONICAL_INT.test(a) || !CANONICAL_INT.test(b) || a === '-0' || b === '-0') return text;
  return `\\frac{${a}}{${b}}`;
}

function removeRightUnits(text: string): string {
  if (!text.includes('\\text{ ')) return text;
  const parts = text.split('\\text{ ');
  if (parts.length !== 2) throw new StripError('more than one "\\text{ "');
  return parts[0]!;
}

function fixSqrt(text: string): string {
  if (!text.includes('\\sqrt')) return text;
  const parts = text.split('\\sqrt');
  let out = parts[0]!;
  for (const part of parts.slice(1)) {
    if (part.length === 0) throw new StripError('empty \\sqrt argument');
    const [first, ...rest] = Array.from(part);
    out += first !== '{' ? `\\sqrt{${first}}${rest.join('')}` : `\\sqrt${part}`;
  }
  return out;
}

/** Hendrycks' _strip_string. */
export function stripMathString(input: string): string {
  let s = input.replaceAll('\n', '');
  s = s.replaceAll('\\!', '');
  s = s.replaceAll('\\\\', '\\');
  s = s.replaceAll('tfrac', 'frac').replaceAll('dfrac', 'frac');
  s = s.replaceAll('\\left', '').replaceAll('\\right', '');
  s = s.replaceAll('^{\\circ}', '').replaceAll('^\\circ', '');
  s = s.replaceAll('\\$', '');
  s = removeRightUnits(s);
  s = s.replaceAll('\\%', '');
  s = s.replaceAll(' .', ' 0.').replaceAll('{.', '{0.');
  if (s.length === 0) return s;
  if (s[0] === '.') s = '0' + s;
  const eq = s.split('=');
  if (eq.length === 2 && Array.from(eq[0]!).length <= 2) s = eq[1]!;
  s = fixSqrt(s);
  s = s.replaceAll(' ', '');
  s = fixFracs(s);
  if (s === '0.5') s = '\\frac{1}{2}';
  return fixASlashB(s);
}

/** HELM is_equiv: both null → 1 (HELM prints a warning), one null → 0, else stripped equality. */
export function isEquiv(a: string | null, b: string | null): number {
  if (a === null && b === null) return 1;
  if (a === null || b === null) return 0;
  try {
    return stripMathString(a) === stripMathString(b) ? 1 : 0;
  } catch (e) {
    if (!(e instanceof StripError)) throw e;
    return a === b ? 1 : 0;
  }
}

/** HELM math_equiv_chain_of_thought(gold, pred). */
export function mathEquivChainOfThought(gold: string, pred: string | null): number {
  return isEquiv(getAnswer(gold), getAnswer(pred));
}
