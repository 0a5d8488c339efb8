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
import { checkedPin, githubRaw, type DataSource } from '../data-source.js';

export const GSM_FILES: Record<'train' | 'test', string> = { train: 'gsm8k/train.jsonl', test: 'gsm8k/test.jsonl' };
const GSM_COMMIT = '3101c7d5072418e28b9008a6636bde82a006892c'; // openai/grade-school-math
const GSM_CHECKSUMS: Record<'train' | 'test', readonly [string, number]> = {
  train: ['17f347dc51477c50d4efb83959dbb7c56297aba886e5544ee2aaed3024813465', 4166206],
  test: ['3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14', 749738],
};

export const GSM_DATA: DataSource = {
  name: 'gsm',
  pins: (['train', 'test'] as const).map((s) =>
    checkedPin(GSM_FILES[s], githubRaw('openai/grade-school-math', GSM_COMMIT, `grade_school_math/data/${s}.jsonl`), GSM_CHECKSUMS[s]),
  ),
};

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
  data: GSM_DATA,
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
