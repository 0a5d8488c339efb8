// Turning a run's answers into what a run directory keeps: one instances.jsonl record per request
// (prompt, request, completion, references, scores or the error), the run's aggregate metrics, and
// results.json with its provenance.
import type { Completion } from '../../core/request.js';
import type { RequestState, RunSpec } from '../../tasks/run-spec.js';
import type { InstanceRecord, ResultsFile, RunResult } from '../../core/results-schema.js';
import { scoreRequest } from '../../tasks/metrics/score-request.js';
import { aggregateRun, type ScoredRequest } from '../../tasks/metrics/aggregate.js';
import type { RunDirPaths } from '../../core/run-dir.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { sha256Hex } from '../../core/sha256.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { capToMaxTokens } from './max-tokens.js';

export type Outcome = { completion: Completion; reused: boolean } | { error: string };

export interface RequestFailure {
  runName: string;
  instanceId: string;
  message: string;
}

/** An answer the server made longer than max_tokens (scored cut to max_tokens). */
export interface TruncatedAnswer {
  runName: string;
  instanceId: string;
  tokens: number;
  maxTokens: number;
}

function baseRecord(state: RequestState): Omit<InstanceRecord, 'completion' | 'scores' | 'error'> {
  return {
    runName: state.runName,
    instanceId: state.instance.id,
    split: state.instance.split,
    perturbation: state.perturbation ?? null,
    prompt: state.request.prompt,
    request: { ...state.request } as Record<string, unknown>,
    references: state.instance.references.map((r) => ({ text: r.text, correct: r.correct })),
  };
}

/** Scores one run's answers and aggregates them; errored requests are recorded and left out of the means. */
/** sha256 (12 hex) over what defines the task: equal versions, the same prompts, metrics and data. */
export function taskVersion(entry: string, runSpec: RunSpec, dataChecksums: Record<string, string>): string {
  const what = { entry, scenario: runSpec.scenario.name, adapterSpec: runSpec.adapterSpec, metrics: runSpec.metrics.map((m) => m.name), dataChecksums };
  return sha256Hex(canonicalJson(what)).slice(0, 12);
}

export function scoreRun(
  entry: string,
  runSpec: RunSpec,
  states: RequestState[],
  outcomes: Outcome[],
  dataChecksums: Record<string, string>,
): { run: RunResult; records: InstanceRecord[]; errors: RequestFailure[]; truncated: TruncatedAnswer[] } {
  const records: InstanceRecord[] = [];
  const scored: ScoredRequest[] = [];
  const errors: RequestFailure[] = [];
  const truncated: TruncatedAnswer[] = [];
  states.forEach((state, i) => {
    const o = outcomes[i];
    if ('error' in o) {
      errors.push({ runName: state.runName, instanceId: state.instance.id, message: o.error });
      records.push({ ...baseRecord(state), completion: null, scores: {}, error: o.error });
      return;
    }
    const { completion, returnedTokens } = capToMaxTokens(state.request, o.completion);
    const flag = returnedTokens === null ? {} : { truncated: { tokens: returnedTokens, maxTokens: state.request.maxTokens } };
    if (returnedTokens !== null) truncated.push({ runName: state.runName, instanceId: state.instance.id, tokens: returnedTokens, maxTokens: state.request.maxTokens });
    const scores = scoreRequest(runSpec, state, completion);
    scored.push({ state, completions: [completion], scores });
    records.push({ ...baseRecord(state), completion: { text: completion.text, logprob: completion.logprob, tokens: completion.tokens }, scores, error: null, ...flag });
  });
  const run: RunResult = {
    name: runSpec.name,
    entry,
    scenario: runSpec.scenario.name,
    groups: runSpec.groups,
    mainMetric: runSpec.mainMetric,
    mainSplit: runSpec.mainSplit,
    metrics: aggregateRun(runSpec, scored),
    numInstances: new Set(states.map((s) => s.instance.id)).size,
    numRequests: states.length,
    numErrors: errors.length,
    ...(truncated.length ? { numTruncated: truncated.length } : {}),
    adapterSpec: { ...runSpec.adapterSpec },
    ...(runSpec.processRandom ? { processRandom: runSpec.processRandom } : {}),
    dataChecksums,
    taskVersion: taskVersion(entry, runSpec, dataChecksums),
  };
  return { run, records, errors, truncated };
}

/** instances.jsonl then results.json, each written whole (temporary file + rename). */
export function writeResults(paths: RunDirPaths, results: ResultsFile, records: InstanceRecord[]): void {
  writeFileAtomic(paths.instances, records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
  writeFileAtomic(paths.results, `${JSON.stringify(results, null, 2)}\n`);
}
