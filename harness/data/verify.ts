// `evalfirst data verify DIR`: checks a data directory against the pins.
import { join } from 'node:path';
import { checkDigest, digestFile } from './file-digest.js';
import type { FilePin } from '../../tasks/data-source.js';

export type VerifyStatus = 'ok' | 'mismatch' | 'missing' | 'unverified';

export interface VerifyRow {
  benchmark: string;
  path: string;
  status: VerifyStatus;
  detail?: string;
}

export async function verifyPins(dir: string, selected: [string, FilePin[]][]): Promise<VerifyRow[]> {
  const rows: VerifyRow[] = [];
  for (const [benchmark, pins] of selected) {
    for (const pin of pins) {
      let digest;
      try {
        digest = await digestFile(join(dir, ...pin.path.split('/')));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        rows.push({ benchmark, path: pin.path, status: 'missing' });
        continue;
      }
      const check = checkDigest(pin, digest);
      if (check.status === 'mismatch') rows.push({ benchmark, path: pin.path, status: 'mismatch', detail: `expected ${check.expected}, got ${check.actual}` });
      else rows.push({ benchmark, path: pin.path, status: check.status });
    }
  }
  return rows;
}

/** Benchmarks with no file present at all (a data dir need not hold every benchmark) and those with only some. */
export function missingByBenchmark(rows: VerifyRow[]): { absent: string[]; incomplete: string[] } {
  const by = new Map<string, { missing: number; total: number }>();
  for (const r of rows) {
    const b = by.get(r.benchmark) ?? { missing: 0, total: 0 };
    b.total++;
    if (r.status === 'missing') b.missing++;
    by.set(r.benchmark, b);
  }
  const absent = [...by].filter(([, b]) => b.missing > 0 && b.missing === b.total).map(([n]) => n);
  const incomplete = [...by].filter(([, b]) => b.missing > 0 && b.missing < b.total).map(([n]) => n);
  return { absent, incomplete };
}

/**
 * 0 when no file mismatches and every benchmark is whole or absent altogether (a note); 1 on a
 * mismatch; 3 when a benchmark is present only in part — or, with `strict`, when any file is missing.
 */
export function verifyExitCode(rows: VerifyRow[], options: { strict?: boolean } = {}): number {
  if (rows.some((r) => r.status === 'mismatch')) return 1;
  const { absent, incomplete } = missingByBenchmark(rows);
  if (incomplete.length > 0 || (options.strict && absent.length > 0)) return 3;
  return 0;
}
