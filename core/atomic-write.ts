// Writes a file to a temporary name beside it, fsyncs, then renames it into place, so a reader (a
// report, a resumed run, a checkpoint watcher) never sees half a file.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';

export function writePartsAtomic(path: string, parts: Uint8Array[]): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
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

export function writeFileAtomic(path: string, text: string): void {
  writePartsAtomic(path, [Buffer.from(text, 'utf8')]);
}

/** Pretty JSON with a final newline, atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
