// MATH (Hendrycks et al.), as HELM's math_scenario.py + get_math_spec in the organisers' fork.
// HELM loads HF `competition_math`; evalfirst reads the original MATH.tar layout it was built from,
// one JSON per problem ({"problem", "level", "type", "solution"}):
//   MATH/train/<subject_dir>/<n>.json, MATH/test/<subject_dir>/<n>.json
// Instances: train then test, each filtered to type == subject ("Counting & Probability", ...) and
// level == "Level L". Order within a split: by subject directory, then numerically by file name.
// HF's competition_math builder yields `glob.glob(MATH/<split>/*/*)` unsorted, i.e. in the directory
// order of the file system it ran on, so HELM's order (which decides the in-context examples and the
// eval sample) is not reproducible; sorting makes ours deterministic.
// use_chain_of_thought=True: the gold is the whole solution (scored on its last \boxed{}).
// Otherwise the gold is the boxed answer (rows without one are dropped), and with
// use_official_examples=True the train split is HELM's 8 fixed examples.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { adapterSpec } from '../adapters/adapter-spec.js';
import type { Instance, Split } from '../instance.js';
import { groupFields, type RunEntryArgs, type RunGroup, type RunSpec, type Scenario, type ScenarioModule } from '../run-spec.js';
import { MATH_EQUIV, MATH_EQUIV_CHAIN_OF_THOUGHT } from '../metrics/basic-metrics.js';
import { UserError } from '../../core/errors.js';
import { pyBool, rejectUnknownArgs, requireArg } from './common/args.js';
import { boxedAnswer } from './common/boxed.js';
import { dataFile, missingFileError, readDataText } from './common/files.js';
import { withHelmIds } from './common/splits.js';
import type { DataSource } from '../data-source.js';

export const MATH_SUBJECTS: Record<string, string> = {
  number_theory: 'Number Theory',
  intermediate_algebra: 'Intermediate Algebra',
  algebra: 'Algebra',
  prealgebra: 'Prealgebra',
  geometry: 'Geometry',
  counting_and_probability: 'Counting & Probability',
  precalculus: 'Precalculus',
};
const LEVELS = ['1', '2', '3', '4', '5'] as const;

// HELM's use_official_examples train set (math_scenario.py), verbatim.
export const OFFICIAL_EXAMPLES: [string, string][] = [
  ['What is $\\left(\\frac{7}{8}\\right)^3 \\cdot \\left(\\frac{7}{8}\\right)^{-3}$?', '1'],
  ['In how many ways can 4 books be selected from a shelf of 6 books if the order in which the books are selected does not matter?', '15'],
  ['Find the distance between the points $(2,1,-4)$ and $(5,8,-3).$', '\\sqrt{59}'],
  [
    'The faces of an octahedral die are labeled with digits $1$ through $8$. What is the probability, expressed as a common fraction, of rolling a sum of $15$ with a pair of such octahedral dice?',
    '\\frac{1}{32}',
  ],
  ['The first three terms of an arithmetic sequence are 1, 10 and 19, respectively. What is the value of the 21st term?', '181'],
  ['Calculate $6 \\cdot 8\\frac{1}{3}', '50'],
  ['When the binary number $100101110010_2$ is divided by 4, what is the remainder (give your answer in base 10)?', '2'],
  ['How many zeros are at the end of the product 25 $\\times$ 240?', '3'],
];

export interface MathProblem {
  problem: string;
  level: string;
  type: string;
  solution: string;
}

