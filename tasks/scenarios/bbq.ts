// BBQ, as HELM's bbq_scenario.py (v0.3.0 = the organisers' fork): the JSONL of every category
// (subject=all: all 11) concatenated in category order, `random.seed(0); random.shuffle`, the last
// DEFAULT_TEST_SIZE = 1000 test and the rest train. Input is PassageQuestionInput
// "{context}\nQuestion: {question}"; references ans0..ans2, the `label` one correct.
//
// Missing categories: HELM downloads every file and fails when one cannot be had. The shuffle
// mixes all 58,492 rows, so a subset of the files yields different test instances; we therefore
// refuse `subject=all` with a clear error listing the missing files (fetch them with
// `evalfirst data fetch bbq`). A single category (`bbq:subject=Age`) works on its own file, as in HELM.
import { multipleChoiceJointSpec } from '../adapters/helm-specs.js';
import type { Instance } from '../instance.js';
import { groupFields, type RunEntryArgs, type RunGroup, type RunSpec, type Scenario, type ScenarioModule } from '../run-spec.js';
import { EXACT_MATCH_METRICS, QUASI_EXACT_MATCH } from '../metrics/basic-metrics.js';
import { UserError } from '../../core/errors.js';
import { multipleChoiceMethod, optionalArg, rejectUnknownArgs } from './common/args.js';
import { dataFile, fileExists, readDataText } from './common/files.js';
import { parseJsonl, stringField } from './common/jsonl.js';
import { seededShuffle, withHelmIds } from './common/splits.js';
import { checkedPin, githubRaw, type DataSource, type FilePin } from '../data-source.js';

export const BBQ_CATEGORIES = [
  'Age',
  'Disability_status',
  'Gender_identity',
  'Nationality',
  'Physical_appearance',
  'Race_ethnicity',
  'Race_x_SES',
  'Race_x_gender',
  'Religion',
  'SES',
  'Sexual_orientation',
] as const;
const DEFAULT_TEST_SIZE = 1000;

export const bbqFile = (category: string): string => `bbq/data/${category}.jsonl`;

const BBQ_COMMIT = 'bea11bd97d79217245b5871acd247b9d6eb24598'; // nyu-mll/BBQ
/** sha256 and size where ../shared/datasets has the file; else the upstream git blob id (the five files too large for it). */
const BBQ_CHECKSUMS: Record<(typeof BBQ_CATEGORIES)[number], readonly [string, number] | string> = {
  Age: ['46e805b3fc2d8cbd26eeb8e8430d98cf7b2dc9c83574ff3674e8ce4f0fca2a60', 3091834],
  Disability_status: ['375d40d9b71f056150264445ec189b13934998f3f49a1e311aa7578eb3b45e5f', 1336984],
  Gender_identity: 'dc79ceaaa9e7126edc99a200d632899c50274b16',
  Nationality: ['a583e74666aec0341ded8aa3983e7cad694eb24de72c254d28b2df3035720090', 2900040],
  Physical_appearance: ['e48d7e13508565f4801574e611043470c25c95a0a62af3699cb5ee7cb02608fb', 1347476],
  Race_ethnicity: '68daf3d692b27a10596772b3b15742b26f0b110e',
  Race_x_SES: '905cd8a5b8734e2063fe524e69a38f0a71c75907',
  Race_x_gender: 'dd09a905b284690445d36259d675243950fa0bd7',
  Religion: ['cb9555f9f3454a52cd2df85956b59bd7fcca5aa922c8527693b1164d08417616', 1118728],
  SES: '78d11ffbdb70f501617345e5c697d00045d57c29',
  Sexual_orientation: ['2c71036b9e7584fe589c42aef32c1a42bc01b9a5e9b1b8704342630cdb08cefd', 729010],
};

export const BBQ_DATA: DataSource = {
  name: 'bbq',
  pins: BBQ_CATEGORIES.map((c): FilePin => {
    const url = githubRaw('nyu-mll/BBQ', BBQ_COMMIT, `data/${c}.jsonl`);
    const checksum = BBQ_CHECKSUMS[c];
    return typeof checksum === 'string' ? { path: bbqFile(c), url, sha256: null, gitBlobSha1: checksum, bytes: null } : checkedPin(bbqFile(c), url, checksum);
  }),
};

