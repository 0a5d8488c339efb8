// The four task families of the mini-challenge, each with the adapter spec its scenario uses.
import type { AdapterSpec } from '../adapters/adapter-spec.js';
import type { Instance } from '../instance.js';
import { bbqInstances } from './bbq.js';
import { gsmInstances } from './gsm.js';
import { mmluInstances } from './mmlu.js';
import { miniBbqSpec, miniGsmSpec, miniMmluSpec, miniTruthfulqaSpec } from './specs.js';
import { truthfulqaInstances } from './truthfulqa.js';
import type { World } from './world.js';

export type FamilyName = 'mini_mmlu' | 'mini_gsm' | 'mini_truthfulqa' | 'mini_bbq';

export interface Family {
  name: FamilyName;
  instances(world: World): Instance[];
  spec(instance: Instance): AdapterSpec;
}

export const FAMILIES: Family[] = [
  { name: 'mini_mmlu', instances: mmluInstances, spec: (i) => miniMmluSpec(String(i.meta?.subject)) },
  { name: 'mini_gsm', instances: (w) => gsmInstances(w), spec: () => miniGsmSpec() },
  { name: 'mini_truthfulqa', instances: truthfulqaInstances, spec: () => miniTruthfulqaSpec() },
  { name: 'mini_bbq', instances: (w) => bbqInstances(w), spec: () => miniBbqSpec() },
];
