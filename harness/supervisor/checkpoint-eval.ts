// Bridges the supervisor to the runner: evaluates a checkpoint on the suite with at most n
// instances per run entry (the first n of HELM's own selection, which is nested in n), and
// returns the main-metric score of every instance per task (group), in a fixed order.
import { join } from 'node:path';
import type { Backend } from '../../core/backend.js';
import { evaluate } from '../runner/evaluate.js';
import type { InstanceRecord, ResultsFile } from '../../core/results-schema.js';
import { runSpecsForEntry } from '../../tasks/scenario-registry.js';
import type { CheckpointRef, EvaluateCheckpoint, TaskScores } from './scorer.js';

export interface CheckpointEvalOptions {
  entries: string[];
  suite?: string;
  dataDir: string;
  runDir: string;
  concurrency: number;
  /** The backend that serves this checkpoint (its id must differ between checkpoints). */
  backendFor(ckpt: CheckpointRef): Promise<Backend>;
  /** Called with each evaluation's results (e.g. to rewrite the report). */
  onResults?: (ckpt: CheckpointRef, results: ResultsFile, outDir: string) => void | Promise<void>;
}

/** Where one evaluation of a checkpoint goes; the name labels it in reports (e.g. step-2750-full). */
export function checkpointEvalDir(runDir: string, step: number, maxPerRun: number | null): string {
  return join(runDir, 'evals', `step-${step}-${maxPerRun === null ? 'full' : `n${maxPerRun}`}`);
}

/** Re-labels a backend so the request cache keeps each checkpoint's answers apart. */
export function withCheckpointIdentity(backend: Backend, ckpt: CheckpointRef): Backend {
  const id = `${backend.id}#checkpoint=${ckpt.step}:${ckpt.path}`;
  return new Proxy(backend, { get: (target, prop, recv) => (prop === 'id' ? id : Reflect.get(target, prop, recv)) });
}

/** The tasks a scored run counts toward: its groups, else its scenario (as taskScoresFrom keys them). */
function runTasks(run: { groups: string[]; scenario: string }): string[] {
  return run.groups.length ? run.groups : [run.scenario];
}

/** The tasks scoring these entries yields (known before anything is sent), for checking a target. */
export async function scoredTasks(entries: string[], dataDir: string): Promise<string[]> {
  const tasks = new Set<string>();
  for (const entry of entries) for (const spec of await runSpecsForEntry(entry, { dataDir })) for (const t of runTasks({ groups: spec.groups, scenario: spec.scenario.name })) tasks.add(t);
  return [...tasks];
}

/** Per-group main-metric scores of the original (unperturbed) main-split instances, in run order. */
export function taskScoresFrom(results: ResultsFile, records: InstanceRecord[]): Record<string, number[]> {
  const byRun = new Map(results.runs.map((r) => [r.name, r]));
  const perTask: Record<string, number[]> = {};
  for (const rec of records) {
    const run = byRun.get(rec.runName);
    if (!run || rec.perturbation !== null || rec.split !== run.mainSplit) continue;
    const score = rec.error ? 0 : rec.scores[run.mainMetric];
    if (score === undefined) continue;
    for (const g of runTasks(run)) (perTask[g] ??= []).push(score);
  }
  return perTask;
}

export function checkpointEvaluator(o: CheckpointEvalOptions): EvaluateCheckpoint {
  return async (ckpt, maxPerRun): Promise<TaskScores> => {
    const backend = withCheckpointIdentity(await o.backendFor(ckpt), ckpt);
    const outDir = checkpointEvalDir(o.runDir, ckpt.step, maxPerRun);
    // Keep the first n instances of each run (selection order); count the full selection too.
    const seen = new Map<string, number>();
    const filter = maxPerRun === null ? undefined : (run: string) => {
      const k = (seen.get(run) ?? 0) + 1;
      seen.set(run, k);
      return k <= maxPerRun;
    };
    let last = { done: 0, reused: 0, total: 0 };
    const { results, records } = await evaluate({
      entries: o.entries,
      suite: o.suite,
      backend,
      dataDir: o.dataDir,
      outDir,
      concurrency: o.concurrency,
      filter,
      cachePath: join(o.runDir, 'cache.sqlite'),
      resume: true,
      backendConfig: { kind: 'checkpoint', step: ckpt.step, path: ckpt.path, servingUrl: ckpt.servingUrl },
      onProgress: (e) => (last = e),
    });
    if (results.errors.count > 0) {
      throw new Error(`${results.errors.count} request(s) failed scoring step ${ckpt.step}; first: ${results.errors.first[0]?.message ?? 'unknown'}`);
    }
    await o.onResults?.(ckpt, results, outDir);
    const fullPerRun = maxPerRun === null ? Math.max(0, ...results.runs.map((r) => r.numInstances)) : Math.max(0, ...seen.values());
    return { perTask: taskScoresFrom(results, records), requestsSent: last.done - last.reused, requestsTotal: last.total, fullPerRun };
  };
}
