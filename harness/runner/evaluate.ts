// evaluate(): run entries → requests → answers (journal, cache, or the model) → scores →
// results.json + instances.jsonl in a run directory, and the same results and instance records
// returned. The CLI's `eval` and the training supervisor both call this. Everything that can fail
// before a request (entries, metrics, data dir, an occupied run directory) is checked before the
// run directory is written. Requests of all runs share one concurrency limit (HELM's `-n 30`);
// planning the next run overlaps sending the previous one's requests.
import pLimit from 'p-limit';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Backend } from '../../core/backend.js';
import { canonicalJson } from '../../core/canonical-json.js';
import type { RequestState, RunSpec } from '../../tasks/run-spec.js';
import type { InstanceRecord, ResultsFile, RunResult } from '../../core/results-schema.js';
import { VERSION, gitCommit } from '../version.js';
import { UserError } from '../../core/errors.js';
import { RequestCache } from './cache.js';
import { withCachedTokenizer } from './cached-backend.js';
import { withLimitedTokenizer } from './limited-backend.js';
import { Journal, readJournal, type JournalEntry } from './journal.js';
import { requestKey } from './request-key.js';
import { writeRunConfig, type BackendRecord, type RunConfig } from './run-config.js';
import { runDirPaths } from '../../core/run-dir.js';
import { scoreRun, writeResults, type Outcome, type RequestFailure, type TruncatedAnswer } from './results.js';
import { checksumFiles } from './data-provenance.js';
import type { ProgressEvent } from './progress.js';
import { planRun, type InstanceFilter } from './plan-run.js';
import { runSpecsForEntry } from '../../tasks/scenario-registry.js';
import { checkMetrics } from '../../tasks/metrics/metric.js';
import { aggregateGroups } from '../../tasks/metrics/aggregate.js';
import { environment } from '../environment.js';
import { inHelmProcessOrder } from '../../tasks/suites/process-order.js';

export const DEFAULT_CONCURRENCY = 30;
/** Prompt fitting tried again this many times after the client gave up on a retryable /tokenize fault. */
const REPLAN_ROUNDS = 3;
/** Runs planned concurrently ahead of the one being sent. */
const PLAN_AHEAD = 4;
/** How many request errors results.json lists in full. */
const FIRST_ERRORS = 10;

export interface EvaluateOptions {
  /** HELM run entries, e.g. "mmlu:subject=anatomy,max_eval_instances=15". */
  entries: string[];
  backend: Backend;
  dataDir: string;
  /** The run directory (created); holds config.json, journal.jsonl, results.json, instances.jsonl. */
  outDir: string;
  /** Requests in flight at once (default 30, as the organisers ran HELM). */
  concurrency?: number;
  /** Used only for entries that set no max_eval_instances (helm-run --max-eval-instances). */
  maxEvalInstances?: number;
  /**
   * At most this many eval instances per run, as HELM selects them with max_eval_instances =
   * min(the entry's, limit): numpy's seeded choice, so every model gets the same instances.
   */
  limit?: number;
  /** Keep only these eval instances (after HELM's selection), e.g. a supervisor's sample. */
  filter?: InstanceFilter;
  /** Evaluate only these instance ids (any run); combined with `filter`. */
  sampleIds?: Iterable<string>;
  onProgress?: (e: ProgressEvent) => void;
  /** SQLite request cache file; null or absent: no cache. */
  cachePath?: string | null;
  /** Carry on a run in outDir from its journal instead of refusing a non-empty one. */
  resume?: boolean;
  /** Recorded in config.json/results.json: how to rebuild the backend (protocol, urls, model path...). */
  backendConfig?: BackendRecord;
  suite?: string;
  /** First wait (doubling) before planning a run again after its /tokenize calls failed retryably (default 2 s). */
  replanDelayMs?: number;
  /**
   * The helm-run process whose run order decides the global random state of scenarios that draw
   * from it unseeded (the ETHICS splits): default, one process over `entries` in their order.
   */
  helmProcessOrder?: { label: string; entries: string[] };
}


/** What evaluate() returns: results.json's content and every instance record of instances.jsonl. */
export interface Evaluation {
  results: ResultsFile;
  records: InstanceRecord[];
}

/** A run entry's run spec, with the data files its scenario reads (listed before anything is written). */
interface ResolvedRun {
  entry: string;
  runSpec: RunSpec;
  files: string[];
}

