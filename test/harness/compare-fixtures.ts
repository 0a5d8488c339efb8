// Writes synthetic run directories (results.json + instances.jsonl) for compare/explain/report tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InstanceRecord, ResultsFile, RunResult } from '../../core/results-schema.js';

export interface FixtureRun {
  name: string;
  scenario?: string;
  groups?: string[];
  metric?: string;
  /** instance id → score of the main metric */
  scores: Record<string, number>;
  prompt?: (id: string) => string;
  completion?: (id: string) => string;
  adapterSpec?: Record<string, unknown>;
  dataChecksums?: Record<string, string>;
}

export interface FixtureOptions {
  runs: FixtureRun[];
  version?: string;
  gitCommit?: string | null;
  config?: Record<string, unknown>;
  backend?: ResultsFile['backend'];
  temperature?: number;
}

/** HELM summarize: each group's mean is the unweighted mean of its runs' means. */
function groupResults(runs: RunResult[]): ResultsFile['groups'] {
  const byGroup = new Map<string, RunResult[]>();
  for (const r of runs) for (const g of r.groups) byGroup.set(g, [...(byGroup.get(g) ?? []), r]);
  return [...byGroup].map(([group, rs]) => {
    const metric = rs[0].mainMetric;
    const mean = rs.reduce((s, r) => s + r.metrics[metric].mean, 0) / rs.length;
    return { group, mainMetric: metric, metrics: { [metric]: { mean, stderr: 0, count: rs.length, runs: rs.length } } };
  });
}

const defaultPrompt = (id: string) => `Question ${id}: what is 2+2?\nAnswer:`;

export function writeRunDir(dir: string, o: FixtureOptions): string {
  mkdirSync(dir, { recursive: true });
  const runs: RunResult[] = o.runs.map((r) => {
    const values = Object.values(r.scores);
    const m = values.reduce((s, v) => s + v, 0) / values.length;
    return {
      name: r.name,
      entry: r.name,
      scenario: r.scenario ?? r.name.split(':')[0],
      groups: r.groups ?? [r.name.split(':')[0]],
      mainMetric: r.metric ?? 'exact_match',
      mainSplit: 'test',
      metrics: { [r.metric ?? 'exact_match']: { mean: m, stderr: 0, count: values.length } },
      numInstances: values.length,
      numRequests: values.length,
      numErrors: 0,
      adapterSpec: r.adapterSpec ?? { method: 'generation', maxTrainInstances: 5, temperature: 0, maxTokens: 5, stopSequences: ['\n'] },
      dataChecksums: r.dataChecksums ?? { 'x/test.jsonl': 'aa'.repeat(32) },
    };
  });
  const results: ResultsFile = {
    evalfirstVersion: o.version ?? '0.1.0',
    gitCommit: o.gitCommit === undefined ? 'abc1234def5678' : o.gitCommit,
    createdAt: '2026-11-28T10:00:00Z',
    config: o.config ?? { suite: 'test', concurrency: 4 },
    backend: o.backend ?? { id: 'http://localhost:8080', protocol: 'challenge', tokenizer: 'llama' },
    runs,
    groups: groupResults(runs),
    errors: { count: 0, first: [] },
  };
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2));
  const lines: string[] = [];
  for (const r of o.runs) {
    for (const [id, score] of Object.entries(r.scores)) {
      const prompt = (r.prompt ?? defaultPrompt)(id);
      const rec: InstanceRecord = {
        runName: r.name,
        instanceId: id,
        split: 'test',
        perturbation: null,
        prompt,
        request: { prompt, temperature: o.temperature ?? 0, maxTokens: 5, stopSequences: ['\n'] },
        completion: { text: r.completion ? r.completion(id) : score ? ' 4' : ' 5', logprob: -1 },
        references: [{ text: '4', correct: true }],
        scores: { [r.metric ?? 'exact_match']: score },
        error: null,
      };
      lines.push(JSON.stringify(rec));
    }
  }
  writeFileSync(join(dir, 'instances.jsonl'), lines.join('\n') + '\n');
  return dir;
}

/** n ids with score 1 for the first `right` of them. */
export function scoresWith(n: number, right: (i: number) => boolean, prefix = 'id'): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) out[`${prefix}${i}`] = right(i) ? 1 : 0;
  return out;
}
