// Writes a file to a temporary name beside it, fsyncs, then renames it into place, so a reader (a
// report, a resumed run, a checkpoint watcher) never sees half a file.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';

/** `mode`: the new file's permissions (e.g. 0o600 for a secret), before the umask. */
export function writePartsAtomic(path: string, parts: Uint8Array[], mode = 0o666): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    for (const p of parts) {
      let done = 0;
      while (done < p.length) done += writeSync(fd, p, done, p.length - done);
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

export function writeFileAtomic(path: string, text: string, mode?: number): void {
  writePartsAtomic(path, [Buffer.from(text, 'utf8')], mode);
}

/** Pretty JSON with a final newline, atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
