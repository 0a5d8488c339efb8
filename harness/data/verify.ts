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

/** 0 when every selected file is present and none mismatches; 1 on a mismatch; 3 when files are only missing. */
export function verifyExitCode(rows: VerifyRow[]): number {
  if (rows.some((r) => r.status === 'mismatch')) return 1;
  if (rows.some((r) => r.status === 'missing')) return 3;
  return 0;
}
