// A run spec is HELM's unit of work: one scenario with its arguments, an adapter spec, and the
// metrics to compute. A scenario file exports a `ScenarioModule` that builds run specs from the
// arguments of a run entry (`mmlu:subject=anatomy,max_eval_instances=15`).
import type { AdapterSpec } from './adapters/adapter-spec.js';
import type { Instance, Split } from './instance.js';
import type { DataSource } from './data-source.js';
import type { Metric } from './metrics/metric.js';
import type { CompletionRequest } from '../core/request.js';
import type { PythonRandom } from './random/python-random.js';

export type RunEntryArgs = Record<string, string>;

export interface Scenario {
  /** HELM scenario name, e.g. "mmlu". */
  readonly name: string;
  /** Loads every instance (all splits) from the original files under dataDir. */
  load(dataDir: string): Promise<Instance[]>;
  /** The data files this scenario reads, relative to dataDir (for provenance checksums); the module's `data` pins them. */
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
  /** The metrics to compute; their names are the keys of results.json. */
  metrics: readonly Metric[];
  /** Names of the run groups this run counts toward, e.g. ["mmlu"] (HELM RunSpec.groups). */
  groups: string[];
  /** Name of the metric the run is ranked by (its group's main metric). */
  mainMetric: string;
  mainSplit: Split;
  /** "canonical" adds HELM's robustness and fairness perturbations. */
  dataAugmentation: 'canonical' | null;
  /**
   * For runs whose scenario draws from the process's global random state: which state was assumed,
   * in words, for results.json ("seed 0 (standalone)" or "process order of SUITE, position k").
   */
  processRandom?: string;
}

/**
 * A HELM run group (schema.yaml run_groups): results are aggregated per group, ranked by its main
 * metric on its main split (`environment: main_name, main_split`), and tables show its title.
 */
export interface RunGroup {
  /** "mmlu". */
  readonly name: string;
  /** schema.yaml short_display_name, else display_name ("MMLU"); absent where no published table shows the group. */
  readonly title?: string;
  readonly mainMetric: Metric;
  readonly mainSplit: Split;
}

/** The RunSpec fields a run takes from its group. */
export function groupFields(group: RunGroup): Pick<RunSpec, 'groups' | 'mainMetric' | 'mainSplit'> {
  return { groups: [group.name], mainMetric: group.mainMetric.name, mainSplit: group.mainSplit };
}

export interface ScenarioModule {
  /** Run-entry name as written in HELM confs ("mmlu", "truthful_qa", "gsm", ...). */
  readonly name: string;
  /** The run groups this module's run specs count toward (their titles are what leaderboards show). */
  readonly runGroups: readonly RunGroup[];
  /** Where the files its scenarios read come from (pins, archive, what is unpinned and why); none for generated data. */
  readonly data?: DataSource;
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
