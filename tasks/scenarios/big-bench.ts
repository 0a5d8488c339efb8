// BIG-bench JSON tasks, as HELM's big_bench_scenario.py and get_big_bench_spec (v0.3.0 = the
// organisers' fork). File layout mirrors the source URL
// raw.githubusercontent.com/google/BIG-bench/main/bigbench/benchmark_tasks/{task}/[{subtask}/]task.json
// under the data dir: bigbench/benchmark_tasks/{task}/[{subtask}/]task.json.
//
// Split: `random.seed(0); random.shuffle(examples)`; n_test = max(int(0.2·N), 16); the first
// N − 2·n_test are train, the next n_test test, the rest valid. References: "target_scores" → every
// key, correct when its score equals the maximum (in the file's key order: Python dicts keep it, so
// the file is parsed order-preservingly — JSON.parse would move integer-like keys first); "target"
// (string or list) → all correct.
//
// The adapter depends on the task file (method from its "metrics", prefixes, stop_string), so
// runSpecs reads it synchronously from the data dir passed in the run-entry context.
import { readFileSync } from 'node:fs';
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { adapterSpec, type AdapterSpec } from '../adapters/adapter-spec.js';
import type { Instance, Reference, Split } from '../instance.js';
import { groupFields, type RunEntryArgs, type RunGroup, type RunSpec, type RunSpecContext, type Scenario, type ScenarioModule } from '../run-spec.js';
import type { Metric } from '../metrics/metric.js';
import { EXACT_MATCH, EXACT_MATCH_METRICS, QUASI_EXACT_MATCH, ROUGE_1, ROUGE_2, ROUGE_L } from '../metrics/basic-metrics.js';
import { UserError } from '../../core/errors.js';
import { defaultDataDir } from '../../core/paths.js';
import { optionalArg, rejectUnknownArgs, requireArg } from './common/args.js';
import { dataFile, missingFileError, readDataText } from './common/files.js';
import { seededShuffle, withHelmIds } from './common/splits.js';
import { githubRaw, unverifiedPin, type DataSource } from '../data-source.js';

const MIN_TEST_EXAMPLES = 16;

export function bigBenchFile(task: string, subtask: string): string {
  return subtask ? `bigbench/benchmark_tasks/${task}/${subtask}/task.json` : `bigbench/benchmark_tasks/${task}/task.json`;
}

export interface BigBenchExample {
  input: string;
  references: Reference[];
}

