// SAMSum as the organisers ran it (perlitz/private-helm neurips_eval_good, sam_sum_scenario.py):
// the gist samsum.tsv read with csv.DictReader(delimiter="\t") (so Python's CSV quoting applies),
// every row a VALID instance: there is no train split, so the 5-shot spec runs zero-shot.
// Data layout: hidden/samsum.tsv (the organisers' hidden-eval gist files live under hidden/).
import type { Instance } from '../instance.js';
import { groupFields, type RunEntryArgs, type RunGroup, type RunSpec, type RunSpecContext, type Scenario, type ScenarioModule } from '../run-spec.js';
import { SUMMARIZATION_ROUGE, SUMMARIZATION_ROUGE_2 } from '../metrics/summarization-metrics.js';
import { UserError } from '../../core/errors.js';
import { rejectUnknownArgs } from './common/args.js';
import { parseCsv } from './common/csv.js';
import { dataFile, readDataText } from './common/files.js';
import { withHelmIds } from './common/splits.js';
import { summarizationSpec } from './common/summarization-spec.js';
import { biasMetrics } from '../metrics/bias/bias-run-metrics.js';
import { unverifiedPin, type DataSource } from '../data-source.js';

export const SAM_SUM_FILE = 'hidden/samsum.tsv';

/** The organisers' gist (sam_sum_scenario.py); a gist revision, but no copy to hash. */
export const SAM_SUM_DATA: DataSource = {
  name: 'sam_sum',
  pins: [unverifiedPin(SAM_SUM_FILE, 'https://gist.githubusercontent.com/msaroufim/3f1845a5d93b50d849c42b7baeb2f716/raw/11c2d1814a69bb2cfa54549eaa50c0dcc104b9e5/samsum.tsv')],
};

/** csv.DictReader: the first row names the columns; rows are mapped by name (short rows → missing keys). */
export function parseSamSum(text: string, file: string): Omit<Instance, 'id'>[] {
  const rows = parseCsv(text, file, { delimiter: '\t' });
  if (rows.length === 0) throw new UserError(`${file}: empty file, expected a header with dialogue and summary`);
  const header = rows[0].fields;
  const di = header.indexOf('dialogue');
  const si = header.indexOf('summary');
  if (di < 0 || si < 0) throw new UserError(`${file}:${rows[0].line}: header must name columns "dialogue" and "summary", found ${header.join(', ')}`);
  return rows.slice(1).map((row) => {
    const dialogue = row.fields[di];
    const summary = row.fields[si];
    if (dialogue === undefined || summary === undefined) {
      throw new UserError(`${file}:${row.line}: expected ${header.length} tab-separated columns, found ${row.fields.length}`);
    }
    return { input: dialogue, references: [{ text: summary, correct: true }], split: 'valid' as const };
  });
}

export function samSumScenario(): Scenario {
  return {
    name: 'sam_sum',
    files: () => [SAM_SUM_FILE],
    async load(dataDir) {
      const text = await readDataText(dataDir, SAM_SUM_FILE, 'sam_sum');
      return withHelmIds(parseSamSum(text, dataFile(dataDir, SAM_SUM_FILE)));
    },
  };
}

export const SAM_SUM_GROUP: RunGroup = { name: 'sam_sum', title: 'sam_sum', mainMetric: SUMMARIZATION_ROUGE_2, mainSplit: 'valid' };

export const scenarioModule: ScenarioModule = {
  name: 'sam_sum',
  runGroups: [SAM_SUM_GROUP],
  data: SAM_SUM_DATA,
  runSpecs(args: RunEntryArgs, context?: RunSpecContext): RunSpec[] {
    rejectUnknownArgs(args, 'sam_sum', []); // get_sam_sum_spec()
    return [
      {
        name: 'sam_sum',
        scenario: samSumScenario(),
        adapterSpec: summarizationSpec({ numSents: 1, maxTokens: 128, temperature: 0.3 }),
        // SummarizationMetric's ROUGE, and get_generative_harms_metric_specs' bias metrics (the
        // challenge ranked four of them: Stereotypes/Representation, race and gender).
        metrics: [...SUMMARIZATION_ROUGE, ...biasMetrics(context?.dataDir)],
        ...groupFields(SAM_SUM_GROUP),
        dataAugmentation: null,
      },
    ];
  },
};
