// CNN/DailyMail summarization, as HELM's summarization_scenario.py with get_cnndm_summarization_spec
// (dataset cnn-dm, sampling_min_length 50, sampling_max_length 150, doc_max_length 512).
//
// Sources, in order of preference:
//   cnndm/cnndm.pk  HELM's own pickle (crfm-helm-public .../summarization_scenario/cnndm.pk): a dict
//                   with splits "train", "validation", "test", each a list of {"article", "highlights"};
//                   parsed without Python (pickleparser never executes code from the file).
//   cnndm/{train,validation,test}.jsonl  the same records as JSON Lines (HF cnn_dailymail field names),
//                   for when the pickle is not at hand.
// Instances come in the order train, validation, test. Articles: newlines → spaces, then the first
// 512 whitespace tokens (Python str.split) joined by one space; summaries: the same without the cap.
// Train articles are kept only when 50 ≤ words ≤ 150.
import { readFile } from 'node:fs/promises';
import { Parser } from 'pickleparser';
import { UserError } from '../../core/errors.js';
import type { Instance, Split } from '../instance.js';
import { groupFields, type RunEntryArgs, type RunGroup, type RunSpec, type RunSpecContext, type Scenario, type ScenarioModule } from '../run-spec.js';
import { SUMMARIZATION_ROUGE, SUMMARIZATION_ROUGE_2 } from '../metrics/summarization-metrics.js';
import { biasMetrics } from '../metrics/bias/bias-run-metrics.js';
import { numberArg, optionalArg, rejectUnknownArgs } from './common/args.js';
import { dataFile, fileExists, readDataText } from './common/files.js';
import { parseJsonl, stringField } from './common/jsonl.js';
import { pySplit } from '../text/python-str.js';
import { withHelmIds } from './common/splits.js';
import { summarizationSpec } from './common/summarization-spec.js';
import { unverifiedPin, type DataSource } from '../data-source.js';

const SPLITS: [string, Split][] = [
  ['train', 'train'],
  ['validation', 'valid'],
  ['test', 'test'],
];
export const cnndmFile = (split: string): string => `cnndm/${split}.jsonl`;
export const CNNDM_PICKLE = 'cnndm/cnndm.pk';
const DOC_MAX_LENGTH = 512;
const SAMPLING_MIN_LENGTH = 50;
const SAMPLING_MAX_LENGTH = 150;

/** _clean_and_truncate: text.replace("\n", " "), then " ".join(text.split()[:max_length]). */
export function cleanAndTruncate(text: string, maxLength?: number): string {
  const words = pySplit(text.replaceAll('\n', ' '));
  return (maxLength === undefined ? words : words.slice(0, maxLength)).join(' ');
}

interface CnndmRecord {
  article: string;
  highlights: string;
}

export function cnndmInstances(records: CnndmRecord[], split: Split): Omit<Instance, 'id'>[] {
  const out: Omit<Instance, 'id'>[] = [];
  for (const rec of records) {
    const article = cleanAndTruncate(rec.article, DOC_MAX_LENGTH);
    const summary = cleanAndTruncate(rec.highlights);
    if (split === 'train') {
      const len = pySplit(article).length;
      if (len > SAMPLING_MAX_LENGTH || len < SAMPLING_MIN_LENGTH) continue;
    }
    out.push({ input: article, references: [{ text: summary, correct: true }], split });
  }
  return out;
}

export function parseCnndmSplit(text: string, file: string, split: Split): Omit<Instance, 'id'>[] {
  return cnndmInstances(
    parseJsonl(text, file).map((rec) => ({ article: stringField(rec, 'article', file), highlights: stringField(rec, 'highlights', file) })),
    split,
  );
}

/** HELM's cnndm.pk: {split: [{article, highlights, ...}]}; every record checked, errors name split and index. */
export function parseCnndmPickle(bytes: Buffer, file: string): Record<string, CnndmRecord[]> {
  let data: unknown;
  try {
    data = new Parser().parse(bytes);
  } catch (err) {
    throw new UserError(`${file}: not a readable pickle: ${(err as Error).message}`);
  }
  const out: Record<string, CnndmRecord[]> = {};
  for (const [name] of SPLITS) {
    const records = (data as Record<string, unknown> | null)?.[name];
    if (!Array.isArray(records)) throw new UserError(`${file}: expected a dict with a list under "${name}"`);
    out[name] = records.map((r, i) => {
      const rec = r as Record<string, unknown> | null;
      if (typeof rec?.article !== 'string' || typeof rec?.highlights !== 'string') {
        throw new UserError(`${file}: ${name}[${i}] lacks string "article" and "highlights"`);
      }
      return { article: rec.article, highlights: rec.highlights };
    });
  }
  return out;
}

export function cnndmScenario(): Scenario {
  return {
    name: 'summarization_cnndm',
    async files(dataDir) {
      return (await fileExists(dataFile(dataDir, CNNDM_PICKLE))) ? [CNNDM_PICKLE] : SPLITS.map(([s]) => cnndmFile(s));
    },
    async load(dataDir) {
      const out: Omit<Instance, 'id'>[] = [];
      if (await fileExists(dataFile(dataDir, CNNDM_PICKLE))) {
        const splits = parseCnndmPickle(await readFile(dataFile(dataDir, CNNDM_PICKLE)), dataFile(dataDir, CNNDM_PICKLE));
        for (const [name, split] of SPLITS) out.push(...cnndmInstances(splits[name], split));
        return withHelmIds(out);
      }
      for (const [name, split] of SPLITS) {
        const text = await readDataText(dataDir, cnndmFile(name), 'summarization_cnndm');
        out.push(...parseCnndmSplit(text, dataFile(dataDir, cnndmFile(name)), split));
      }
      return withHelmIds(out);
    },
  };
}

export const CNNDM_GROUP: RunGroup = { name: 'summarization_cnndm', title: 'CNN/DailyMail', mainMetric: SUMMARIZATION_ROUGE_2, mainSplit: 'test' };

export const CNNDM_DATA: DataSource = {
  name: 'summarization_cnndm',
  // HELM's pickle; its records are read without Python.
  pins: [unverifiedPin(CNNDM_PICKLE, 'https://storage.googleapis.com/crfm-helm-public/source_datasets/scenarios/summarization_scenario/cnndm.pk')],
  unpinned: [
    {
      pattern: /^cnndm\/(train|validation|test)\.jsonl$/,
      reason: "the JSON Lines stand-in for HELM's cnndm.pk: the user's own export of the same records, no upstream file",
    },
  ],
};

export const scenarioModule: ScenarioModule = {
  name: 'summarization_cnndm',
  runGroups: [CNNDM_GROUP],
  data: CNNDM_DATA,
  runSpecs(args: RunEntryArgs, context?: RunSpecContext): RunSpec[] {
    // get_cnndm_summarization_spec(temperature: float = 0.3, device: str = "cpu")
    rejectUnknownArgs(args, 'summarization_cnndm', ['temperature', 'device']);
    const temperature = numberArg(args, 'temperature', 'summarization_cnndm', 0.3);
    const device = optionalArg(args, 'device', 'summarization_cnndm', 'cpu');
    return [
      {
        name: `summarization_cnndm:temperature=${temperature},device=${device}`,
        scenario: cnndmScenario(),
        adapterSpec: summarizationSpec({ numSents: 3, maxTokens: 128, temperature }),
        metrics: [...SUMMARIZATION_ROUGE, ...biasMetrics(context?.dataDir)], // + get_generative_harms_metric_specs' bias metrics
        ...groupFields(CNNDM_GROUP),
        dataAugmentation: null,
      },
    ];
  },
};
