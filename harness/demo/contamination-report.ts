// What a built mix's decontamination caught: the rows removed.jsonl lists as contaminated, by source,
// with the benchmark instance each matched (for the `demo mix` printout).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CaughtRow {
  source: string;
  benchmark: string;
  instance_id: string;
  match: string;
}

export function contaminatedRows(mixDir: string): CaughtRow[] {
  const file = join(mixDir, 'removed.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => r.reason === 'contaminated')
    .map((r) => ({ source: String(r.source), benchmark: String(r.benchmark), instance_id: String(r.instance_id), match: String(r.match) }));
}
