// Reading scenario-specific run-entry arguments (`bbq:subject=all`) with errors that name the entry.
import { UserError } from '../../../core/errors.js';
import type { RunEntryArgs } from '../../run-spec.js';

export function requireArg(args: RunEntryArgs, key: string, scenario: string): string {
  const v = args[key];
  if (v === undefined) throw new UserError(`${scenario}: run entry needs ${key}=...`);
  return v;
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UserError(`${what}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** "canonical" when the entry asks for HELM's canonical augmentation; other values are rejected. */
export function dataAugmentation(args: RunEntryArgs, scenario: string): 'canonical' | null {
  const v = args.data_augmentation;
  if (v === undefined || v === '') return null;
  if (v !== 'canonical') throw new UserError(`${scenario}: data_augmentation=${v} is not supported (only canonical)`);
  return 'canonical';
}

/** HELM's boolean run-entry args are the strings "True"/"False" (get_math_spec compares to "True"). */
export function pyBool(args: RunEntryArgs, key: string): boolean {
  return args[key] === 'True';
}