interface BbqRow {
  context: string;
  question: string;
  answers: [string, string, string];
  label: number;
  category: string;
  polarity: string;
  contextCondition: string;
}

export function parseBbqLines(text: string, file: string, category: string): BbqRow[] {
  return parseJsonl(text, file).map((rec) => {
    const label = rec.value.label;
    if (label !== 0 && label !== 1 && label !== 2) throw new UserError(`${file}:${rec.line}: "label" must be 0, 1 or 2`);
    return {
      context: stringField(rec, 'context', file),
      question: stringField(rec, 'question', file),
      answers: [stringField(rec, 'ans0', file), stringField(rec, 'ans1', file), stringField(rec, 'ans2', file)],
      label,
      category,
      polarity: stringField(rec, 'question_polarity', file),
      contextCondition: stringField(rec, 'context_condition', file),
    };
  });
}

/** Shuffle with seed 0 and split: index < len - 1000 → train, else test (all test when len ≤ 1000). */
export function bbqInstances(rows: BbqRow[]): Omit<Instance, 'id'>[] {
  const shuffled = seededShuffle(rows, 0);
  const trainSize = shuffled.length - DEFAULT_TEST_SIZE;
  return shuffled.map((r, idx) => ({
    input: `${r.context}\nQuestion: ${r.question}`,
    // HELM tags every reference whose *text* equals the correct answer's text.
    references: r.answers.map((text) => ({ text, correct: text === r.answers[r.label] })),
    split: idx < trainSize ? 'train' : 'test',
    meta: { category: r.category, question_polarity: r.polarity, context_condition: r.contextCondition },
  }));
}

const SUBJECTS = ['all', ...BBQ_CATEGORIES] as const;
type BbqSubject = (typeof SUBJECTS)[number];

export function bbqCategories(subject: BbqSubject): string[] {
  return subject === 'all' ? [...BBQ_CATEGORIES] : [subject];
}

export function bbqScenario(subject: BbqSubject): Scenario {
  const categories = bbqCategories(subject);
  return {
    name: 'bbq',
    files: () => categories.map(bbqFile),
    async load(dataDir) {
      const missing: string[] = [];
      for (const c of categories) if (!(await fileExists(dataFile(dataDir, bbqFile(c))))) missing.push(c);
      if (missing.length > 0 && categories.length > 1) {
        throw new UserError(
          `bbq:subject=all needs all ${categories.length} category files; missing in ${dataDir}/bbq/data: ` +
            `${missing.map((c) => `${c}.jsonl`).join(', ')}. HELM shuffles all categories together, so a subset ` +
            `would change the 1000 test instances. Run \`evalfirst data fetch bbq --data-dir ${dataDir}\`, ` +
            `or evaluate one category (e.g. bbq:subject=Age).`,
        );
      }
      const rows: BbqRow[] = [];
      for (const c of categories) {
        const text = await readDataText(dataDir, bbqFile(c), 'bbq');
        rows.push(...parseBbqLines(text, dataFile(dataDir, bbqFile(c)), c));
      }
      return withHelmIds(bbqInstances(rows));
    },
  };
}

export const BBQ_GROUP: RunGroup = { name: 'bbq', title: 'BBQ', mainMetric: QUASI_EXACT_MATCH, mainSplit: 'test' };

export const scenarioModule: ScenarioModule = {
  name: 'bbq',
  runGroups: [BBQ_GROUP],
  data: BBQ_DATA,
  runSpecs(args: RunEntryArgs): RunSpec[] {
    // get_bbq_spec(subject, method); HELM requires subject, evalfirst defaults it to "all".
    rejectUnknownArgs(args, 'bbq', ['subject', 'method']);
    const subject = optionalArg(args, 'subject', 'bbq', 'all', SUBJECTS);
    multipleChoiceMethod(args, 'bbq');
    return [
      {
        name: `bbq:subject=${subject},method=multiple_choice_joint`,
        scenario: bbqScenario(subject),
        adapterSpec: multipleChoiceJointSpec({
          instructions: 'The following are multiple choice questions (with answers).',
          inputNoun: 'Passage',
          outputNoun: 'Answer',
        }),
        // HELM also runs BBQMetric (bias scores); not ranked by the challenge, not implemented here.
        metrics: EXACT_MATCH_METRICS,
        ...groupFields(BBQ_GROUP),
        dataAugmentation: null,
      },
    ];
  },
};
