// A task family of the mini-challenge: its generated instances and everything its scenario needs
// (tasks/scenarios/mini.ts): run-entry arguments, adapter spec, run group. The instruction data
// (tasks/mini/instructions.ts) formats a train instance with the adapter spec of the run entry the
// family's instances are evaluated under, through the adapter code (tasks/adapters/zero-shot-pair.ts).
import type { AdapterSpec } from '../adapters/adapter-spec.js';
import type { Instance } from '../instance.js';
import type { RunEntryArgs, RunGroup } from '../run-spec.js';
import type { World } from './world.js';

/** The shipped tiny base has a 256-token context: the mini specs are zero-shot in that window. */
export const MINI_WINDOW = 256;

export interface Family {
  /** The scenario name, e.g. "mini_mmlu". */
  readonly name: string;
  instances(world: World): Instance[];
  /** Run-entry arguments besides `seed` (as HELM's run-spec function of the original takes them), each with its choices. */
  readonly args: Readonly<Record<string, readonly string[]>>;
  /** The adapter spec of a run entry with these (checked) arguments. */
  spec(args: RunEntryArgs): AdapterSpec;
  /** The instances a run entry keeps (default: all). */
  keep?(args: RunEntryArgs): (instance: Instance) => boolean;
  /** The arguments of the run entry (in tasks/suites/mini.conf) that evaluates this instance. */
  entryArgs(instance: Instance): RunEntryArgs;
  /** Name (= the family's name), main metric and main split. */
  readonly group: RunGroup;
}

/** The adapter spec an instance is evaluated with: that of its run entry. */
export function instanceSpec(family: Family, instance: Instance): AdapterSpec {
  return family.spec(family.entryArgs(instance));
}
