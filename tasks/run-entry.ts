// HELM run entries: `name:key=value,key=value` (HELM v0.3.0 common/object_spec.py parse_object_spec),
// and HELM's generic run expanders (benchmark/run_expander.py) that rewrite the run specs a scenario
// builds: max_eval_instances, max_train_instances, num_outputs, num_train_trials, model,
// data_augmentation, instructions, prompt, newline, stop, global_prefix.
import type { AdapterSpec } from './adapters/adapter-spec.js';
import type { RunEntryArgs, RunSpec } from './run-spec.js';
import { UserError } from '../core/errors.js';

export interface ParsedRunEntry {
  /** The text as written (for error messages). */
  description: string;
  /** Scenario name before the colon ("mmlu"). */
  name: string;
  /** Arguments in the order written (expanders apply in this order, as in HELM). */
  args: [string, string][];
}

/** Parses `name:key=value,...` exactly as HELM splits it (first ':' then ',' then first '='). */
export function parseRunEntry(description: string): ParsedRunEntry {
  const text = description.trim();
  if (text.length === 0) throw new UserError('empty run entry');
  const colon = text.indexOf(':');
  const name = (colon >= 0 ? text.slice(0, colon) : text).trim();
  if (name.length === 0) throw new UserError(`run entry "${description}": missing scenario name before ':'`);
  const args: [string, string][] = [];
  if (colon >= 0) {
    const seen = new Set<string>();
    for (const part of text.slice(colon + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq < 0) throw new UserError(`run entry "${description}": expected <key>=<value>, got '${part}'`);
      const key = part.slice(0, eq).trim();
      const value = part.slice(eq + 1).trim();
      if (key.length === 0) throw new UserError(`run entry "${description}": empty key in '${part}'`);
      if (seen.has(key)) throw new UserError(`run entry "${description}": argument '${key}' given twice`);
      seen.add(key);
      args.push([key, value]);
    }
  }
  return { description, name, args };
}

