// The run's journal: one JSON line per completed request, appended as answers arrive and fsync'd
// in batches, so a run killed at any moment (kill -9) resumes without re-sending what it has.
// A torn last line (the process died mid-write) is ignored; damage anywhere else is an error.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import type { Completion } from '../../core/request.js';
import { UserError } from '../../core/errors.js';

export interface JournalEntry {
  key: string;
  runName: string;
  index: number;
  completion: Completion;
}

export interface JournalOptions {
  /** fsync after this many appended entries... */
  syncEvery: number;
  /** ...or this many milliseconds after the first unsynced one, whichever comes first. */
  syncIntervalMs: number;
}

export class Journal {
  private readonly fd: number;
  private unsynced = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly options: JournalOptions;

  constructor(
    readonly path: string,
    options: Partial<JournalOptions> = {},
  ) {
    this.options = { syncEvery: 64, syncIntervalMs: 500, ...options };
    dropTornTail(path);
    this.fd = openSync(path, 'a');
  }

  append(entry: JournalEntry): void {
    // One write per line: the kernel keeps it even if this process is killed right after.
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    this.unsynced++;
    if (this.unsynced >= this.options.syncEvery) this.sync();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.sync(), this.options.syncIntervalMs);
      this.timer.unref();
    }
  }

  sync(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.unsynced === 0) return;
    fsyncSync(this.fd);
    this.unsynced = 0;
  }

  close(): void {
    this.sync();
    closeSync(this.fd);
  }
}

/** Cuts a last line left half-written by a killed process, so new lines start on a fresh one. */
function dropTornTail(path: string): void {
  if (!existsSync(path)) return;
  const bytes = readFileSync(path);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return;
  truncateSync(path, bytes.lastIndexOf(0x0a) + 1);
}

/** Reads a journal into key → entry. Missing file → empty map. */
export function readJournal(path: string): Map<string, JournalEntry> {
  const entries = new Map<string, JournalEntry>();
  if (!existsSync(path)) return entries;
  const lines = readFileSync(path, 'utf8').split('\n');
  // The file ends with "\n" when the last write finished; a last fragment without it is torn.
  const complete = lines.length - 1;
  for (let i = 0; i < complete; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    let e: JournalEntry;
    try {
      e = JSON.parse(line) as JournalEntry;
    } catch (err) {
      throw new UserError(`${path}:${i + 1}: journal line is not JSON (${(err as Error).message}); the run directory is damaged`);
    }
    if (typeof e?.key !== 'string' || typeof e.completion?.text !== 'string') {
      throw new UserError(`${path}:${i + 1}: journal line lacks "key" or "completion.text"; the run directory is damaged`);
    }
    entries.set(e.key, e);
  }
  return entries;
}
