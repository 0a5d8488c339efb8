// TruthfulQA mc_single, as HELM's truthful_qa_scenario.py (v0.3.0, identical in the organisers'
// fork): TruthfulQA.csv in file order, first int(0.2·N) rows train, the rest valid. References are
// the incorrect answers then the best answer, each made to end in ".", rotated left by
// ord(best[0]) % len(refs).
import { multipleChoiceJointSpec } from '../adapters/helm-specs.js';
import type { Instance, Reference, Split } from '../instance.js';
import { groupFields, type RunEntryArgs, type RunGroup, type RunSpec, type Scenario, type ScenarioModule } from '../run-spec.js';
import { EXACT_MATCH, EXACT_MATCH_METRICS } from '../metrics/basic-metrics.js';
import { UserError } from '../../core/errors.js';
import { multipleChoiceMethod, rejectUnknownArgs, requireArg } from './common/args.js';
import { expectFields, parseCsv, withoutHeader } from './common/csv.js';
import { readDataText } from './common/files.js';
import { pyStrip } from '../text/python-str.js';
import { ratioSplitIndex, withHelmIds } from './common/splits.js';
import { checkedPin, githubRaw, type DataSource } from '../data-source.js';

/** The 817-question 2023 file (upstream data/v1/TruthfulQA.csv, byte-identical to what HELM fetched). */
export const TRUTHFUL_QA_FILE = 'truthfulqa/data/v1/TruthfulQA.csv';
const TRUTHFUL_QA_COMMIT = 'd71c110897f5d31c5d7f309e7bc316c152f6f031'; // sylinrl/TruthfulQA

export const TRUTHFUL_QA_DATA: DataSource = {
  name: 'truthful_qa',
  pins: [
    checkedPin(TRUTHFUL_QA_FILE, githubRaw('sylinrl/TruthfulQA', TRUTHFUL_QA_COMMIT, 'data/v1/TruthfulQA.csv'), [
      'f9bd9e859cc102cb1f647f1064da7e009be752c416845cf9fa56e6eaae403a7d',
      476230,
    ]),
  ],
};
const TRAIN_RATIO = 0.2;
const TASKS = ['mc_single'] as const;

/** format_str: strip, then add "." unless it already ends with one. */
export function endWithPeriod(text: string): string {
  const s = pyStrip(text);
  if (s.length === 0) throw new UserError(`truthful_qa: empty answer`); // HELM would IndexError on s[-1]
  return s.endsWith('.') ? s : `${s}.`;
}

/** Rotates [incorrect..., best] left by ord(best[0]) % n (Python ord: a code point). */
export function truthfulQaReferences(best: string, incorrect: string[]): Reference[] {
  const refs: Reference[] = [...incorrect.map((text) => ({ text, correct: false })), { text: best, correct: true }];
  const k = best.codePointAt(0)! % refs.length;
  return [...refs.slice(k), ...refs.slice(0, k)];
}

export function parseTruthfulQa(text: string, file: string): Omit<Instance, 'id'>[] {
  const rows = withoutHeader(parseCsv(text, file), file);
  const k = ratioSplitIndex(rows.length, TRAIN_RATIO);
  return rows.map((row, i) => {
    const [, , question, bestAnswer, , incorrectAnswers] = expectFields(
      row,
      7,
      file,
      'Type, Category, Question, Best Answer, Correct Answers, Incorrect Answers, Source',
    );
    const incorrect = incorrectAnswers
      .split(';')
      .filter((a) => pyStrip(a).length > 0)
      .map(endWithPeriod);
    const split: Split = i < k ? 'train' : 'valid';
    return { input: pyStrip(question), references: truthfulQaReferences(endWithPeriod(bestAnswer), incorrect), split };
  });
}

export function truthfulQaScenario(): Scenario {
  return {
    name: 'truthful_qa',
    files: () => [TRUTHFUL_QA_FILE],
    async load(dataDir) {
      const text = await readDataText(dataDir, TRUTHFUL_QA_FILE, 'truthful_qa');
      return withHelmIds(parseTruthfulQa(text, `${dataDir}/${TRUTHFUL_QA_FILE}`));
    },
  };
}

export const TRUTHFUL_QA_GROUP: RunGroup = { name: 'truthful_qa', title: 'TruthfulQA', mainMetric: EXACT_MATCH, mainSplit: 'valid' };

export const scenarioModule: ScenarioModule = {
  name: 'truthful_qa',
  runGroups: [TRUTHFUL_QA_GROUP],
  data: TRUTHFUL_QA_DATA,
  runSpecs(args: RunEntryArgs): RunSpec[] {
    rejectUnknownArgs(args, 'truthful_qa', ['task', 'method']); // get_truthful_qa_spec(task, method)
    const task = requireArg(args, 'task', 'truthful_qa', TASKS);
    multipleChoiceMethod(args, 'truthful_qa');
    return [
      {
        name: `truthful_qa:task=${task},method=multiple_choice_joint`,
        scenario: truthfulQaScenario(),
        adapterSpec: multipleChoiceJointSpec({ instructions: '', inputNoun: 'Question', outputNoun: 'Answer' }),
        metrics: EXACT_MATCH_METRICS,
        ...groupFields(TRUTHFUL_QA_GROUP),
        dataAugmentation: null,
      },
    ];
  },
};
