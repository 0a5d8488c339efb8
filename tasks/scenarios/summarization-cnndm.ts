// CNN/DailyMail summarization, as HELM's summarization_scenario.py with get_cnndm_summarization_spec
// (dataset cnn-dm, sampling_min_length 50, sampling_max_length 150, doc_max_length 512).
//
// HELM reads a pickle (crfm-helm-public .../summarization_scenario/cnndm.pk) holding the splits
// "train", "validation", "test" as lists of {"article", "highlights"}. evalfirst does not unpickle;
// it reads the same records as JSON Lines, one file per split, with HF cnn_dailymail's field names:
//   cnndm/train.jsonl, cnndm/validation.jsonl, cnndm/test.jsonl   ({"article": ..., "highlights": ...})
// Instances come in the order train, validation, test. Articles: newlines → spaces, then the first
// 512 whitespace tokens (Python str.split) joined by one space; summaries: the same without the cap.
// Train articles are kept only when 50 ≤ words ≤ 150.
import type { Instance, Split } from '../instance.js';
import type { RunEntryArgs, RunSpec, Scenario, ScenarioModule } from '../run-spec.js';
import { dataAugmentation } from './common/args.js';
import { dataFile, readDataText } from './common/files.js';
import { parseJsonl, stringField } from './common/jsonl.js';
import { pySplit } from './common/python-text.js';
import { withHelmIds } from './common/splits.js';
import { summarizationSpec } from './common/summarization-spec.js';

const SPLITS: [string, Split][] = [
  ['train', 'train'],
  ['validation', 'valid'],
  ['test', 'test'],
];
export const cnndmFile = (split: string): string => `cnndm/${split}.jsonl`;
const DOC_MAX_LENGTH = 512;
const SAMPLING_MIN_LENGTH = 50;
const SAMPLING_MAX_LENGTH = 150;

/** _clean_and_truncate: text.replace("\n", " "), then " ".join(text.split()[:max_length]). */
export function cleanAndTruncate(text: string, maxLength?: number): string {
  const words = pySplit(text.replaceAll('\n', ' '));
  return (maxLength === undefined ? words : words.slice(0, maxLength)).join(' ');
}

export function parseCnndmSplit(text: string, file: string, split: Split): Omit<Instance, 'id'>[] {
  const out: Omit<Instance, 'id'>[] = [];
  for (const rec of parseJsonl(text, file)) {
    const article = cleanAndTruncate(stringField(rec, 'article', file), DOC_MAX_LENGTH);
    const summary = cleanAndTruncate(stringField(rec, 'highlights', file));
    if (split === 'train') {
      const len = pySplit(article).length;
      if (len > SAMPLING_MAX_LENGTH || len < SAMPLING_MIN_LENGTH) continue;
    }
    out.push({ input: article, references: [{ text: summary, correct: true }], split });
  }
  return out;
}

export function cnndmScenario(): Scenario {
  return {
    name: 'summarization_cnndm',
    files: () => SPLITS.map(([s]) => cnndmFile(s)),
    async load(dataDir) {
      const out: Omit<Instance, 'id'>[] = [];
      for (const [name, split] of SPLITS) {
        const text = await readDataText(dataDir, cnndmFile(name), 'summarization_cnndm');
        out.push(...parseCnndmSplit(text, dataFile(dataDir, cnndmFile(name)), split));
      }
      return withHelmIds(out);
    },
  };
}

export const scenarioModule: ScenarioModule = {
  name: 'summarization_cnndm',
  runSpecs(args: RunEntryArgs): RunSpec[] {
    const temperature = args.temperature !== undefined ? Number(args.temperature) : 0.3;
    const device = args.device ?? 'cpu';
    return [
      {
        name: `summarization_cnndm:temperature=${temperature},device=${device}`,
        scenario: cnndmScenario(),
        adapterSpec: summarizationSpec({ numSents: 3, maxTokens: 128, temperature }),
        metrics: ['rouge_2'],
        groups: ['summarization_cnndm'],
        mainMetric: 'rouge_2',
        mainSplit: 'test',
        dataAugmentation: dataAugmentation(args, 'summarization_cnndm'),
      },
    ];
  },
};
