// The evaluation texts of a suite, for contamination checks: every non-train instance of every run
// entry (all of its eval split, not only the max_eval_instances sample HELM draws from it), its
// input (question, passage) and each reference.
import { loadSuite } from '../../tasks/suites/suite.js';
import { runSpecsForEntry } from '../../tasks/scenario-registry.js';
import type { Scenario } from '../../tasks/run-spec.js';
import type { Instance } from '../../tasks/instance.js';
import type { EvalText } from './contamination-index.js';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { UserError, isMissingDataError, isUserError } from '../../core/errors.js';

export interface SuiteEvalTexts {
  suite: string;
  texts: EvalText[];
  instances: number;
  /** benchmark → number of eval instances */
  benchmarks: Record<string, number>;
  /** Run entries skipped under allowMissing because their data files are absent. */
  missing: MissingBenchmark[];
}

export interface MissingBenchmark {
  benchmark: string;
  entry: string;
  /** The first absent file (absolute path). */
  file: string;
}

export function instanceTexts(benchmark: string, inst: Instance, run?: string): EvalText[] {
  const out: EvalText[] = [{ benchmark, instanceId: inst.id, field: 'input', text: inst.input, run }];
  for (const r of inst.references) out.push({ benchmark, instanceId: inst.id, field: 'reference', text: r.text, run });
  return out;
}

/** The first data file a run spec reads that is absent, or null. */
async function firstAbsentFile(scenario: Scenario, dataDir: string): Promise<string | null> {
  for (const f of await scenario.files(dataDir)) {
    const abs = isAbsolute(f) ? f : join(dataDir, f);
    if (!existsSync(abs)) return abs;
  }
  return null;
}

/**
 * Every eval text of a suite read from `dataDir`. Missing data is an error naming the entry and file,
 * unless `allowMissing`: then those run entries are skipped and listed in `missing`.
 */
export async function loadSuiteEvalTexts(suiteName: string, dataDir: string, opts: { allowMissing?: boolean } = {}): Promise<SuiteEvalTexts> {
  const suite = loadSuite(suiteName);
  const loaded = new Map<Scenario, Promise<Instance[]>>();
  const seen = new Set<string>();
  const texts: EvalText[] = [];
  const benchmarks: Record<string, number> = {};
  const missing: MissingBenchmark[] = [];
  for (const entry of suite.entries) {
    let specs;
    try {
      specs = await runSpecsForEntry(entry, { dataDir });
    } catch (err) {
      if (opts.allowMissing && isMissingDataError(err)) {
        missing.push({ benchmark: err.benchmark, entry, file: err.file });
        continue;
      }
      throw err;
    }
    for (const spec of specs) {
      const benchmark = spec.groups[0] ?? spec.scenario.name;
      if (opts.allowMissing) {
        const absent = await firstAbsentFile(spec.scenario, dataDir);
        if (absent) {
          missing.push({ benchmark, entry, file: absent });
          continue;
        }
      }
      if (!loaded.has(spec.scenario)) loaded.set(spec.scenario, spec.scenario.load(dataDir));
      let instances: Instance[];
      try {
        instances = await loaded.get(spec.scenario)!;
      } catch (err) {
        if (isUserError(err)) throw new UserError(`suite ${suite.name}, run entry "${entry}": ${err.message}`, err.exitCode);
        throw err;
      }
      for (const inst of instances) {
        if (inst.split === 'train') continue;
        // Ids repeat across run specs of one benchmark (every MMLU subject has an "id0"), and a
        // suite may list one instance twice: the same instance is the same id with the same input.
        const key = `${benchmark}\u0000${inst.id}\u0000${inst.input}`;
        if (seen.has(key)) continue;
        seen.add(key);
        benchmarks[benchmark] = (benchmarks[benchmark] ?? 0) + 1;
        texts.push(...instanceTexts(benchmark, inst, spec.name));
      }
    }
  }
  return { suite: suite.name, texts, instances: seen.size, benchmarks, missing };
}
