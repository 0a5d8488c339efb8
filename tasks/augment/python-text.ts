// Python string and regex semantics the HELM perturbations depend on.
import { createHash } from 'node:crypto';
import { PythonRandom } from '../random/python-random.js';

/** Python's \w for str patterns (Unicode letters, numbers, "_"), as a character-class body. */
export const PY_WORD = '\\p{L}\\p{N}_';

/** random.Random(s) for a str s (seed version 2): int.from_bytes(b + sha512(b).digest(), "big"). */
export function pythonRandomFromString(s: string): PythonRandom {
  const bytes = Buffer.from(s, 'utf8');
  const all = Buffer.concat([bytes, createHash('sha512').update(bytes).digest()]);
  return new PythonRandom(BigInt(`0x${all.toString('hex')}`));
}

/** random.uniform(a, b) = a + (b - a) * random(). */
export function uniform(rng: PythonRandom, a: number, b: number): number {
  return a + (b - a) * rng.random();
}

/** random.randint(a, b) = randrange(a, b + 1). */
export function randint(rng: PythonRandom, a: number, b: number): number {
  return rng.randrange(a, b + 1);
}

const isLower = (ch: string): boolean => /\p{Lowercase}/u.test(ch);
const isUpper = (ch: string): boolean => /\p{Uppercase}/u.test(ch);

/** str.capitalize(): first character upper-cased, the rest lower-cased. */
export function pyCapitalize(s: string): string {
  const [first, ...rest] = Array.from(s);
  return first === undefined ? '' : first.toUpperCase() + rest.join('').toLowerCase();
}

/** helm.common.general.match_case: the target word in the case pattern of the source word. */
export function matchCase(source: string, target: string): string {
  const chars = Array.from(source);
  if (chars.every(isLower)) return target.toLowerCase();
  if (chars.every(isUpper)) return target.toUpperCase();
  if (chars.length > 0 && isUpper(chars[0]!)) return pyCapitalize(target);
  return target;
}

/** Python str.replace(old, new): every non-overlapping occurrence. */
export function replaceAll(s: string, old: string, replacement: string): string {
  return s.split(old).join(replacement);
}

/** re.escape for the characters that are syntax in a JavaScript "u" regex. */
export function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
