// Numbers as users write them on the command line or in a config file, checked once, with an error
// that names the flag: `--lora-r 16`, `--alpha 0.05`, `--concurrency 30`.
import { UserError } from './errors.js';

export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

function describe(rule: NumberRule): string {
  const kind = rule.integer ? 'an integer' : 'a number';
  if (rule.min !== undefined && rule.max !== undefined) return `${kind} in [${rule.min}, ${rule.max}]`;
  if (rule.min !== undefined) return `${kind} >= ${rule.min}`;
  if (rule.max !== undefined) return `${kind} <= ${rule.max}`;
  return kind;
}

/** Parses `value` for `flag`; throws a UserError naming the flag, the value and what was expected. */
export function parseNumber(flag: string, value: string | number, rule: NumberRule = {}): number {
  const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
  const ok = Number.isFinite(n) && (!rule.integer || Number.isInteger(n)) && (rule.min === undefined || n >= rule.min) && (rule.max === undefined || n <= rule.max);
  if (!ok) throw new UserError(`${flag} must be ${describe(rule)}, got "${value}"`);
  return n;
}

/** A commander option parser for `flag`. */
export function numberFlag(flag: string, rule: NumberRule = {}): (value: string) => number {
  return (value) => parseNumber(flag, value, rule);
}

export const POSITIVE_INT: NumberRule = { integer: true, min: 1 };
export const NON_NEGATIVE_INT: NumberRule = { integer: true, min: 0 };
/** A TCP port; 0 asks the system for a free one. */
export const PORT: NumberRule = { integer: true, min: 0, max: 65535 };
