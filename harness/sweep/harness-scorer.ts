// Scores candidates with the harness: evaluate() on the suite's run entries (HELM's seeded selection
// with `limit` instances per run, the same for every candidate, so they pair), through the embedded
// backend with the base loaded once and each candidate's adapter swapped in (createBackend). Each
// scoring is a run directory of its own (results.json, instances.jsonl), rebuildable by `eval --resume`.
import { createBackend, type EmbeddedBackendConfig } from '../../model/backends/factory.js';
import type { EmbeddedBackend } from '../../model/backends/embedded.js';
import type { ResultsFile } from '../../core/results-schema.js';
import { evaluate } from '../runner/evaluate.js';
import { scoresFromEvaluation } from './evaluation-scores.js';
import type { TaskScores } from './paired.js';

export interface ScoreRequest {
  name: string;
  /** The adapter folder, or null for the base itself. */
  adapter: string | null;
  /** The run directory of this scoring (must not exist yet). */
  outDir: string;
  /** Every instance of the suite (a final evaluation), ignoring the scorer's `limit`. */
  full?: boolean;
}

export interface ScoreOutcome {
  tasks: TaskScores;
  seconds: number;
  requests: number;
  errors: number;
  results: ResultsFile;
}

export interface Scorer {
  readonly description: Record<string, unknown>;
  score(req: ScoreRequest): Promise<ScoreOutcome>;
  close(): Promise<void>;
}

export interface EmbeddedScorerOptions {
  base: string;
  quant: 'nf4' | 'none';
  entries: string[];
  suite?: string;
  dataDir: string;
  /** At most this many instances per run (HELM's seeded selection). */
  limit?: number;
  concurrency?: number;
  threads?: number;
  /** SQLite request cache shared by every scoring (keyed by the backend id, which names the adapter's content). */
  cachePath?: string;
}

export function embeddedScorer(o: EmbeddedScorerOptions): Scorer {
  let backend: Promise<EmbeddedBackend> | null = null;
  const config = (adapter: string | null): EmbeddedBackendConfig => ({ kind: 'embedded', protocol: 'embedded', model: o.base, quant: o.quant, ...(adapter ? { adapter } : {}), ...(o.threads ? { threads: o.threads } : {}) });
  return {
    description: { kind: 'embedded', base: o.base, quant: o.quant, suite: o.suite ?? null, entries: o.entries, limit: o.limit ?? null },
    async score(req: ScoreRequest): Promise<ScoreOutcome> {
      const started = performance.now();
      backend ??= createBackend(config(null));
      const b = await backend;
      await b.setAdapter(req.adapter);
      const { results, records } = await evaluate({
        entries: o.entries,
        suite: o.suite,
        backend: b,
        dataDir: o.dataDir,
        outDir: req.outDir,
        limit: req.full ? undefined : o.limit,
        ...(o.cachePath ? { cachePath: o.cachePath } : {}),
        concurrency: o.concurrency ?? 1,
        backendConfig: config(req.adapter),
      });
      const { tasks, errors } = scoresFromEvaluation(results, records);
      const requests = Object.values(tasks).reduce((n, t) => n + Object.keys(t).length, 0);
      return { tasks, seconds: (performance.now() - started) / 1000, requests, errors, results };
    },
    async close() {
      if (backend) await (await backend).close?.();
    },
  };
}
