// `evalfirst data fetch`: downloads pinned files into the data dir. A file already there that
// matches its checksum is never downloaded again (an unverifiable one present is kept as is).
// Downloads go to "<file>.part" and resume with an HTTP Range request; failed requests are
// retried; the finished file is checked and only then renamed into place, so a bad download never
// replaces a file and an interrupted one is resumed next time.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkDigest, digestFile } from './file-digest.js';
import type { FilePin } from '../../tasks/data-source.js';

export type FetchStatus =
  | 'present' // already there and verified
  | 'present-unverified' // already there, no checksum to check it with
  | 'downloaded' // fetched and verified
  | 'downloaded-unverified' // fetched, no checksum
  | 'no-url' // only available inside an archive
  | 'failed';

export interface FetchResult {
  path: string;
  status: FetchStatus;
  detail?: string;
}

export interface FetchOptions {
  dataDir: string;
  /** Attempts per file for network errors and HTTP 5xx/429 (default 4). */
  attempts?: number;
  /** First retry delay in ms, doubled each time (default 500). */
  retryDelayMs?: number;
  fetchImpl?: typeof fetch;
  log?: (line: string) => void;
}

class RetryableError extends Error {}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

/** One HTTP attempt: appends to `part` from its current size (Range), or restarts it. */
async function downloadOnce(url: string, part: string, fetchImpl: typeof fetch): Promise<void> {
  const have = (await sizeOf(part)) ?? 0;
  let res: Response;
  try {
    res = await fetchImpl(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, redirect: 'follow' });
  } catch (err) {
    throw new RetryableError(`${url}: ${(err as Error).message}`);
  }
  if (res.status === 416 && have > 0) return; // the .part already holds the whole file
  if (res.status >= 500 || res.status === 429) throw new RetryableError(`${url}: HTTP ${res.status}`);
  if (res.status !== 200 && res.status !== 206) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  if (!res.body) throw new RetryableError(`${url}: empty response body`);
  // 206: the server resumed where we asked; 200: it sent the whole file, so start over.
  const flags = res.status === 206 && have > 0 ? 'a' : 'w';
  const out = createWriteStream(part, { flags });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), out);
  } catch (err) {
    // The .part must be whole on disk before anyone (a retry, the caller) reads its size.
    if (!out.closed) await new Promise<void>((r) => out.once('close', () => r()));
    throw new RetryableError(`${url}: download interrupted: ${(err as Error).message}`);
  }
}

async function downloadWithRetries(url: string, part: string, o: Required<Pick<FetchOptions, 'attempts' | 'retryDelayMs'>> & { fetchImpl: typeof fetch; log: (l: string) => void }): Promise<void> {
  let delay = o.retryDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await downloadOnce(url, part, o.fetchImpl);
      return;
    } catch (err) {
      if (!(err instanceof RetryableError) || attempt >= o.attempts) throw err;
      o.log(`  retry ${attempt}/${o.attempts - 1} in ${delay} ms: ${err.message}`);
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }
}

export async function fetchPin(pin: FilePin, options: FetchOptions): Promise<FetchResult> {
  const o = {
    attempts: options.attempts ?? 4,
    retryDelayMs: options.retryDelayMs ?? 500,
    fetchImpl: options.fetchImpl ?? fetch,
    log: options.log ?? (() => {}),
  };
  const target = join(options.dataDir, ...pin.path.split('/'));
  const part = `${target}.part`;
  if ((await sizeOf(target)) !== null) {
    const check = checkDigest(pin, await digestFile(target));
    if (check.status === 'ok') return { path: pin.path, status: 'present' };
    if (check.status === 'unverified') return { path: pin.path, status: 'present-unverified' };
    o.log(`  ${pin.path}: present but ${check.actual} ≠ ${check.expected}; downloading again`);
  }
  if (!pin.url) return { path: pin.path, status: 'no-url', detail: pin.source };
  await mkdir(dirname(target), { recursive: true });
  try {
    await downloadWithRetries(pin.url, part, o);
  } catch (err) {
    return { path: pin.path, status: 'failed', detail: `${(err as Error).message} (partial download kept in ${part}; run fetch again to resume)` };
  }
  const check = checkDigest(pin, await digestFile(part));
  if (check.status === 'mismatch') {
    await rm(part, { force: true });
    return { path: pin.path, status: 'failed', detail: `checksum mismatch for ${pin.url}: expected ${check.expected}, got ${check.actual}` };
  }
  await rename(part, target);
  return { path: pin.path, status: check.status === 'ok' ? 'downloaded' : 'downloaded-unverified' };
}

/** Fetches pins one after another (the hosts are rate-limited; files are small). */
export async function fetchPins(pins: FilePin[], options: FetchOptions): Promise<FetchResult[]> {
  const out: FetchResult[] = [];
  for (const pin of pins) {
    const r = await fetchPin(pin, options);
    options.log?.(`${r.status.padEnd(21)} ${r.path}${r.detail ? `  (${r.detail})` : ''}`);
    out.push(r);
  }
  return out;
}
