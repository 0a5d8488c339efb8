// The evaluation texts of a suite, for contamination checks: every non-train instance of every run
// entry (all of its eval split, not only the max_eval_instances sample HELM draws from it), its
// input (question, passage) and each reference.
import { loadSuite } from '../../tasks/suites/suite.js';
import { runSpecsForEntry } from '../../tasks/scenario-registry.js';
import type { Scenario } from '../../tasks/run-spec.js';
import type { Instance } from '../../tasks/instance.js';
import type { EvalText } from './contamination-index.js';
import { UserError } from '../../core/errors.js';

export interface SuiteEvalTexts {
  suite: string;
  texts: EvalText[];
  instances: number;
  /** benchmark → number of eval instances */
  benchmarks: Record<string, number>;
}

export function instanceTexts(benchmark: string, inst: Instance, run?: string): EvalText[] {
  const out: EvalText[] = [{ benchmark, instanceId: inst.id, field: 'input', text: inst.input, run }];
  for (const r of inst.references) out.push({ benchmark, instanceId: inst.id, field: 'reference', text: r.text, run });
  return out;
}

export async function loadSuiteEvalTexts(suiteName: string, dataDir: string): Promise<SuiteEvalTexts> {
  const suite = loadSuite(suiteName);
  const loaded = new Map<Scenario, Promise<Instance[]>>();
  const seen = new Set<string>();
  const texts: EvalText[] = [];
  const benchmarks: Record<string, number> = {};
  for (const entry of suite.entries) {
    for (const spec of await runSpecsForEntry(entry)) {
      const benchmark = spec.groups[0] ?? spec.scenario.name;
      if (!loaded.has(spec.scenario)) loaded.set(spec.scenario, spec.scenario.load(dataDir));
      let instances: Instance[];
      try {
        instances = await loaded.get(spec.scenario)!;
      } catch (err) {
        if (err instanceof UserError) throw new UserError(`suite ${suite.name}, run entry "${entry}": ${err.message}`, err.exitCode);
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
  return { suite: suite.name, texts, instances: seen.size, benchmarks };
}
