// A run directory's config.json: everything `eval --resume` needs to carry on (the layout: core/run-dir.ts).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeJsonAtomic } from '../../core/atomic-write.js';
import { runDirPaths, type RunDirPaths } from '../../core/run-dir.js';
import { UserError } from '../../core/errors.js';

import type { BackendConfig } from '../../model/backends/factory.js';

/**
 * How a run's answers were produced: a BackendConfig (rebuildable by `eval --resume`), or a record of
 * a backend built in code (a supervisor's checkpoint scorer, a test), which only provenance reads.
 */
export type BackendRecord = BackendConfig | { kind: 'checkpoint' | 'programmatic'; protocol?: string; [k: string]: unknown };

/** What config.json holds; `backend` is enough for the CLI to rebuild the backend on resume. */
export interface RunConfig {
  entries: string[];
  suite?: string;
  backend: BackendRecord;
  dataDir: string;
  concurrency: number;
  maxEvalInstances?: number;
  /** --limit: at most this many eval instances per run (HELM's seeded selection). */
  limit?: number;
  /** The helm-run process whose order the runs' global random state follows (--helm-process-order). */
  helmProcessOrder?: { label: string; entries: string[] };
  cache: string | null;
  createdAt: string;
}

export function writeRunConfig(paths: RunDirPaths, config: RunConfig): void {
  mkdirSync(paths.dir, { recursive: true });
  writeJsonAtomic(paths.config, config);
}

export function readRunConfig(dir: string): RunConfig {
  const paths = runDirPaths(dir);
  if (!existsSync(paths.config)) throw new UserError(`${dir} is not a run directory (no config.json)`);
  let c: RunConfig;
  try {
    c = JSON.parse(readFileSync(paths.config, 'utf8')) as RunConfig;
  } catch (err) {
    throw new UserError(`${paths.config}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(c.entries) || typeof c.backend?.kind !== 'string' || typeof c.dataDir !== 'string') {
    throw new UserError(`${paths.config}: missing "entries", "backend.kind" or "dataDir"`);
  }
  return c;
}