export function parseMathProblem(text: string, file: string): MathProblem {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: invalid JSON: ${(err as Error).message}`);
  }
  const o = v as Record<string, unknown>;
  for (const key of ['problem', 'level', 'type', 'solution']) {
    if (typeof o?.[key] !== 'string') throw new UserError(`${file}: field "${key}" missing or not a string`);
  }
  return o as unknown as MathProblem;
}

function byNumericName(a: string, b: string): number {
  const na = Number.parseInt(a, 10);
  const nb = Number.parseInt(b, 10);
  return na !== nb && !Number.isNaN(na) && !Number.isNaN(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
}

/** The problem files of one split (relative to the data dir): subject directories sorted, files numerically. */
export async function listMathFiles(dataDir: string, split: 'train' | 'test'): Promise<string[]> {
  const rel = `MATH/${split}`;
  let dirs: string[];
  try {
    dirs = (await readdir(dataFile(dataDir, rel), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missingFileError(dataDir, rel, 'math');
    throw err;
  }
  const out: string[] = [];
  for (const d of dirs) {
    const files = (await readdir(dataFile(dataDir, join(rel, d)))).filter((f) => f.endsWith('.json')).sort(byNumericName);
    out.push(...files.map((f) => `${rel}/${d}/${f}`));
  }
  return out;
}

/** Every problem of one split, in listMathFiles order. */
export async function readMathSplit(dataDir: string, split: 'train' | 'test'): Promise<MathProblem[]> {
  const out: MathProblem[] = [];
  for (const relFile of await listMathFiles(dataDir, split)) {
    out.push(parseMathProblem(await readDataText(dataDir, relFile, 'math'), dataFile(dataDir, relFile)));
  }
  return out;
}

export interface MathOptions {
  subject: string;
  level: string;
  useOfficialExamples: boolean;
  useChainOfThought: boolean;
}

export function mathInstances(train: MathProblem[], test: MathProblem[], o: MathOptions): Omit<Instance, 'id'>[] {
  const type = MATH_SUBJECTS[o.subject];
  const level = `Level ${o.level}`;
  const out: Omit<Instance, 'id'>[] = [];
  const add = (problem: string, answer: string, split: Split) => out.push({ input: problem, references: [{ text: answer, correct: true }], split });
  for (const [split, problems] of [
    ['train', train],
    ['test', test],
  ] as const) {
    if (split === 'train' && o.useOfficialExamples) {
      for (const [p, a] of OFFICIAL_EXAMPLES) add(p, a, 'train');
      continue;
    }
    for (const ex of problems) {
      if (ex.type !== type || ex.level !== level) continue;
      if (o.useChainOfThought) add(ex.problem, ex.solution, split);
      else {
        const answer = boxedAnswer(ex.solution);
        if (answer !== null) add(ex.problem, answer, split);
      }
    }
  }
  return out;
}

export function mathScenario(o: MathOptions): Scenario {
  return {
    name: 'math',
    // Every file read (HELM filters by the "type" field, so all subjects are read, not one directory).
    async files(dataDir) {
      return [...(o.useOfficialExamples ? [] : await listMathFiles(dataDir, 'train')), ...(await listMathFiles(dataDir, 'test'))];
    },
    async load(dataDir) {
      const train = o.useOfficialExamples ? [] : await readMathSplit(dataDir, 'train');
      const test = await readMathSplit(dataDir, 'test');
      return withHelmIds(mathInstances(train, test, o));
    },
  };
}

/** Python's str(bool) as it appears in HELM's run name. */
const pyStr = (b: boolean): string => (b ? 'True' : 'False');

const MATH_TAR = 'https://people.eecs.berkeley.edu/~hendrycks/MATH.tar';

/** One archive with no published checksum, unpacked by `data fetch math`; its 12,500 problem files are not pinned one by one. */
export const MATH_DATA: DataSource = {
  name: 'math',
  pins: [],
  archive: { archive: { path: 'MATH.tar', url: MATH_TAR, sha256: null, bytes: null }, members: ['MATH/train', 'MATH/test'], into: '' },
  unpinned: [
    {
      pattern: /^MATH\/(train|test)\/[^/]+\/[^/]+\.json$/,
      reason: `MATH comes as one archive (${MATH_TAR}, no published checksum); \`data fetch math\` downloads and unpacks it into MATH/{train,test}/<subject>/<n>.json`,
    },
  ],
};

export const MATH_CHAIN_OF_THOUGHT_GROUP: RunGroup = {
  name: 'math_chain_of_thought',
  title: 'MATH (chain-of-thoughts)',
  mainMetric: MATH_EQUIV_CHAIN_OF_THOUGHT,
  mainSplit: 'test',
};
export const MATH_REGULAR_GROUP: RunGroup = { name: 'math_regular', title: 'MATH', mainMetric: MATH_EQUIV, mainSplit: 'test' };

export const scenarioModule: ScenarioModule = {
  name: 'math',
  runGroups: [MATH_CHAIN_OF_THOUGHT_GROUP, MATH_REGULAR_GROUP],
  data: MATH_DATA,
  runSpecs(args: RunEntryArgs): RunSpec[] {
    // get_math_spec(subject, level, use_official_examples="False", use_chain_of_thought="False")
    rejectUnknownArgs(args, 'math', ['subject', 'level', 'use_official_examples', 'use_chain_of_thought']);
    const subject = requireArg(args, 'subject', 'math', Object.keys(MATH_SUBJECTS));
    const level = requireArg(args, 'level', 'math', LEVELS);
    const useOfficialExamples = pyBool(args, 'use_official_examples');
    const useChainOfThought = pyBool(args, 'use_chain_of_thought');
    if (useChainOfThought && useOfficialExamples) {
      throw new UserError('math: cannot use official examples when use_chain_of_thought is True');
    }
    const o: MathOptions = { subject, level, useOfficialExamples, useChainOfThought };
    const spec = adapterSpec({
      method: 'generation',
      instructions: 'Given a mathematics problem, determine the answer. Simplify your answer as much as possible.\n',
      maxTrainInstances: 8,
      numOutputs: 1,
      temperature: 0,
      inputPrefix: 'Problem: ',
      inputSuffix: '\n',
      instancePrefix: '###\n',
      ...(useChainOfThought
        ? { outputPrefix: 'Answer: ', outputSuffix: '\n', maxTokens: 400, stopSequences: ['###'] }
        : { outputPrefix: 'Answer: $', outputSuffix: '$\n', maxTokens: 20, stopSequences: ['$'] }),
    });
    const group = useChainOfThought ? MATH_CHAIN_OF_THOUGHT_GROUP : MATH_REGULAR_GROUP;
    return [
      {
        name: `math:subject=${subject},level=${level},use_official_examples=${pyStr(useOfficialExamples)},use_chain_of_thought=${pyStr(useChainOfThought)}`,
        scenario: mathScenario(o),
        adapterSpec: spec,
        metrics: [group.mainMetric], // get_math_metric_specs(use_chain_of_thought)
        ...groupFields(group),
        dataAugmentation: null,
      },
    ];
  },
};