export interface BigBenchTask {
  metrics: string[];
  taskPrefix: string | undefined;
  exampleInputPrefix: string | undefined;
  exampleOutputPrefix: string | undefined;
  stopString: unknown;
  examples: BigBenchExample[];
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function optionalString(root: Node, key: string, file: string): string | undefined {
  const node = findNodeAtLocation(root, [key]);
  if (!node) return undefined;
  const v = getNodeValue(node);
  if (typeof v !== 'string') throw new UserError(`${file}: "${key}" must be a string`);
  return v;
}

/** A target is a string in every BIG-bench JSON task; anything else is reported, not guessed at. */
function targetText(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  throw new UserError(`${where}: target must be a string, got ${JSON.stringify(v)}`);
}

function exampleReferences(ex: Node, text: string, file: string, index: number): Reference[] {
  const where = `${file}:${lineOf(text, ex.offset)} (example ${index})`;
  const scores = findNodeAtLocation(ex, ['target_scores']);
  if (scores) {
    if (scores.type !== 'object' || !scores.children) throw new UserError(`${where}: "target_scores" must be an object`);
    // Property nodes in source order: children[0] is the key, children[1] the value.
    const entries = scores.children.map((p) => {
      const key = p.children![0].value as string;
      const score = getNodeValue(p.children![1]);
      if (typeof score !== 'number') throw new UserError(`${where}: target_scores["${key}"] is not a number`);
      return [key, score] as const;
    });
    if (entries.length === 0) throw new UserError(`${where}: "target_scores" is empty`);
    const highest = Math.max(...entries.map(([, s]) => s));
    return entries.map(([t, s]) => ({ text: t, correct: s === highest }));
  }
  const target = findNodeAtLocation(ex, ['target']);
  if (target) {
    const v = getNodeValue(target);
    const targets = Array.isArray(v) ? v : [v];
    return targets.map((t) => ({ text: targetText(t, where), correct: true }));
  }
  throw new UserError(`${where}: example has neither "target" nor "target_scores"`);
}

export function parseBigBenchTask(text: string, file: string): BigBenchTask {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0 || !root || root.type !== 'object') {
    const e = errors[0];
    throw new UserError(
      e ? `${file}:${lineOf(text, e.offset)}: invalid JSON (${printParseErrorCode(e.error)})` : `${file}: expected a JSON object`,
    );
  }
  const metricsNode = findNodeAtLocation(root, ['metrics']);
  const metrics = metricsNode ? getNodeValue(metricsNode) : undefined;
  if (!Array.isArray(metrics) || !metrics.every((m) => typeof m === 'string')) {
    throw new UserError(`${file}: "metrics" must be a list of strings (required by the BIG-bench JSON schema)`);
  }
  const examplesNode = findNodeAtLocation(root, ['examples']);
  if (!examplesNode || examplesNode.type !== 'array' || !examplesNode.children) throw new UserError(`${file}: "examples" must be a list`);
  const examples = examplesNode.children.map((ex, i) => {
    const inputNode = findNodeAtLocation(ex, ['input']);
    const input = inputNode ? getNodeValue(inputNode) : undefined;
    if (typeof input !== 'string') throw new UserError(`${file}:${lineOf(text, ex.offset)} (example ${i}): "input" must be a string`);
    return { input, references: exampleReferences(ex, text, file, i) };
  });
  const stopNode = findNodeAtLocation(root, ['stop_string']);
  return {
    metrics,
    taskPrefix: optionalString(root, 'task_prefix', file),
    exampleInputPrefix: optionalString(root, 'example_input_prefix', file),
    exampleOutputPrefix: optionalString(root, 'example_output_prefix', file),
    stopString: stopNode ? getNodeValue(stopNode) : undefined,
    examples,
  };
}

export function bigBenchSplitOf(i: number, total: number): Split {
  const numTest = Math.max(Math.trunc(0.2 * total), MIN_TEST_EXAMPLES);
  const numTrain = total - numTest * 2;
  if (i < numTrain) return 'train';
  if (i < numTrain + numTest) return 'test';
  return 'valid';
}

export function bigBenchInstances(task: BigBenchTask): Omit<Instance, 'id'>[] {
  const shuffled = seededShuffle(task.examples, 0);
  return shuffled.map((ex, i) => ({ input: ex.input, references: ex.references, split: bigBenchSplitOf(i, shuffled.length) }));
}

/** get_adaptation_method: multiple_choice_joint iff "multiple_choice_grade" is among the metrics. */
export function bigBenchMethod(metrics: string[]): AdapterSpec['method'] {
  return metrics.includes('multiple_choice_grade') ? 'multiple_choice_joint' : 'generation';
}

/** get_metric_specs, restricted to the metrics evalfirst implements (bleu_1/bleu_4 are not). */
export function bigBenchMetrics(metrics: string[]): Metric[] {
  const chosen = new Set<Metric>();
  for (const m of metrics) {
    if (m === 'multiple_choice_grade') return [...EXACT_MATCH_METRICS];
    if (m === 'exact_str_match') chosen.add(EXACT_MATCH).add(QUASI_EXACT_MATCH);
    else if (m === 'rouge') chosen.add(ROUGE_1).add(ROUGE_2).add(ROUGE_L);
  }
  return [...chosen];
}

/** Python truthiness of task.get("stop_string") and str() of it. */
function stopSequences(stop: unknown): string[] {
  if (stop === undefined || stop === null || stop === false || stop === '' || stop === 0) return [];
  if (typeof stop === 'string') return [stop];
  throw new UserError(`big_bench: stop_string ${JSON.stringify(stop)} is not a string`);
}

export function bigBenchAdapterSpec(task: BigBenchTask): AdapterSpec {
  return adapterSpec({
    method: bigBenchMethod(task.metrics),
    maxTrainInstances: 5,
    numOutputs: 1,
    maxTokens: 64,
    temperature: 0,
    instructions: task.taskPrefix ?? '',
    inputPrefix: task.exampleInputPrefix ?? 'Question: ',
    outputPrefix: task.exampleOutputPrefix ?? 'Answer: ',
    stopSequences: stopSequences(task.stopString),
  });
}

