// The scenario registry: HELM run-entry names → scenario modules (the static list in
// tasks/scenarios/all.ts), and run entries → run specs.
import { UserError, isUserError } from '../core/errors.js';
import type { RunSpec, ScenarioModule } from './run-spec.js';
import { expandRunSpecs, parseRunEntry, splitArgs, type RunEntryOptions } from './run-entry.js';
import { SCENARIO_MODULES } from './scenarios/all.js';

/** Sorted by name; a name defined twice is a programming error named at once. */
export function indexScenarioModules<M extends { readonly name: string }>(modules: readonly M[]): M[] {
  const seen = new Set<string>();
  for (const m of modules) {
    if (seen.has(m.name)) throw new Error(`scenario name '${m.name}' is defined twice in tasks/scenarios/all.ts`);
    seen.add(m.name);
  }
  return [...modules].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const MODULES = indexScenarioModules(SCENARIO_MODULES);

/** Every scenario module, sorted by name. */
export async function listScenarioModules(): Promise<ScenarioModule[]> {
  return MODULES;
}

export async function findScenarioModule(name: string): Promise<ScenarioModule> {
  const modules = await listScenarioModules();
  const found = modules.find((m) => m.name === name);
  if (!found) throw new UserError(`unknown scenario '${name}' (known: ${modules.map((m) => m.name).join(', ')})`);
  return found;
}

/**
 * The run specs of one HELM run entry (`mmlu:subject=anatomy,model=neurips/local,max_eval_instances=15`):
 * the scenario builds its canonical run spec(s) from its own arguments, then HELM's generic run
 * expanders rewrite them in the order written (HELM run_specs.construct_run_specs + run.py).
 */
export async function runSpecsForEntry(entry: string, options: RunEntryOptions = {}): Promise<RunSpec[]> {
  const parsed = parseRunEntry(entry);
  const module = await findScenarioModule(parsed.name);
  const { scenarioArgs } = splitArgs(parsed);
  let base: RunSpec[];
  try {
    base = module.runSpecs(scenarioArgs, { dataDir: options.dataDir });
  } catch (err) {
    if (isUserError(err)) {
      throw new UserError(`run entry "${entry}": ${err.message}`, err.exitCode);
    }
    throw err;
  }
  return expandRunSpecs(base, parsed, options);
}
