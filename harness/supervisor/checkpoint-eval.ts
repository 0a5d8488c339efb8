// Bridges the supervisor to the runner: evaluates a checkpoint on the suite with at most n
// instances per run entry (the first n of HELM's own selection, which is nested in n), and
// returns the main-metric score of every instance per task (group), in a fixed order.
// Concurrent evaluations of one checkpoint (the looks of an adaptive evaluation) share one
// SharedRequests: `concurrency` requests in flight over all of them, the smaller looks first, each
// request sent once; a cancelled look resolves with `cancelled` and what it had sent.
import { join } from 'node:path';
import type { Backend } from '../../core/backend.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { evaluate } from '../runner/evaluate.js';
import { withTokenizerCalls } from '../runner/tokenizer-decorator.js';
import type { InstanceRecord, ResultsFile } from '../../core/results-schema.js';
import { runSpecsForEntry } from '../../tasks/scenario-registry.js';
import type { ScoredBy } from '../../core/train-schema.js';
import type { CheckpointRef, EvaluateCheckpoint, LookOptions, TaskScores } from './scorer.js';
import { SharedRequests, type Caller } from './shared-requests.js';
import type { ProgressEvent } from '../runner/progress.js';

/** A backend for a checkpoint and how it is reached (recorded in train.json as `scored_by`). */
export interface ScoringBackend {
  backend: Backend;
  via: ScoredBy['via'];
}

/**
 * Where the progress of each evaluation of a checkpoint goes while it runs (e.g. the eval bar):
 * `update` with the runner's counters, `end` once it is over; `evalDir` names the evaluation
 * (several run at once: the looks of an adaptive evaluation).
 */
export interface EvalProgressSink {
  update(evalDir: string, step: number, e: ProgressEvent): void;
  end(evalDir: string): void;
}

/** Runner slots per scheduler slot: each look keeps enough requests queued for the free slots to go to the smallest look. */
const RUNNER_SLOTS_PER_SLOT = 4;

export interface CheckpointEvalOptions {
  entries: string[];
  suite?: string;
  dataDir: string;
  runDir: string;
  concurrency: number;
  /** The backend that serves this checkpoint (its id must differ between checkpoints). */
  backendFor(ckpt: CheckpointRef): Promise<ScoringBackend>;
  /** Progress of each evaluation while it runs. */
  progress?: EvalProgressSink;
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

/** A backend whose calls go through one look's view of the checkpoint's shared requests. */
export function throughShared(backend: Backend, shared: SharedRequests, caller: Caller, priority: number): Backend {
  // Within a look, generations before one-token answers: the long ones start first, so the look's tail is short.
  const complete: Backend['complete'] = (request) =>
    shared.run(`complete ${canonicalJson(request)}`, request.maxTokens > 1 ? priority - 0.5 : priority, caller, (signal) => backend.complete(request, signal));
  const completing = new Proxy(backend, { get: (target, prop, recv) => (prop === 'complete' ? complete : Reflect.get(target, prop, recv)) });
  // Prompt fitting comes before any completion of its run: tokenizer calls go first.
  return withTokenizerCalls(completing, {
    tokenize: (text, options) => shared.run(`tokenize ${canonicalJson({ text, options })}`, -1, caller, () => backend.tokenize(text, options), false),
    decode: (tokens) => shared.run(`decode ${canonicalJson(tokens)}`, -1, caller, () => backend.decode(tokens), false),
  });
}

export function checkpointEvaluator(o: CheckpointEvalOptions): EvaluateCheckpoint {
  // The checkpoint's shared requests, while any evaluation of it runs.
  const sessions = new Map<string, { shared: SharedRequests; users: number }>();
  return async (ckpt, maxPerRun, look?: LookOptions): Promise<TaskScores> => {
    const scoring = await o.backendFor(ckpt);
    const backend = withCheckpointIdentity(scoring.backend, ckpt);
    const key = `${ckpt.step}\n${ckpt.path}`;
    let session = sessions.get(key);
    if (!session) sessions.set(key, (session = { shared: new SharedRequests(o.concurrency), users: 0 }));
    session.users++;
    const caller = session.shared.caller(look?.signal);
    const outDir = checkpointEvalDir(o.runDir, ckpt.step, maxPerRun);
    // Keep the first n instances of each run (selection order); count the full selection too.
    const seen = new Map<string, number>();
    const filter = maxPerRun === null ? undefined : (run: string) => {
      const k = (seen.get(run) ?? 0) + 1;
      seen.set(run, k);
      return k <= maxPerRun;
    };
    let last = { done: 0, reused: 0, total: 0 };
    let evaluation;
    try {
      evaluation = await evaluate({
        entries: o.entries,
        suite: o.suite,
        backend: throughShared(backend, session.shared, caller, look?.priority ?? 0),
        dataDir: o.dataDir,
        outDir,
        concurrency: o.concurrency * RUNNER_SLOTS_PER_SLOT,
        filter,
        cachePath: join(o.runDir, 'cache.sqlite'),
        resume: true,
        backendConfig: { kind: 'checkpoint', step: ckpt.step, path: ckpt.path, servingUrl: ckpt.servingUrl },
        onProgress: (e) => {
          last = e;
          o.progress?.update(outDir, ckpt.step, e);
        },
      });
    } catch (err) {
      if (!look?.signal.aborted) throw err;
      evaluation = null; // planning cut short by the cancellation
    } finally {
      if (--session.users === 0) sessions.delete(key);
      o.progress?.end(outDir);
    }
    const fullPerRun = (results: ResultsFile | undefined) =>
      maxPerRun === null && results ? Math.max(0, ...results.runs.map((r) => r.numInstances)) : Math.max(0, ...seen.values());
    const scoredBy: ScoredBy = { via: scoring.via, backend: scoring.backend.id };
    if (look?.signal.aborted && (!evaluation || evaluation.results.errors.count > 0)) {
      return { perTask: {}, requestsSent: caller.sent, requestsTotal: last.total, fullPerRun: fullPerRun(evaluation?.results), cancelled: true, scoredBy };
    }
    const { results, records } = evaluation!;
    if (results.errors.count > 0) {
      throw new Error(`${results.errors.count} request(s) failed scoring step ${ckpt.step}; first: ${results.errors.first[0]?.message ?? 'unknown'}`);
    }
    await o.onResults?.(ckpt, results, outDir);
    return { perTask: taskScoresFrom(results, records), requestsSent: caller.sent, requestsTotal: last.total, fullPerRun: fullPerRun(results), scoredBy };
  };
}