interface PlannedRun extends ResolvedRun {
  states: RequestState[];
  outcomes: Promise<Outcome>[];
  checksums: Promise<Record<string, string>>;
}

/** The data files of a run that are empty (0 bytes), relative paths read from the data dir. */
function emptyFiles(dataDir: string, files: string[]): string[] {
  return files.filter((f) => {
    try {
      return statSync(isAbsolute(f) ? f : join(dataDir, f)).size === 0;
    } catch {
      return false;
    }
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Resolves every entry to its run specs and checks what can be checked without a request: the
 * entry parses, its metrics are known, and a run that reads data files finds the data dir.
 */
async function resolveRuns(entries: string[], dataDir: string, maxEvalInstances: number | undefined): Promise<ResolvedRun[]> {
  const runs: ResolvedRun[] = [];
  for (const entry of entries) {
    for (const runSpec of await runSpecsForEntry(entry, { defaultMaxEvalInstances: maxEvalInstances, dataDir })) {
      checkMetrics(runSpec);
      const files = await runSpec.scenario.files(dataDir);
      const inDataDir = files.find((f) => !isAbsolute(f));
      if (inDataDir !== undefined && !isDirectory(dataDir)) {
        throw new UserError(
          `run ${runSpec.name} reads ${inDataDir} from the data dir ${dataDir}, which does not exist; ` +
            `fetch the data with \`evalfirst data fetch --data-dir ${dataDir}\` or point --data-dir / EVALFIRST_DATA at it`,
        );
      }
      runs.push({ entry, runSpec, files });
    }
  }
  return runs;
}

/** HELM's selection with max_eval_instances = min(the entry's, limit) (a prefix of the same seeded permutation). */
export function withLimit(runSpec: RunSpec, limit: number): RunSpec {
  const current = runSpec.adapterSpec.maxEvalInstances;
  if (current !== null && current <= limit) return runSpec;
  return { ...runSpec, adapterSpec: { ...runSpec.adapterSpec, maxEvalInstances: limit } };
}

/** config.json's content: built here only, from the options (the CLI's resume passes config.json's back in). */
function runConfigFor(options: EvaluateOptions, concurrency: number, backend: BackendRecord): RunConfig {
  return {
    entries: options.entries,
    suite: options.suite,
    backend,
    dataDir: options.dataDir,
    concurrency,
    maxEvalInstances: options.maxEvalInstances,
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    ...(options.helmProcessOrder ? { helmProcessOrder: options.helmProcessOrder } : {}),
    cache: options.cachePath ?? null,
    createdAt: new Date().toISOString(),
  };
}

/** Whether an error is a RequestError the backend marked retryable (a fault that may pass). By name too (see planningError). */
function isRetryableRequestError(err: unknown): boolean {
  return (err as Error)?.name === 'RequestError' && (err as { retryable?: boolean }).retryable === true;
}

/**
 * Plans a run; a retryable tokenizer fault (5xx, reset, timeout after the client's own retries) is
 * met like a /process fault, by trying again: the run is planned again up to REPLAN_ROUNDS times
 * after growing waits, reusing every token count already answered (the request cache).
 */
async function planWithRetries(plan: () => Promise<RequestState[]>, firstDelayMs: number): Promise<RequestState[]> {
  for (let round = 0; ; round++) {
    try {
      return await plan();
    } catch (err) {
      if (!isRetryableRequestError(err) || round >= REPLAN_ROUNDS) throw Object.assign(err as Error, { rounds: round + 1 });
      await new Promise((r) => setTimeout(r, firstDelayMs * 2 ** round));
    }
  }
}

/**
 * Why a run could not be prepared, for the user: scenario errors as they are, a failed tokenizer
 * request (prompt fitting asks the server) named as such -- a server without /tokenize is told
 * about --tokenizer, a tokenizer that kept failing is not -- plus how to resume when work was done.
 */
function planningError(err: unknown, runName: string, completed: number, journalPath: string, outDir: string): Error {
  // By name as well as class: under mocha's CJS+ESM loading a module may see another copy of a class.
  const name = (err as Error)?.name;
  let userError: UserError;
  if (err instanceof UserError || name === 'UserError') userError = err as UserError;
  else if (isRetryableRequestError(err)) {
    const rounds = (err as { rounds?: number }).rounds ?? 1;
    userError = new UserError(`run ${runName}: fitting prompts needs the model's tokenizer, and the server's tokenizer kept failing (${rounds} rounds of retries): ${(err as Error).message}`);
  } else if (name === 'RequestError') userError = new UserError(`run ${runName}: fitting prompts needs the model's tokenizer, and ${(err as Error).message} (a server without /tokenize: pass --tokenizer tokenizer.json)`);
  else return err as Error;
  if (completed === 0) return userError;
  return new UserError(`${userError.message}\n(${completed} completed requests are kept in ${journalPath}; fix this and continue with --resume ${outDir})`, userError.exitCode);
}

export async function evaluate(options: EvaluateOptions): Promise<Evaluation> {
  const startedAt = new Date();
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UserError(`concurrency must be a positive integer, got ${concurrency}`);
  const paths = runDirPaths(options.outDir);
  const hasJournal = existsSync(paths.journal) && statSync(paths.journal).size > 0;
  if (hasJournal && !options.resume) throw new UserError(`${options.outDir} already holds a run; continue it with --resume ${options.outDir} or choose another --out`);
  const done: Map<string, JournalEntry> = options.resume ? readJournal(paths.journal) : new Map();
  // Every entry resolved and checked before the run directory is written, so a typo fails at once.
  const specs = (await resolveRuns(options.entries, options.dataDir, options.maxEvalInstances)).map((r) => (options.limit === undefined ? r : { ...r, runSpec: withLimit(r.runSpec, options.limit) }));

  const backendConfig = options.backendConfig ?? { kind: 'programmatic' };
  const config = runConfigFor(options, concurrency, backendConfig);
  // The run directory is written once the first run has planned (its prompts fit, its data loaded),
  // so an entry that cannot run leaves no half-made run behind.
  let journalFile: Journal | null = null;
  const openRunDir = (): Journal => {
    if (!journalFile) {
      if (!options.resume || !existsSync(paths.config)) writeRunConfig(paths, config);
      journalFile = new Journal(paths.journal);
    }
    return journalFile;
  };

  {
    // The global random state is computed from the process order and the data, never from answers.
    const targets = specs.map((s) => s.runSpec);
    let order = targets;
    let label = options.suite ?? 'the given entries';
    if (options.helmProcessOrder) {
      order = [];
      for (const entry of options.helmProcessOrder.entries) order.push(...(await runSpecsForEntry(entry, { defaultMaxEvalInstances: options.maxEvalInstances, dataDir: options.dataDir })));
      label = options.helmProcessOrder.label;
    }
    const placed = inHelmProcessOrder(order, label, targets);
    for (const [k, runSpec] of placed.entries()) {
      if (runSpec === specs[k]!.runSpec) continue;
      // A scenario placed in a process reads the files of the runs before it too (their draws).
      specs[k] = { ...specs[k]!, runSpec, files: await runSpec.scenario.files(options.dataDir) };
    }
  }

  const sample = options.sampleIds ? new Set(options.sampleIds) : undefined;
  const filter: InstanceFilter | undefined =
    sample || options.filter ? (run, inst) => (!sample || sample.has(inst.id)) && (!options.filter || options.filter(run, inst)) : undefined;

  const cache = options.cachePath ? new RequestCache(options.cachePath) : undefined;
  const limit = pLimit(concurrency);
  // Cache outside the limit: a remembered token count costs no slot.
  const backend = cache ? withCachedTokenizer(withLimitedTokenizer(options.backend, limit), cache) : withLimitedTokenizer(options.backend, limit);
  const inFlight = new Map<string, Promise<Outcome>>();
  const progress: ProgressEvent = { done: 0, total: 0, errors: 0, reused: 0, inFlight: 0 };
  const report = () => options.onProgress?.({ ...progress });
  const checksumMemo = new Map<string, Promise<string>>();

  // A server that fails every one of the first requests (wrong URL, wrong model name) is not
  // hammered with the rest: they are recorded as not sent, and the run finishes at once.
  const breakerAfter = Math.max(10, concurrency);
  let answered = 0;
  let failedFirst = 0;
  let breaker: string | undefined;

  const settle = (o: Outcome): Outcome => {
    progress.done++;
    if ('error' in o) progress.errors++;
    else if (o.reused) progress.reused++;
    report();
    return o;
  };

  const answer = (state: RequestState): Promise<Outcome> => {
    const key = requestKey(backend.id, state.request);
    const shared = inFlight.get(key);
    if (shared) return shared.then(settle);
    const fromJournal = done.get(key);
    let p: Promise<Outcome>;
    if (fromJournal) {
      p = Promise.resolve({ completion: fromJournal.completion, reused: true });
    } else {
      const cached = cache?.get(key);
      if (cached) {
        openRunDir().append({ key, runName: state.runName, index: state.index, completion: cached });
        p = Promise.resolve({ completion: cached, reused: true });
      } else {
        p = limit(async (): Promise<Outcome> => {
          if (breaker) return { error: `not sent: ${breaker}` };
          progress.inFlight = (progress.inFlight ?? 0) + 1;
          report();
          try {
            const completion = await backend.complete(state.request);
            answered++;
            openRunDir().append({ key, runName: state.runName, index: state.index, completion });
            cache?.put(key, backend.id, canonicalJson(state.request), completion);
            return { completion, reused: false };
          } catch (err) {
            const message = (err as Error).message;
            if (answered === 0 && ++failedFirst >= breakerAfter && !breaker) {
              breaker = `the first ${failedFirst} requests all failed, so the server looks unusable (last: ${message})`;
            }
            return { error: message };
          } finally {
            progress.inFlight = (progress.inFlight ?? 1) - 1;
          }
        });
      }
    }
    inFlight.set(key, p);
    return p.then(settle);
  };

  const planned: PlannedRun[] = [];
  // Plan a few runs ahead (load, select, fit prompts) so their tokenizer calls queue while earlier
  // runs' completions are in flight; results are consumed in entry order.
  const planLimit = pLimit(PLAN_AHEAD);
  const replanDelayMs = options.replanDelayMs ?? 2000;
  const plans = specs.map(({ runSpec }) => planLimit(() => planWithRetries(() => planRun(runSpec, backend, options.dataDir, filter), replanDelayMs)));
  plans.forEach((p) => p.catch(() => undefined)); // each is awaited below, in order
  try {
    for (const [k, run] of specs.entries()) {
      const { runSpec } = run;
      let states: RequestState[];
      try {
        states = await plans[k];
      } catch (err) {
        planLimit.clearQueue();
        // Let the requests already sent finish into the journal, then say how to carry on.
        await Promise.allSettled(planned.flatMap((p) => p.outcomes));
        throw planningError(err, runSpec.name, progress.done, paths.journal, options.outDir);
      }
      openRunDir();
      progress.total += states.length;
      report();
      const checksums = checksumFiles(options.dataDir, run.files, checksumMemo);
      checksums.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
      planned.push({ ...run, states, outcomes: states.map(answer), checksums });
    }
    await Promise.all(planned.flatMap((p) => p.outcomes));
  } finally {
    (journalFile as Journal | null)?.close();
    cache?.close();
  }
  if (!existsSync(paths.config)) writeRunConfig(paths, config); // a run with no requests still gets its directory

  const records: InstanceRecord[] = [];
  const runs: RunResult[] = [];
  const errors: RequestFailure[] = [];
  const truncated: TruncatedAnswer[] = [];
  const warnings: string[] = [];
  for (const p of planned) {
    const scoredRun = scoreRun(p.entry, p.runSpec, p.states, await Promise.all(p.outcomes), await p.checksums);
    runs.push(scoredRun.run);
    records.push(...scoredRun.records);
    errors.push(...scoredRun.errors);
    truncated.push(...scoredRun.truncated);
    // e.g. an empty test CSV: the run "succeeds" with n = 0 on the split its scores come from
    const mainSplit = scoredRun.records.filter((r) => r.split === p.runSpec.mainSplit).length;
    if (mainSplit === 0 && !filter) {
      const empty = emptyFiles(options.dataDir, p.files);
      warnings.push(`run ${p.runSpec.name} has no instance of its main split (${p.runSpec.mainSplit}; ${empty.length ? `empty: ${empty.join(', ')}` : `its data: ${p.files.join(', ') || 'none'}`}); its scores are over n = 0`);
    }
  }

  const results: ResultsFile = {
    evalfirstVersion: VERSION,
    gitCommit: gitCommit(),
    createdAt: new Date().toISOString(),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationS: (Date.now() - startedAt.getTime()) / 1000,
    environment: { ...environment() },
    config: { ...config },
    backend: { ...backendConfig, id: backend.id, protocol: backendConfig.protocol ?? backendConfig.kind },
    runs,
    groups: aggregateGroups(runs),
    errors: { count: errors.length, first: errors.slice(0, FIRST_ERRORS) },
    ...(truncated.length ? { truncated: { count: truncated.length, first: truncated.slice(0, FIRST_ERRORS) } } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
  writeResults(paths, results, records);
  return { results, records };
}

