// GSM8K, as HELM's gsm_scenario.py: train.jsonl → train, test.jsonl → test (in that order, file
// order within). The gold is the answer with "####" → "The answer is", newlines → spaces, plus ".".
import { generationSpec } from '../adapters/helm-specs.js';
import type { Instance, Split } from '../instance.js';
import { groupFields, type RunEntryArgs, type RunGroup, type RunSpec, type Scenario, type ScenarioModule } from '../run-spec.js';
import { EXACT_MATCH_INDICATOR } from '../metrics/basic-metrics.js';
import { rejectUnknownArgs } from './common/args.js';
import { dataFile, readDataText } from './common/files.js';
import { parseJsonl, stringField } from './common/jsonl.js';
import { withHelmIds } from './common/splits.js';

export const GSM_FILES: Record<'train' | 'test', string> = { train: 'gsm8k/train.jsonl', test: 'gsm8k/test.jsonl' };

/** answer.replace("####", "The answer is").replace("\n", " ") + "." */
export function gsmGold(answer: string): string {
  return `${answer.replaceAll('####', 'The answer is').replaceAll('\n', ' ')}.`;
}

export function parseGsm(text: string, file: string, split: Split): Omit<Instance, 'id'>[] {
  return parseJsonl(text, file).map((rec) => ({
    input: stringField(rec, 'question', file),
    references: [{ text: gsmGold(stringField(rec, 'answer', file)), correct: true }],
    split,
  }));
}

export function gsmScenario(): Scenario {
  return {
    name: 'gsm',
    files: () => [GSM_FILES.train, GSM_FILES.test],
    async load(dataDir) {
      const out: Omit<Instance, 'id'>[] = [];
      for (const split of ['train', 'test'] as const) {
        const text = await readDataText(dataDir, GSM_FILES[split], 'gsm');
        out.push(...parseGsm(text, dataFile(dataDir, GSM_FILES[split]), split));
      }
      return withHelmIds(out);
    },
  };
}

export const GSM_GROUP: RunGroup = { name: 'gsm', title: 'GSM8K', mainMetric: EXACT_MATCH_INDICATOR, mainSplit: 'test' };

export const scenarioModule: ScenarioModule = {
  name: 'gsm',
  runGroups: [GSM_GROUP],
  runSpecs(args: RunEntryArgs): RunSpec[] {
    rejectUnknownArgs(args, 'gsm', []); // get_gsm_spec()
    return [
      {
        name: 'gsm',
        scenario: gsmScenario(),
        adapterSpec: generationSpec({
          inputNoun: 'Q',
          outputNoun: 'A',
          maxTrainInstances: 5,
          maxTokens: 400,
          stopSequences: ['\n\n'],
        }),
        // HELM adds the generative-harms metrics (bias, toxicity); not ranked, not implemented here.
        metrics: [EXACT_MATCH_INDICATOR],
        ...groupFields(GSM_GROUP),
        dataAugmentation: null,
      },
    ];
  },
};