function readTaskSync(dataDir: string, rel: string): BigBenchTask {
  let text: string;
  try {
    text = readFileSync(dataFile(dataDir, rel), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missingFileError(dataDir, rel, 'big_bench');
    throw err;
  }
  return parseBigBenchTask(text, dataFile(dataDir, rel));
}

export function bigBenchScenario(task: string, subtask: string): Scenario {
  const rel = bigBenchFile(task, subtask);
  return {
    name: 'big_bench',
    files: () => [rel],
    async load(dataDir) {
      const text = await readDataText(dataDir, rel, 'big_bench');
      return withHelmIds(bigBenchInstances(parseBigBenchTask(text, dataFile(dataDir, rel))));
    },
  };
}

/** BIG-bench tasks of the challenge confs (open 600/2000) and of the starter kit's run_specs.conf: [task, subtask]. */
export const BIG_BENCH_TASKS: [string, string][] = [
  ...[
    'auto_debugging',
    'code_line_description',
    'emoji_movie',
    'formal_fallacies_syllogisms_negation',
    'known_unknowns',
    'linguistics_puzzles',
    'logic_grid_puzzle',
    'novel_concepts',
    'operators',
    'play_dialog_same_or_different',
    'repeat_copy_logic',
    'strategyqa',
    'vitaminc_fact_verification',
    'winowhy',
    'analytic_entailment',
    'causal_judgment',
    'empirical_judgments',
    'snarks',
    'dark_humor_detection',
  ].map((t): [string, string] => [t, '']),
  ...['contradictions', 'emergent_properties', 'fanciful_fictional_combinations', 'homonyms', 'invented_words'].map(
    (s): [string, string] => ['conceptual_combinations', s],
  ),
  ...['three_objects', 'five_objects', 'seven_objects'].map((s): [string, string] => ['logical_deduction', s]),
  ...['boolean', 'multiple_choice'].map((s): [string, string] => ['strange_stories', s]),
  ...['adversarial', 'emoji_agnostic', 'name_agnostic', 'plain', 'tricky'].map((s): [string, string] => ['symbol_interpretation', s]),
];

/** HELM downloads task.json from BIG-bench's `main` branch, which moves: the URL path is pinned, not the bytes. */
export const BIG_BENCH_DATA: DataSource = {
  name: 'big_bench',
  pins: BIG_BENCH_TASKS.map(([t, s]) => unverifiedPin(bigBenchFile(t, s), githubRaw('google/BIG-bench', 'main', bigBenchFile(t, s)))),
};

// HELM names the group "BIG-bench" (get_big_bench_spec); evalfirst's results have always said big_bench.
export const BIG_BENCH_GROUP: RunGroup = { name: 'big_bench', title: 'BIG-bench', mainMetric: EXACT_MATCH, mainSplit: 'test' };

export const scenarioModule: ScenarioModule = {
  name: 'big_bench',
  runGroups: [BIG_BENCH_GROUP],
  data: BIG_BENCH_DATA,
  runSpecs(args: RunEntryArgs, ctx?: RunSpecContext): RunSpec[] {
    // get_big_bench_spec(task, subtask); HELM requires subtask, evalfirst defaults it to "".
    rejectUnknownArgs(args, 'big_bench', ['task', 'subtask']);
    const task = requireArg(args, 'task', 'big_bench');
    const subtask = optionalArg(args, 'subtask', 'big_bench', '');
    const parsed = readTaskSync(ctx?.dataDir ?? defaultDataDir(), bigBenchFile(task, subtask));
    const metrics = bigBenchMetrics(parsed.metrics);
    return [
      {
        name: `big_bench:task=${task}${subtask ? `,subtask=${subtask}` : ''}`,
        scenario: bigBenchScenario(task, subtask),
        adapterSpec: bigBenchAdapterSpec(parsed),
        metrics,
        ...groupFields(BIG_BENCH_GROUP),
        dataAugmentation: null,
      },
    ];
  },
};
