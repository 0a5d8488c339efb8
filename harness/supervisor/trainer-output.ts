// The trainer's output as lines while it runs, read back from its log files in the run directory
// (trainer-handle.ts makes the trainer write them itself, so they outlive the supervisor and stay
// the record). Each file is followed from where it ended when following began (a resumed run does
// not replay old output) and read every `pollMs`; `\r` ends a line as `\n` does (a progress bar
// redrawn in place), empty lines are dropped, and stop() reads what is left, the unfinished last
// line included.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

export type TrainerStream = 'stdout' | 'stderr';

export interface FollowedFile {
  path: string;
  stream: TrainerStream;
}

export interface OutputFollower {
  /** Reads what is new now, without waiting for the next poll (e.g. before a checkpoint is scored). */
  poll(): void;
  /** Reads what is left once more and stops; idempotent. */
  stop(): void;
}

/** Splits text arriving in chunks into lines; `end()` gives the unterminated rest. */
export function lineSplitter(): { push(chunk: string): string[]; end(): string[] } {
  let rest = '';
  const nonEmpty = (lines: string[]) => lines.filter((l) => l.trim() !== '');
  return {
    push(chunk) {
      const parts = (rest + chunk).split(/\r\n|\r|\n/);
      rest = parts.pop() ?? '';
      // A chunk ending in `\r` may be the first half of `\r\n`: the empty line it would make is dropped.
      return nonEmpty(parts);
    },
    end() {
      const last = rest;
      rest = '';
      return nonEmpty([last]);
    },
  };
}

const CHUNK = 1 << 20;

/** One file read from a byte offset on: new complete lines at each read. */
function fileReader(file: FollowedFile, onLine: (line: string, stream: TrainerStream) => void) {
  let offset = existsSync(file.path) ? statSync(file.path).size : 0;
  const decoder = new TextDecoder('utf-8');
  const lines = lineSplitter();
  const buf = Buffer.alloc(CHUNK);
  const emit = (ls: string[]) => ls.forEach((l) => onLine(l, file.stream));
  return {
    read(): void {
      if (!existsSync(file.path)) return;
      const fd = openSync(file.path, 'r');
      try {
        for (;;) {
          const n = readSync(fd, buf, 0, CHUNK, offset);
          if (n <= 0) break;
          offset += n;
          emit(lines.push(decoder.decode(buf.subarray(0, n), { stream: true })));
        }
      } finally {
        closeSync(fd);
      }
    },
    end(): void {
      emit(lines.push(decoder.decode()));
      emit(lines.end());
    },
  };
}

/** Follows the files; `onLine` gets each line with the stream it came from. */
export function followOutput(files: FollowedFile[], onLine: (line: string, stream: TrainerStream) => void, pollMs = 250): OutputFollower {
  const readers = files.map((f) => fileReader(f, onLine));
  const readAll = () => {
    for (const r of readers) {
      try {
        r.read();
      } catch {
        // a log file that cannot be read now is read at the next poll
      }
    }
  };
  const timer = setInterval(readAll, pollMs);
  timer.unref();
  let stopped = false;
  return {
    poll() {
      if (!stopped) readAll();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      readAll();
      for (const r of readers) r.end();
    },
  };
}
