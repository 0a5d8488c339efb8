// The mini-challenge scenarios (mini_mmlu, mini_gsm, mini_truthful_qa, mini_bbq): generated from a
// seed (run-entry arg `seed`, default 2023) instead of read from files, in the challenge's formats,
// for the shipped tiny base. Run entries: `mini_mmlu:subject=geography`, `mini_gsm:`, ...
// Each family (tasks/mini/*-family.ts) says its arguments, adapter spec and run group.
import type { RunEntryArgs, RunSpec, Scenario, ScenarioModule } from '../run-spec.js';
import { groupFields } from '../run-spec.js';
import type { Family } from '../mini/family.js';
import { FAMILIES } from '../mini/families.js';
import { DEFAULT_MINI_SEED, generateWorld } from '../mini/world.js';
import { UserError } from '../../core/errors.js';
import { optionalArg, rejectUnknownArgs } from './common/args.js';

function seedOf(args: RunEntryArgs): number {
  if (args.seed === undefined) return DEFAULT_MINI_SEED;
  const seed = Number(args.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new UserError(`mini scenario: seed must be a non-negative integer, got "${args.seed}"`);
  return seed;
}

function generatedScenario(family: Family, seed: number, args: RunEntryArgs): Scenario {
  const keep = family.keep ? family.keep(args) : () => true;
  return {
    name: family.name,
    load: async () => family.instances(generateWorld(seed)).filter(keep),
    files: () => [],
  };
}

function runName(name: string, args: RunEntryArgs): string {
  const parts = Object.entries(args).map(([k, v]) => `${k}=${v}`);
  return `${name}:${parts.join(',')}`;
}

function moduleFor(family: Family): ScenarioModule {
  return {
    name: family.name,
    runGroups: [family.group],
    runSpecs(args: RunEntryArgs): RunSpec[] {
      rejectUnknownArgs(args, family.name, [...Object.keys(family.args), 'seed']);
      for (const [key, choices] of Object.entries(family.args)) optionalArg(args, key, family.name, choices[0]!, choices);
      const seed = seedOf(args);
      return [
        {
          name: runName(family.name, args),
          scenario: generatedScenario(family, seed, args),
          adapterSpec: family.spec(args),
          metrics: [family.group.mainMetric],
          ...groupFields(family.group),
          dataAugmentation: null,
        },
      ];
    },
  };
}

export const scenarioModules: ScenarioModule[] = FAMILIES.map(moduleFor);
