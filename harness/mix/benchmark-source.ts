// Benchmark train (or valid) splits as a mix source, through the scenarios: each instance becomes the
// zero-shot prompt HELM would send for it (the run spec's adapter: instructions, input/output nouns,
// MCQ options) and, as completion, what an in-context example of it would show after the output
// prefix (the gold answer or letter), without the trailing output suffix.
import { buildPrompt } from '../../tasks/adapters/adapt.js';
import type { AdapterSpec } from '../../tasks/adapters/adapter-spec.js';
import { withInstanceIds } from '../../tasks/adapters/eval-instances.js';
import { exampleBlock } from '../../tasks/adapters/example-block.js';
import { promptText } from '../../tasks/adapters/prompt.js';
import type { Instance } from '../../tasks/instance.js';
import { runSpecsForEntry } from '../../tasks/scenario-registry.js';
import type { RunSpec } from '../../tasks/run-spec.js';
import { MMLU_SUBJECTS } from '../../tasks/scenarios/mmlu.js';
import { UserError, isUserError } from '../../core/errors.js';
import type { Candidate } from './candidate.js';
import { describeFieldMap, mapFields } from './field-map.js';
import type { BenchmarkSourceSpec } from './manifest.js';
import { sourceContext } from './file-source.js';

/**
 * Bare scenario names that stand for all of their run entries: "mmlu" is every subject's dev split
 * (HELM's MMLU train split: 5 questions per subject; HELM does not read auxiliary_train).
 */
const EVERY_SUBJECT: Record<string, () => string[]> = {
  mmlu: () => MMLU_SUBJECTS.map((s) => `mmlu:subject=${s}`),
};

export function expandEntries(entries: readonly string[]): string[] {
  return entries.flatMap((e) => EVERY_SUBJECT[e.trim()]?.() ?? [e]);
}

/** The HELM-format training pair of one instance; null when it has no correct reference. */
export function helmTrainingPair(spec: AdapterSpec, inst: Instance): { prompt: string; completion: string } | null {
  if (!inst.references.some((r) => r.correct)) return null;
  const prompt = promptText(buildPrompt(spec, [], inst));
  const evalBlock = exampleBlock(spec, inst, false);
  const full = exampleBlock(spec, inst, true);
  if (!full.startsWith(evalBlock)) throw new Error(`adapter ${spec.method}: the example block does not extend the eval block`);
  let completion = full.slice(evalBlock.length);
  if (spec.outputSuffix && completion.endsWith(spec.outputSuffix)) completion = completion.slice(0, -spec.outputSuffix.length);
  return { prompt, completion };
}

export interface BenchmarkRows {
  candidates: Candidate[];
  /** Instances of the split without a correct reference (no completion to train on). */
  withoutGold: { benchmark: string; run: string; instance_id: string }[];
  /** Data files read, relative to the data dir (for the version hash). */
  files: string[];
}

async function specsOf(entry: string, dataDir: string, ctx: string): Promise<RunSpec[]> {
  try {
    return await runSpecsForEntry(entry, { dataDir });
  } catch (err) {
    if (isUserError(err)) throw new UserError(`${ctx}: ${err.message}`, err.exitCode);
    throw err;
  }
}

export async function benchmarkCandidates(spec: BenchmarkSourceSpec, manifestFile: string, dataDir: string): Promise<BenchmarkRows> {
  const ctx = sourceContext(manifestFile, spec);
  const out: BenchmarkRows = { candidates: [], withoutGold: [], files: [] };
  const seenRuns = new Set<string>();
  for (const entry of expandEntries(spec.entries)) {
    for (const run of await specsOf(entry, dataDir, ctx)) {
      if (seenRuns.has(run.name)) continue;
      seenRuns.add(run.name);
      let all: Instance[];
      try {
        all = withInstanceIds(await run.scenario.load(dataDir));
      } catch (err) {
        if (isUserError(err)) throw new UserError(`${ctx}: run entry "${entry}": ${err.message}`, err.exitCode);
        throw err;
      }
      for (const f of await run.scenario.files(dataDir)) if (!out.files.includes(f)) out.files.push(f);
      const benchmark = run.groups[0] ?? run.scenario.name;
      const transforms = [`format: HELM zero-shot prompt of ${run.name} (${run.adapterSpec.method}); completion = gold output`, ...(spec.fields ? [describeFieldMap(spec.fields)] : [])];
      const instances = all.filter((i) => i.split === spec.split);
      for (const inst of instances) {
        const pair = helmTrainingPair(run.adapterSpec, inst);
        if (!pair) {
          out.withoutGold.push({ benchmark, run: run.name, instance_id: inst.id });
          continue;
        }
        const origin = { benchmark, run: run.name, instance_id: inst.id, split: inst.split };
        let fields = pair;
        if (spec.fields) {
          const gold = inst.references.find((r) => r.correct)!.text;
          try {
            fields = mapFields(spec.fields, { prompt: pair.prompt, completion: pair.completion, input: inst.input, answer: gold, id: inst.id });
          } catch (err) {
            throw new UserError(`${ctx}: ${run.name} ${inst.id}: ${(err as Error).message} (benchmark sources offer prompt, completion, input, answer, id)`);
          }
        }
        out.candidates.push({ source: spec.name, origin, ...fields, transforms });
      }
    }
  }
  return out;
}
