// CPython's global `random` carried through one helm-run process, as the organisers ran a conf.
//
// The organisers ran each conf in ONE `helm-run` process (do-run.sh: one call per conf, no
// --skip-completed-runs, no --cache-instances), and HELM runs the run specs one after the other in
// conf order (run.py run_entries_to_run_specs keeps entry order; Runner.run_all loops over them).
// What touches the global generator, per run spec (perlitz/private-helm neurips_eval_good 6033e5b4,
// every `random.` call under src/helm checked with git grep; none in the runner, executor, HTTP
// client, retry decorator, window service, metrics or augmentations of these runs):
//
//   Runner.run_one(run_spec):
//     1. create_scenario, AdapterFactory.get_adapter                      no draw
//     2. scenario.get_instances(path)
//          sam_sum, MATH, cnndm                                           no draw
//          corr2cause, ethics_justice, ethics_utilitarianism              random.seed(0); random.shuffle(data)
//          ethics_commonsense, ethics_virtue, ethics_deontology           random.shuffle(data)   <- UNSEEDED
//     3. with_instance_ids; adapter.get_run_instances                     numpy only (np.random.seed(0); choice)
//     4. DataPreprocessor.preprocess (canonical perturbations)            own Random(instance.id) objects only
//     5. adapter.adapt → for trial in range(num_train_trials):
//          sample_examples(train, seed=trial):                            random.seed(trial); random.shuffle(labels
//                                                                         with equal counts); instances.pop(
//                                                                         random.randrange(n)) per example;
//                                                                         random.sample(unlabeled, rest)
//     6. executor.execute, metrics (BasicMetric, Summarization, Bias)     no draw
//
// So an unseeded shuffle starts from the state that step 5 of the run before it left: random.seed(t)
// for its last train trial t, then the draws of sample_examples on that run's train instances (which
// depend only on its label counts and k). When that previous run is itself unseeded (virtue after
// commonsense), its train set, and so its draws, depend on the run before it: the chain goes back to
// the nearest run whose get_instances does not read the process state. The state is thus COMPUTED
// from the suite's order and the data files (never from requests, the cache or a journal). In
// neurips-hidden-{3000,5000}: sam_sum, corr2cause, justice (seeded), then commonsense (state left by
// justice's sampling), virtue (by commonsense's), deontology (by virtue's), utilitarianism (seeded).
// Assumed, as in the organisers' runs: every earlier run reached step 5 (a run that fails before
// adapting would leave another state). A dependent run first in its process would start from the
// OS-seeded state of a fresh interpreter, which nothing can reproduce: evalfirst then assumes seed 0.
import { UserError } from '../../core/errors.js';
import { prepareRunInstances } from '../adapters/eval-instances.js';
import { sampleExamples } from '../adapters/sample-examples.js';
import type { Instance } from '../instance.js';
import { PythonRandom, type PythonRandomState } from '../random/python-random.js';
import type { RunSpec, Scenario } from '../run-spec.js';

/** Whether a run's get_instances reads the process's random state. */
export function readsProcessRandom(spec: RunSpec): boolean {
  return typeof spec.scenario.loadWithProcessRandom === 'function';
}

/** The state's name for people: "random.seed(0), then 7 outputs". */
export function describeState(seed: number, state: PythonRandomState): string {
  return `random.seed(${seed}), then ${state.outputs} 32-bit output${state.outputs === 1 ? '' : 's'}`;
}

interface StateAt {
  state: PythonRandomState;
  /** The seed of the last random.seed() call before this point. */
  seed: number;
}

/**
 * The process states of one ordered list of run specs (one helm-run process), computed lazily per
 * data dir: `before(k)` is the global state when run k's get_instances starts.
 */
export class HelmProcess {
  private readonly loads = new Map<string, Promise<Instance[]>>();
  private readonly states = new Map<string, Promise<StateAt>>();

  constructor(readonly order: readonly RunSpec[]) {}