/** HELM converts argument values with int() then float(); names print them back with str(). */
export function pythonNumber(value: string): number | null {
  const t = value.trim();
  if (/^[+-]?\d+(_\d+)*$/.test(t)) return Number(t.replace(/_/g, ''));
  if (/^[+-]?(\d+(_\d+)*(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+)?$/.test(t)) return Number(t.replace(/_/g, ''));
  return null;
}

/** str(value) as Python prints the parsed argument, with '/' replaced by '_' (ReplaceValueRunExpander.sanitize). */
function sanitize(value: string): string {
  const n = pythonNumber(value);
  let s = value;
  if (n !== null) s = Number.isInteger(n) && /^[+-]?[\d_]+$/.test(value.trim()) ? String(n) : pythonFloatStr(n);
  return s.replace(/\//g, '_');
}

function pythonFloatStr(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  return String(n);
}

/** `name,key=value` or `name:key=value` when the name has no arguments yet (HELM's naming rule). */
function appendToName(name: string, key: string, value: string): string {
  return `${name}${name.includes(':') ? ',' : ':'}${key}=${value}`;
}

function intArg(entry: ParsedRunEntry, key: string, value: string, min: number): number {
  const n = pythonNumber(value);
  if (n === null || !Number.isInteger(n) || n < min) {
    throw new UserError(`run entry "${entry.description}": ${key} must be an integer >= ${min}, got '${value}'`);
  }
  return n;
}

type Expander = (spec: RunSpec, entry: ParsedRunEntry, value: string) => RunSpec[];

/** ReplaceValueRunExpander: one run per value (a named setting may stand for several values). */
function replaceValue(
  key: string,
  field: 'maxTrainInstances' | 'maxEvalInstances' | 'numOutputs' | 'numTrainTrials',
  namedValues: Record<string, number[]>,
  min: number,
): Expander {
  return (spec, entry, value) => {
    const values = namedValues[value] ?? [intArg(entry, key, value, min)];
    return values.map((v) => ({
      ...spec,
      name: appendToName(spec.name, key, namedValues[value] ? String(v) : sanitize(value)),
      adapterSpec: { ...spec.adapterSpec, [field]: v },
    }));
  };
}

function withSpec(spec: RunSpec, key: string, value: string, fields: Partial<AdapterSpec>): RunSpec[] {
  return [{ ...spec, name: `${spec.name},${key}=${value}`, adapterSpec: { ...spec.adapterSpec, ...fields } }];
}

function unknownValue(entry: ParsedRunEntry, key: string, value: string, choices: string[]): never {
  throw new UserError(`run entry "${entry.description}": unknown ${key} '${value}' (choices: ${choices.join(', ')})`);
}

const PROMPT_STYLES: Record<string, Partial<AdapterSpec>> = {
  human_assistant: {
    inputPrefix: 'Human: What is the answer to "',
    inputSuffix: '"?\n',
    outputPrefix: 'Assistant: The answer is "',
    outputSuffix: '".\n',
    stopSequences: ['".'],
  },
  question_answer: { inputPrefix: 'Question: ', outputPrefix: 'Answer: ' },
  qa: { inputPrefix: 'Q: ', outputPrefix: 'A: ' },
  input_output_html: { inputPrefix: '<input>', inputSuffix: '</input>\n', outputPrefix: '<output>', outputSuffix: '</output>\n' },
  input_output: { inputPrefix: 'Input: ', outputPrefix: 'Output: ' },
  i_o: { inputPrefix: 'I: ', outputPrefix: 'O: ' },
};

const STOPS: Record<string, string> = { hash: '###', semicolon: ';', br: '<br>' };
const NEWLINES: Record<string, string> = { semicolon: ';\n', br: '<br>\n' };

/** HELM's generic run expanders by argument name (the others go to the scenario). */
export const RUN_EXPANDERS: Record<string, Expander> = {
  max_train_instances: replaceValue('max_train_instances', 'maxTrainInstances', { zero: [0], one: [1], all: [0, 1, 2, 4, 8, 16], big_bench_few_shot_setting: [0, 1, 2, 3] }, 0),
  max_eval_instances: replaceValue('max_eval_instances', 'maxEvalInstances', {}, 1),
  num_outputs: replaceValue('num_outputs', 'numOutputs', { default: [1], copyright_sweep: [1, 10] }, 1),
  num_train_trials: replaceValue('num_train_trials', 'numTrainTrials', {}, 1),
  model: (spec, _entry, value) => [
    // Recorded (HELM's model name), never used to pick a backend.
    { ...spec, name: appendToName(spec.name, 'model', sanitize(value)), adapterSpec: { ...spec.adapterSpec, model: value } },
  ],
  data_augmentation: (spec, entry, value) => {
    if (value !== 'canonical') unknownValue(entry, 'data_augmentation', value, ['canonical']);
    return [{ ...spec, name: `${spec.name},data_augmentation=${value}`, dataAugmentation: 'canonical' }];
  },
  instructions: (spec, entry, value) => {
    if (value === 'none') return withSpec(spec, 'instructions', value, { instructions: '' });
    if (value === 'expert') {
      const instructions = `I am an expert AI assistant who is here to help you with the following. ${spec.adapterSpec.instructions}`;
      return withSpec(spec, 'instructions', value, { instructions });
    }
    return unknownValue(entry, 'instructions', value, ['none', 'expert']);
  },
  prompt: (spec, entry, value) => {
    const fields = PROMPT_STYLES[value];
    if (!fields) unknownValue(entry, 'prompt', value, Object.keys(PROMPT_STYLES));
    return withSpec(spec, 'prompt', value, fields);
  },
  newline: (spec, entry, value) => {
    const target = NEWLINES[value];
    if (!target) unknownValue(entry, 'newline', value, Object.keys(NEWLINES));
    return withSpec(spec, 'newline', value, { substitutions: [{ source: '\n', target }] });
  },
  stop: (spec, entry, value) => {
    const stop = STOPS[value];
    if (!stop) unknownValue(entry, 'stop', value, Object.keys(STOPS));
    return withSpec(spec, 'stop', value, { instancePrefix: `${stop}\n\n`, stopSequences: [stop] });
  },
  global_prefix: (spec, entry, value) => {
    if (value !== 'nlg') unknownValue(entry, 'global_prefix', value, ['nlg']);
    return withSpec(spec, 'global_prefix', value, { globalPrefix: '[NLG]' });
  },
};

/** HELM expanders that evalfirst does not implement: named so the error is clear, not "unknown argument". */
const UNSUPPORTED_EXPANDERS = ['tokenizer', 'num_prompt_tokens', 'num_output_tokens', 'chatml', 'format_prompt', 'add_to_stop'];

/** Splits an entry's arguments into the scenario's own and the generic expanders'. */
export function splitArgs(entry: ParsedRunEntry): { scenarioArgs: RunEntryArgs; expanders: [string, string][] } {
  const scenarioArgs: RunEntryArgs = {};
  const expanders: [string, string][] = [];
  for (const [key, value] of entry.args) {
    if (UNSUPPORTED_EXPANDERS.includes(key)) {
      throw new UserError(`run entry "${entry.description}": HELM run expander '${key}' is not supported by evalfirst`);
    }
    if (key in RUN_EXPANDERS) expanders.push([key, value]);
    else scenarioArgs[key] = value;
  }
  return { scenarioArgs, expanders };
}

export interface RunEntryOptions {
  /** The data dir the run loads from; passed to scenarios whose adapter spec reads a data file (BIG-bench). */
  dataDir?: string;
  /** `helm-run --max-eval-instances`: used only where the entry sets none (HELM run.py). */
  defaultMaxEvalInstances?: number;
  /** `helm-run --num-train-trials`: ignored for 0-shot runs, which always get 1 trial. */
  numTrainTrials?: number;
}

/** Applies the expanders in entry order, then run.py's defaults (run_entries_to_run_specs). */
export function expandRunSpecs(base: RunSpec[], entry: ParsedRunEntry, options: RunEntryOptions = {}): RunSpec[] {
  const { expanders } = splitArgs(entry);
  let specs = base;
  for (const [key, value] of expanders) specs = specs.flatMap((s) => RUN_EXPANDERS[key](s, entry, value));
  return specs.map((s) => {
    let a = s.adapterSpec;
    if (options.defaultMaxEvalInstances !== undefined && a.maxEvalInstances === null) {
      a = { ...a, maxEvalInstances: options.defaultMaxEvalInstances };
    }
    if (a.maxTrainInstances === 0) a = { ...a, numTrainTrials: 1 };
    else if (options.numTrainTrials !== undefined) a = { ...a, numTrainTrials: options.numTrainTrials };
    return { ...s, adapterSpec: a };
  });
}
