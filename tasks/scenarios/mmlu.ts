// MMLU (Hendrycks et al.), as HELM v0.3.0 mmlu_scenario.py reads it: for one subject,
// data/dev/<subject>_dev.csv → train, data/val/<subject>_val.csv → valid,
// data/test/<subject>_test.csv → test, in that order. Rows have no header:
// question, A, B, C, D, answer letter. Every reference whose text equals the answer's text is correct.
// Run spec: get_mmlu_spec (multiple_choice_joint, 5-shot, exact-match metrics, group "mmlu").
import { multipleChoiceJointSpec } from '../adapters/helm-specs.js';
import type { Instance, Split } from '../instance.js';
import { groupFields, type RunEntryArgs, type RunGroup, type RunSpec, type Scenario, type ScenarioModule } from '../run-spec.js';
import { EXACT_MATCH, EXACT_MATCH_METRICS } from '../metrics/basic-metrics.js';
import { UserError } from '../../core/errors.js';
import { multipleChoiceMethod, rejectUnknownArgs, requireArg } from './common/args.js';
import { expectFields, parseCsv } from './common/csv.js';
import { dataFile, readDataText } from './common/files.js';
import { withHelmIds } from './common/splits.js';
import { checkedPin, type DataSource } from '../data-source.js';
import { MMLU_CHECKSUMS } from './mmlu-checksums.js';

export const MMLU_SUBJECTS = [
  'abstract_algebra', 'anatomy', 'astronomy', 'business_ethics', 'clinical_knowledge', 'college_biology',
  'college_chemistry', 'college_computer_science', 'college_mathematics', 'college_medicine', 'college_physics',
  'computer_security', 'conceptual_physics', 'econometrics', 'electrical_engineering', 'elementary_mathematics',
  'formal_logic', 'global_facts', 'high_school_biology', 'high_school_chemistry', 'high_school_computer_science',
  'high_school_european_history', 'high_school_geography', 'high_school_government_and_politics',
  'high_school_macroeconomics', 'high_school_mathematics', 'high_school_microeconomics', 'high_school_physics',
  'high_school_psychology', 'high_school_statistics', 'high_school_us_history', 'high_school_world_history',
  'human_aging', 'human_sexuality', 'international_law', 'jurisprudence', 'logical_fallacies', 'machine_learning',
  'management', 'marketing', 'medical_genetics', 'miscellaneous', 'moral_disputes', 'moral_scenarios', 'nutrition',
  'philosophy', 'prehistory', 'professional_accounting', 'professional_law', 'professional_medicine',
  'professional_psychology', 'public_relations', 'security_studies', 'sociology', 'us_foreign_policy', 'virology',
  'world_religions',
] as const;

export type MmluSubject = (typeof MMLU_SUBJECTS)[number];

/** HELM's folder → split mapping, in reading order (auxiliary_train has no per-subject file). */
const MMLU_SPLITS: [folder: string, split: Split][] = [
  ['dev', 'train'],
  ['val', 'valid'],
  ['test', 'test'],
];

const LETTERS = ['A', 'B', 'C', 'D'];

/** The data file of one subject and folder, relative to the data dir. */
export function mmluFile(subject: string, folder: string): string {
  return `mmlu/data/${folder}/${subject}_${folder}.csv`;
}

/** Parses one MMLU CSV (process_csv) into instances without ids. */
export function parseMmluCsv(text: string, file: string, split: Split): Omit<Instance, 'id'>[] {
  return parseCsv(text, file).map((row) => {
    const [question, a, b, c, d, answer] = expectFields(row, 6, file, 'question, A, B, C, D, answer');
    const choices = [a, b, c, d];
    const index = LETTERS.indexOf(answer);
    if (index < 0) throw new UserError(`${file}:${row.line}: answer ${JSON.stringify(answer)} is not one of ${LETTERS.join(', ')}`);
    const correctText = choices[index];
    return { input: question, references: choices.map((text) => ({ text, correct: text === correctText })), split };
  });
}

export function mmluScenario(subject: string): Scenario {
  return {
    name: 'mmlu',
    files: () => MMLU_SPLITS.map(([folder]) => mmluFile(subject, folder)),
    async load(dataDir) {
      const out: Omit<Instance, 'id'>[] = [];
      for (const [folder, split] of MMLU_SPLITS) {
        const rel = mmluFile(subject, folder);
        out.push(...parseMmluCsv(await readDataText(dataDir, rel, 'mmlu'), dataFile(dataDir, rel), split));
      }
      return withHelmIds(out);
    },
  };
}

export const MMLU_GROUP: RunGroup = { name: 'mmlu', title: 'MMLU', mainMetric: EXACT_MATCH, mainSplit: 'test' };

/** get_mmlu_spec(subject, method="multiple_choice_joint"). */
export function mmluRunSpec(subject: string): RunSpec {
  const method = 'multiple_choice_joint';
  return {
    name: `mmlu:subject=${subject},method=${method}`,
    scenario: mmluScenario(subject),
    adapterSpec: multipleChoiceJointSpec({
      instructions: `The following are multiple choice questions (with answers) about ${subject.replaceAll('_', ' ')}.`,
      inputNoun: 'Question',
      outputNoun: 'Answer',
    }),
    metrics: EXACT_MATCH_METRICS,
    ...groupFields(MMLU_GROUP),
    dataAugmentation: null,
  };
}

const DATA_TAR = 'https://people.eecs.berkeley.edu/~hendrycks/data.tar';

/** Every subject's dev/val/test file, a member of HELM's source data.tar, verified by sha256 after unpacking. */
export const MMLU_DATA: DataSource = {
  name: 'mmlu',
  pins: MMLU_SUBJECTS.flatMap((s) => MMLU_SPLITS.map(([folder]) => mmluFile(s, folder)))
    .sort()
    .map((path) => {
      const checksum = MMLU_CHECKSUMS[path];
      if (!checksum) throw new Error(`tasks/scenarios/mmlu-checksums.ts has no entry for ${path}`);
      return checkedPin(path, null, checksum, `member ${path.slice('mmlu/'.length)} of ${DATA_TAR} (HELM's source)`);
    }),
  // No checksum is published for the archive itself; its members are checked.
  archive: { archive: { path: 'mmlu/data.tar', url: DATA_TAR, sha256: null, bytes: null }, members: ['data/dev', 'data/val', 'data/test'], into: 'mmlu' },
};

export const scenarioModule: ScenarioModule = {
  name: 'mmlu',
  runGroups: [MMLU_GROUP],
  data: MMLU_DATA,
  runSpecs(args: RunEntryArgs): RunSpec[] {
    rejectUnknownArgs(args, 'mmlu', ['subject', 'method']); // get_mmlu_spec(subject, method)
    const subject = requireArg(args, 'subject', 'mmlu', MMLU_SUBJECTS);
    multipleChoiceMethod(args, 'mmlu');
    return [mmluRunSpec(subject)];
  },
};
