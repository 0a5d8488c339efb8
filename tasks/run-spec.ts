// A run spec is HELM's unit of work: one scenario with its arguments, an adapter spec, and the
// metrics to compute. A scenario file exports a `ScenarioModule` that builds run specs from the
// arguments of a run entry (`mmlu:subject=anatomy,max_eval_instances=15`).
import type { AdapterSpec } from './adapters/adapter-spec.js';
import type { Instance, Split } from './instance.js';
import type { CompletionRequest } from '../core/request.js';
import type { PythonRandom } from './random/python-random.js';

export type RunEntryArgs = Record<string, string>;

export interface Scenario {
  /** HELM scenario name, e.g. "mmlu". */
  readonly name: string;
  /** Loads every instance (all splits) from the original files under dataDir. */
  load(dataDir: string): Promise<Instance[]>;
  /** The data files this scenario reads, relative to dataDir (for checksums and `data verify`). */
  files(dataDir: string): Promise<string[]> | string[];
  /**
   * Only for scenarios whose HELM get_instances draws from CPython's global `random` without seeding
   * it (the fork's ethics commonsense/virtue/deontology): `load` drawing from `random`, the replica of
   * the process's generator at that moment (tasks/suites/process-order.ts computes it).
   */
  loadWithProcessRandom?(dataDir: string, random: PythonRandom): Promise<Instance[]>;
}

export interface RunSpec {
  /** HELM-style run name, e.g. "mmlu:subject=anatomy,method=multiple_choice_joint,model=neurips_local". */
  name: string;
  scenario: Scenario;
  adapterSpec: AdapterSpec;
  /** Metric names (keys of the metric registry in tasks/metrics). */
  metrics: string[];
  /** Leaderboard groups this run counts toward, e.g. ["mmlu"]. */
  groups: string[];
  mainMetric: string;
  mainSplit: Split;
  /** "canonical" adds HELM's robustness and fairness perturbations. */
  dataAugmentation: 'canonical' | null;
  /**
   * For runs whose scenario draws from the process's global random state: which state was assumed,
   * in words, for results.json ("seed 0 (standalone)" or "process order of SUITE, position k").
   */
  processRandom?: string;
  /** Metrics computed over all of a run's completions at once (HELM's evaluate_instances: the bias metrics). */
  runMetrics?: RunMetric[];
}

/** A metric of the whole run: a value over every completion text of the main split, or why there is none. */
export interface RunMetric {
  name: string;
  /** null value: HELM's None (its Stat stays empty, the leaderboard sees no value); `note` says why. */
  compute(completionTexts: string[]): { value: number | null; note?: string };
}

export interface ScenarioModule {
  /** Run-entry name as written in HELM confs ("mmlu", "truthful_qa", "gsm", ...). */
  readonly name: string;
  /**
   * Builds the run specs of one run entry (usually one; BIG-bench few-shot settings expand).
   * `context.dataDir` is for scenarios whose adapter spec depends on a data file (BIG-bench's
   * task.json decides method, prefixes and stop string); others ignore it.
   */
  runSpecs(args: RunEntryArgs, context?: RunSpecContext): RunSpec[];
}

export interface RunSpecContext {
  /** The data directory the run will load from (--data-dir / EVALFIRST_DATA / cache default). */
  dataDir?: string;
}

/** One request of a run, with what is needed to score its answer. */
export interface RequestState {
  runName: string;
  instance: Instance;
  /** Index of this request within the run (stable order). */
  index: number;
  request: CompletionRequest;
  /** MCQ-joint: letter → reference text. */
  outputMapping?: Record<string, string>;
  /** Perturbation that produced this instance (robustness/fairness), or undefined for the original. */
  perturbation?: string;
  /** Number of in-context examples actually kept after context-window fitting. */
  numTrainInstances: number;
  /** HELM's train_trial_index (0 unless num_train_trials > 1): which sampled example set was used. */
  trainTrialIndex?: number;
  /** HELM's prompt_truncated: the prompt was cut through the tokenizer to fit the window. */
  promptTruncated?: boolean;
}
