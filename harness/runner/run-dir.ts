// The layout of a run directory and its config.json: everything `eval --resume` needs to carry on.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../user-error.js';

export interface RunDirPaths {
  dir: string;
  config: string;
  journal: string;
  results: string;
  instances: string;
}

export function runDirPaths(dir: string): RunDirPaths {
  return {
    dir,
    config: join(dir, 'config.json'),
    journal: join(dir, 'journal.jsonl'),
    results: join(dir, 'results.json'),
    instances: join(dir, 'instances.jsonl'),
  };
}

/** runs/2026-11-28T10-40-11Z (no colons, so it is a valid folder name everywhere). */
export function defaultRunDir(now: Date = new Date(), base = 'runs'): string {
  return join(base, now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-'));
}

/** What config.json holds; `backend` is enough for the CLI to rebuild the backend on resume. */
export interface RunConfig {
  entries: string[];
  suite?: string;
  backend: { kind: string; [k: string]: unknown };
  dataDir: string;
  concurrency: number;
  maxEvalInstances?: number;
  /** The helm-run process whose order the runs' global random state follows (--helm-process-order). */
  helmProcessOrder?: { label: string; entries: string[] };
  cache: string | null;
  createdAt: string;
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function writeRunConfig(paths: RunDirPaths, config: RunConfig): void {
  mkdirSync(paths.dir, { recursive: true });
  writeFileAtomic(paths.config, `${JSON.stringify(config, null, 2)}\n`);
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
