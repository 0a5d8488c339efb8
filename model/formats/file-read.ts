// Low-level reads shared by the safetensors and GGUF readers: open with a clear error, and read
// an exact byte range (a short read means the file is truncated).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UserError } from '../../core/errors.js';

export function openForRead(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    throw new UserError(`${path}: cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Opens `path` and hands the descriptor and file size to `parse`; the descriptor is closed if
 * parsing throws, and left open (owned by the result) if it returns. */
export function parseOpenFile<T>(path: string, parse: (fd: number, size: number) => T): T {
  const fd = openForRead(path);
  try {
    const st = fstatSync(fd);
    // open(2) succeeds on a directory; reading it would fail with EISDIR
    if (st.isDirectory()) throw new UserError(`${path}: is a directory, not a file`);
    return parse(fd, st.size);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Fills `buf` from `position`; `what` names the file (and tensor) in the error. */
export function readExactly(fd: number, buf: Uint8Array, position: number, what: string): void {
  let done = 0;
  while (done < buf.length) {
    const got = readSync(fd, buf, done, Math.min(buf.length - done, 1 << 30), position + done);
    if (got === 0) throw new UserError(`${what}: unexpected end of file at byte ${position + done}`);
    done += got;
  }
}
