// A scenario's own run-entry arguments (`bbq:subject=all`), read as HELM's run-spec functions take
// them (keyword parameters of get_<scenario>_spec in run_specs.py): an argument the function does
// not take fails (HELM: TypeError), a required one must be there, a choice must be one of its
// values. The generic run expanders (model, data_augmentation, max_eval_instances, ...) never reach
// a scenario: tasks/run-entry.ts splits them off first.
import { UserError } from '../../../core/errors.js';
import { RUN_EXPANDERS } from '../../run-entry.js';
import type { RunEntryArgs } from '../../run-spec.js';

/** Rejects arguments the scenario does not take, naming them, the ones it takes, and the run expanders. */
export function rejectUnknownArgs(args: RunEntryArgs, scenario: string, known: readonly string[]): void {
  const extra = Object.keys(args).filter((k) => !known.includes(k));
  if (extra.length > 0) {
    throw new UserError(
      `${scenario}: unknown argument(s) ${extra.join(', ')} (takes: ${known.join(', ') || 'none'}, plus HELM's run expanders: ${Object.keys(RUN_EXPANDERS).join(', ')})`,
    );
  }
}

function checkChoice<T extends string>(value: string, key: string, scenario: string, choices?: readonly T[]): T {
  if (choices && !(choices as readonly string[]).includes(value)) {
    throw new UserError(`${scenario}: unknown ${key} '${value}' (one of: ${choices.join(', ')})`);
  }
  return value as T;
}

/** A required argument (a parameter without default in HELM), optionally one of `choices`. */
export function requireArg<T extends string = string>(args: RunEntryArgs, key: string, scenario: string, choices?: readonly T[]): T {
  const value = args[key];
  if (value === undefined || value === '') {
    const hint = choices ? ` (one of: ${choices.join(', ')})` : '';
    throw new UserError(`${scenario}: missing argument ${key}=...${hint}`);
  }
  return checkChoice(value, key, scenario, choices);
}

/** An argument with a default, optionally one of `choices`. */
export function optionalArg<T extends string = string>(args: RunEntryArgs, key: string, scenario: string, fallback: T, choices?: readonly T[]): T {
  const value = args[key];
  return value === undefined ? fallback : checkChoice(value, key, scenario, choices);
}

/** HELM's `method: str = ADAPT_MULTIPLE_CHOICE_JOINT`; evalfirst implements only that adapter for these scenarios. */
export function multipleChoiceMethod(args: RunEntryArgs, scenario: string): 'multiple_choice_joint' {
  const method = args.method;
  if (method !== undefined && method !== 'multiple_choice_joint') {
    throw new UserError(`${scenario}: method=${method} is not supported (only multiple_choice_joint, HELM's default)`);
  }
  return 'multiple_choice_joint';
}

/** HELM's boolean run-entry args are the strings "True"/"False" (get_math_spec compares to "True"). */
export function pyBool(args: RunEntryArgs, key: string): boolean {
  return args[key] === 'True';
}

/** A float argument (HELM's `temperature: float = 0.3`), or an error naming it. */
export function numberArg(args: RunEntryArgs, key: string, scenario: string, fallback: number): number {
  const value = args[key];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UserError(`${scenario}: ${key} must be a number, got '${value}'`);
  return n;
}
