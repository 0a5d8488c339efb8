// Hashing a file for its pin: sha256 and the git blob id, streamed (BBQ files are MBs).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FilePin } from '../../tasks/data-source.js';

export interface FileDigest {
  sha256: string;
  gitBlobSha1: string;
  bytes: number;
}

export async function digestFile(path: string): Promise<FileDigest> {
  const bytes = (await stat(path)).size;
  const sha256 = createHash('sha256');
  const blob = createHash('sha1').update(`blob ${bytes}\0`);
  for await (const chunk of createReadStream(path)) {
    sha256.update(chunk as Buffer);
    blob.update(chunk as Buffer);
  }
  return { sha256: sha256.digest('hex'), gitBlobSha1: blob.digest('hex'), bytes };
}

export type PinCheck = { status: 'ok' } | { status: 'unverified' } | { status: 'mismatch'; expected: string; actual: string };

/** Compares a digest with what the pin knows (sha256 first, else git blob id, else nothing). */
export function checkDigest(pin: FilePin, d: FileDigest): PinCheck {
  if (pin.sha256) {
    if (d.sha256 !== pin.sha256) return { status: 'mismatch', expected: `sha256 ${pin.sha256}`, actual: `sha256 ${d.sha256} (${d.bytes} bytes)` };
    return { status: 'ok' };
  }
  if (pin.gitBlobSha1) {
    if (d.gitBlobSha1 !== pin.gitBlobSha1) return { status: 'mismatch', expected: `git blob ${pin.gitBlobSha1}`, actual: `git blob ${d.gitBlobSha1}` };
    return { status: 'ok' };
  }
  return { status: 'unverified' };
}
