// Scenario discovery: every file directly in tasks/scenarios/ that exports `scenarioModule`
// (or `scenarioModules`) is a scenario; adding a benchmark is adding one file. Files exporting
// neither (helpers) are skipped; sub-folders (tasks/scenarios/common/) are not scanned.
import { readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UserError } from '../core/errors.js';
import type { RunSpec, ScenarioModule } from './run-spec.js';
import { expandRunSpecs, parseRunEntry, splitArgs, type RunEntryOptions } from './run-entry.js';

const here = dirname(fileURLToPath(import.meta.url));
const ext = extname(fileURLToPath(import.meta.url)); // .ts under tsx, .js when compiled

let modulesPromise: Promise<ScenarioModule[]> | null = null;

function isScenarioModule(x: unknown): x is ScenarioModule {
  const m = x as Partial<ScenarioModule> | null;
  return typeof m === 'object' && m !== null && typeof m.name === 'string' && typeof m.runSpecs === 'function';
}

/** Imports every scenario file of `dir` with extension `fileExt` and collects their modules. */
export async function discoverScenarioModules(dir: string, fileExt = ext): Promise<ScenarioModule[]> {
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(fileExt) && !d.name.endsWith('.d.ts') && !d.name.startsWith('_'))
    .map((d) => d.name)
    .sort();
  const byName = new Map<string, { module: ScenarioModule; file: string }>();
  for (const file of files) {
    let mod: { scenarioModule?: unknown; scenarioModules?: unknown };
    try {
      mod = (await import(pathToFileURL(join(dir, file)).href)) as typeof mod;
    } catch (err) {
      throw new Error(`tasks/scenarios/${file}: cannot be loaded: ${(err as Error).message}`, { cause: err });
    }
    const found: unknown[] = [];
    if (mod.scenarioModule !== undefined) found.push(mod.scenarioModule);
    if (mod.scenarioModules !== undefined) {
      if (!Array.isArray(mod.scenarioModules)) throw new Error(`tasks/scenarios/${file}: scenarioModules must be an array`);
      found.push(...mod.scenarioModules);
    }
    for (const m of found) {
      if (!isScenarioModule(m)) throw new Error(`tasks/scenarios/${file}: exports a scenario module without name/runSpecs`);
      const prior = byName.get(m.name);
      if (prior) throw new Error(`scenario name '${m.name}' is defined twice: tasks/scenarios/${prior.file} and tasks/scenarios/${file}`);
      byName.set(m.name, { module: m, file });
    }
  }
  return [...byName.values()].map((v) => v.module).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Every scenario module, sorted by name (imported once per process). */
export async function listScenarioModules(): Promise<ScenarioModule[]> {
  modulesPromise ??= discoverScenarioModules(join(here, 'scenarios'));
  return modulesPromise;
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
    // Matched by name: under mocha's require hook a dynamically imported scenario can carry its own
    // copy of the UserError class.
    if (err instanceof Error && err.name === 'UserError') {
      throw new UserError(`run entry "${entry}": ${err.message}`, (err as UserError).exitCode ?? 2);
    }
    throw err;
  }
  return expandRunSpecs(base, parsed, options);
}
