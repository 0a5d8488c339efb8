// Benchmarks and data that only come as one archive (MMLU's data.tar, MATH.tar, nltk's punkt_tab.zip;
// their readers declare the archive in their `data`): the archive is downloaded like any pinned file
// (kept under the data dir, resumable, never fetched twice), then the needed members are unpacked
// with the system `tar` (or `unzip`) into the data dir.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../../core/errors.js';
import { fetchPin, type FetchOptions, type FetchResult } from './fetch.js';
import type { ArchiveSpec } from '../../tasks/data-source.js';

const run = promisify(execFile);

/** Downloads (or reuses) the archive and unpacks its members; the members' own pins are checked afterwards by the caller. */
export async function fetchArchive(spec: ArchiveSpec, options: FetchOptions): Promise<FetchResult> {
  const got = await fetchPin(spec.archive, options);
  if (got.status === 'failed' || got.status === 'no-url') return got;
  const dest = join(options.dataDir, spec.into);
  await mkdir(dest, { recursive: true });
  const file = join(options.dataDir, spec.archive.path);
  const zip = spec.format === 'zip';
  try {
    if (zip) await run('unzip', ['-o', '-q', file, ...spec.members, '-d', dest]);
    else await run('tar', ['-xf', file, '-C', dest, ...spec.members]);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new UserError(`data fetch: unpacking needs the \`${zip ? 'unzip' : 'tar'}\` program, which was not found on PATH`);
    return { path: spec.archive.path, status: 'failed', detail: `unpacking ${spec.members.join(', ')} failed: ${(e.stderr ?? e.message).trim()}` };
  }
  return { ...got, detail: `unpacked ${spec.members.join(', ')} into ${dest}` };
}
