// A run directory: its layout and name, and readers for results.json + instances.jsonl (as the runner
// writes them) with errors that name the file and line. Used by the runner, compare, explain, the
// supervisor and the reports.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from './errors.js';
import type { InstanceRecord, ResultsFile } from './results-schema.js';

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

/**
 * A new run directory's name: runs/[kind-]2026-11-28T10-40-11.123Z-3f9a (no colons, so valid
 * everywhere; milliseconds and a random suffix, so runs started in the same second never collide).
 */
export function defaultRunDir(now: Date = new Date(), base = 'runs', kind?: string, suffix: string = randomBytes(2).toString('hex')): string {
  const stamp = now.toISOString().replace(/:/g, '-');
  return join(base, `${kind ? `${kind}-` : ''}${stamp}-${suffix}`);
}

export interface RunDir {
  dir: string;
  results: ResultsFile;
  instances: InstanceRecord[];
}

export function readResultsFile(dir: string): ResultsFile {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: not a run directory (expected a folder with results.json and instances.jsonl)`);
  const file = join(dir, 'results.json');
  if (!existsSync(file)) throw new UserError(`${file}: missing (is ${dir} a run directory?)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const r = parsed as Partial<ResultsFile>;
  if (typeof r !== 'object' || r === null || !Array.isArray(r.runs)) throw new UserError(`${file}: expected an object with a "runs" array`);
  r.runs.forEach((run, i) => {
    if (typeof run?.name !== 'string' || typeof run.mainMetric !== 'string') throw new UserError(`${file}: runs[${i}] needs string "name" and "mainMetric"`);
  });
  return { groups: [], config: {}, errors: { count: 0, first: [] }, ...r } as ResultsFile;
}

function checkInstanceRecord(rec: unknown, where: string): InstanceRecord {
  const r = rec as Partial<InstanceRecord>;
  if (typeof r !== 'object' || r === null) throw new UserError(`${where}: expected a JSON object`);
  if (typeof r.runName !== 'string') throw new UserError(`${where}: "runName" must be a string`);
  if (typeof r.instanceId !== 'string') throw new UserError(`${where}: "instanceId" must be a string`);
  if (typeof r.prompt !== 'string') throw new UserError(`${where}: "prompt" must be a string`);
  if (typeof r.scores !== 'object' || r.scores === null) throw new UserError(`${where}: "scores" must be an object`);
  return {
    split: 'test',
    perturbation: null,
    request: {},
    completion: null,
    references: [],
    error: null,
    ...r,
  } as InstanceRecord;
}

export async function readInstancesFile(file: string): Promise<InstanceRecord[]> {
  if (!existsSync(file)) throw new UserError(`${file}: missing`);
  const out: InstanceRecord[] = [];
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      throw new UserError(`${file}:${lineNo}: not valid JSON (${(err as Error).message})`);
    }
    out.push(checkInstanceRecord(parsed, `${file}:${lineNo}`));
  }
  return out;
}

export async function loadRunDir(dir: string): Promise<RunDir> {
  const results = readResultsFile(dir);
  const instances = await readInstancesFile(join(dir, 'instances.jsonl'));
  return { dir, results, instances };
}

/** Key that pairs an instance across runs: (runName, instanceId, perturbation). */
export function pairKey(r: Pick<InstanceRecord, 'runName' | 'instanceId' | 'perturbation'>): string {
  return `${r.runName}\u0000${r.instanceId}\u0000${r.perturbation ?? ''}`;
}