  /** Run k's instances as its get_instances returns them in this process. */
  instances(k: number, dataDir: string): Promise<Instance[]> {
    const key = `${k}\0${dataDir}`;
    let p = this.loads.get(key);
    if (!p) {
      const scenario = this.order[k]!.scenario;
      p = scenario.loadWithProcessRandom
        ? this.before(k, dataDir).then(({ state }) => {
            const random = new PythonRandom(0);
            random.setstate(state);
            return scenario.loadWithProcessRandom!(dataDir, random);
          })
        : scenario.load(dataDir);
      this.loads.set(key, p);
    }
    return p;
  }

  /** The global state when run k's get_instances starts (steps 1–6 of every run before it). */
  before(k: number, dataDir: string): Promise<StateAt> {
    const key = `${k}\0${dataDir}`;
    let p = this.states.get(key);
    if (!p) {
      p = k === 0 ? Promise.resolve({ state: new PythonRandom(0).getstate(), seed: 0 }) : this.afterAdapt(k - 1, dataDir);
      this.states.set(key, p);
    }
    return p;
  }

  /** The state run k's sample_examples calls leave (one per train trial, each reseeding). */
  private async afterAdapt(k: number, dataDir: string): Promise<StateAt> {
    const spec = this.order[k]!;
    const { train } = prepareRunInstances(spec, await this.instances(k, dataDir));
    const a = spec.adapterSpec;
    const random = new PythonRandom(0);
    for (let trial = 0; trial < a.numTrainTrials; trial++) sampleExamples(train, trial, a.maxTrainInstances, a.sampleTrain, random);
    return { state: random.getstate(), seed: a.numTrainTrials - 1 };
  }

  /** Every data file the state of run k depends on (its own and the chain's), for checksums. */
  async chainFiles(k: number, dataDir: string): Promise<string[]> {
    const files = new Set<string>();
    for (let j = k; j >= 0; j--) {
      for (const f of await this.order[j]!.scenario.files(dataDir)) files.add(f);
      if (j < k && !readsProcessRandom(this.order[j]!)) break;
    }
    return [...files];
  }
}

function boundScenario(process: HelmProcess, k: number): Scenario {
  const own = process.order[k]!.scenario;
  return {
    name: own.name,
    files: (dataDir) => process.chainFiles(k, dataDir),
    load: (dataDir) => process.instances(k, dataDir),
  };
}

/**
 * `targets` (default: `order` itself) as run in one helm-run process over `order`, named `label`
 * (e.g. "neurips-hidden-5000"): each target whose scenario reads the process's random state loads
 * with the state computed from the runs before it in `order`, found by run name; the others are
 * returned unchanged.
 */
export function inHelmProcessOrder(order: readonly RunSpec[], label: string, targets: readonly RunSpec[] = order): RunSpec[] {
  const process = new HelmProcess(order);
  return targets.map((spec, i) => {
    if (!readsProcessRandom(spec)) return spec;
    const k = targets === order ? i : order.findIndex((s) => s.name === spec.name);
    if (k < 0) throw new UserError(`run ${spec.name} is not in the process order ${label} (${order.length} runs); give the suite this run belongs to`);
    if (k === 0) return spec; // first in its process: the state is the OS-seeded one; seed 0 stays assumed
    const previous = order[k - 1]!.name;
    return {
      ...spec,
      scenario: boundScenario(process, k),
      processRandom: `process order of ${label}, position ${k + 1} of ${order.length}: the state after ${previous} (its in-context sampling)`,
    };
  });
}

/** The state each run of `order` starts from that reads it (for tests and `explain`). */
export async function processStates(order: readonly RunSpec[], dataDir: string): Promise<{ run: string; position: number; state: PythonRandomState; description: string }[]> {
  const process = new HelmProcess(order);
  const out = [];
  for (const [k, spec] of order.entries()) {
    if (!readsProcessRandom(spec)) continue;
    const { state, seed } = await process.before(k, dataDir);
    out.push({ run: spec.name, position: k + 1, state, description: describeState(seed, state) });
  }
  return out;
}
