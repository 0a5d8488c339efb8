// The mini-challenge scenarios (mini_mmlu, mini_gsm, mini_truthfulqa, mini_bbq): generated from a
// seed (run-entry arg `seed`, default 2023) instead of read from files, in the challenge's formats,
// for the shipped tiny base. Run entries: `mini_mmlu:subject=geography`, `mini_gsm:`, ...
import type { Instance } from '../instance.js';
import type { RunEntryArgs, RunSpec, Scenario, ScenarioModule } from '../run-spec.js';
import { FAMILIES, type FamilyName } from '../mini/families.js';
import { MMLU_SUBJECTS } from '../mini/mmlu.js';
import { miniBbqSpec, miniGsmSpec, miniMmluSpec, miniTruthfulqaSpec } from '../mini/specs.js';
import { DEFAULT_MINI_SEED, generateWorld } from '../mini/world.js';
import type { AdapterSpec } from '../adapters/adapter-spec.js';
import { UserError } from '../../core/errors.js';
import { optionalArg, rejectUnknownArgs } from './common/args.js';

function seedOf(args: RunEntryArgs): number {
  if (args.seed === undefined) return DEFAULT_MINI_SEED;
  const seed = Number(args.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new UserError(`mini scenario: seed must be a non-negative integer, got "${args.seed}"`);
  return seed;
}

function generatedScenario(name: FamilyName, seed: number, keep: (i: Instance) => boolean = () => true): Scenario {
  const family = FAMILIES.find((f) => f.name === name)!;
  return {
    name,
    load: async () => family.instances(generateWorld(seed)).filter(keep),
    files: () => [],
  };
}

function runName(name: string, args: RunEntryArgs): string {
  const parts = Object.entries(args).map(([k, v]) => `${k}=${v}`);
  return `${name}:${parts.join(',')}`;
}

interface FamilyRun {
  name: FamilyName;
  /** Arguments besides `seed`, as HELM's run-spec functions of the originals take them. */
  args: string[];
  spec: (args: RunEntryArgs) => AdapterSpec;
  metric: string;
  mainSplit: 'valid' | 'test';
  keep?: (args: RunEntryArgs) => (i: Instance) => boolean;
}

const RUNS: FamilyRun[] = [
  {
    name: 'mini_mmlu',
    args: ['subject'],
    spec: (args) => miniMmluSpec(args.subject ?? 'the mini world'),
    metric: 'exact_match',
    mainSplit: 'test',
    keep: (args) => {
      const subject = optionalArg(args, 'subject', 'mini_mmlu', 'all', ['all', ...Object.keys(MMLU_SUBJECTS)]);
      return (i) => subject === 'all' || i.meta?.subject === subject;
    },
  },
  { name: 'mini_gsm', args: [], spec: () => miniGsmSpec(), metric: 'exact_match_indicator', mainSplit: 'test' },
  {
    name: 'mini_truthfulqa',
    args: ['task'],
    spec: (args) => (optionalArg(args, 'task', 'mini_truthfulqa', 'mc_single', ['mc_single']), miniTruthfulqaSpec()),
    metric: 'exact_match',
    mainSplit: 'valid',
  },
  {
    name: 'mini_bbq',
    args: ['subject'],
    spec: (args) => (optionalArg(args, 'subject', 'mini_bbq', 'all', ['all']), miniBbqSpec()),
    metric: 'quasi_exact_match',
    mainSplit: 'test',
  },
];

function moduleFor(run: FamilyRun): ScenarioModule {
  return {
    name: run.name,
    runSpecs(args: RunEntryArgs): RunSpec[] {
      rejectUnknownArgs(args, run.name, [...run.args, 'seed']);
      const seed = seedOf(args);
      const keep = run.keep ? run.keep(args) : undefined;
      return [
        {
          name: runName(run.name, args),
          scenario: generatedScenario(run.name, seed, keep),
          adapterSpec: run.spec(args),
          metrics: [run.metric],
          groups: [run.name],
          mainMetric: run.metric,
          mainSplit: run.mainSplit,
          dataAugmentation: null,
        },
      ];
    },
  };
}

export const scenarioModules: ScenarioModule[] = RUNS.map(moduleFor);
