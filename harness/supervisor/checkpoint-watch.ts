// Checkpoint discovery for trainers that know nothing of evalfirst: poll an output directory for
// new PEFT adapter or HF model directories and report only complete ones. A directory is complete
// when its config parses, every safetensors file's header is whole and its tensors lie inside the
// file, and nothing in it changed between two polls (so a half-written checkpoint is never read).
// Directories last written before the run started (an earlier run's), with a control character in
// their name, or refused by the caller's check (a link out of the allowed directories) are
// ignored, each said once in the log.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsFile } from '../../model/formats/safetensors.js';
import { weightFiles } from '../../model/formats/shard-index.js';
import { controlCharAt } from '../../core/safe-text.js';

export type CheckpointKind = 'peft' | 'hf';

export interface FoundCheckpoint {
  path: string;
  step: number;
  kind: CheckpointKind;
}

/** Step from the directory name (`checkpoint-500`, `step_12`) or its trainer_state.json. */
export function checkpointStep(dir: string, name: string): number | null {
  const m = /(\d+)$/.exec(name);
  if (m) return Number(m[1]);
  const state = join(dir, 'trainer_state.json');
  if (existsSync(state)) {
    try {
      const s = JSON.parse(readFileSync(state, 'utf8')) as { global_step?: number };
      if (Number.isInteger(s.global_step)) return s.global_step as number;
    } catch {
      return null;
    }
  }
  return null;
}

function safetensorsWhole(path: string): boolean {
  try {
    SafetensorsFile.open(path).close();
    return true;
  } catch {
    return false;
  }
}

function jsonParses(path: string): boolean {
  try {
    JSON.parse(readFileSync(path, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

/** What kind of checkpoint a directory holds when it is complete on disk, else null. */
export function completeCheckpointKind(dir: string): CheckpointKind | null {
  if (existsSync(join(dir, 'adapter_config.json'))) {
    const weights = join(dir, 'adapter_model.safetensors');
    return jsonParses(join(dir, 'adapter_config.json')) && existsSync(weights) && safetensorsWhole(weights) ? 'peft' : null;
  }
  if (existsSync(join(dir, 'config.json'))) {
    if (!jsonParses(join(dir, 'config.json'))) return null;
    try {
      const w = weightFiles(dir);
      return (w.kind === 'single' ? [w.file] : w.shards).every(safetensorsWhole) ? 'hf' : null;
    } catch {
      return null; // no weights yet, an index that does not parse, or a shard outside the folder
    }
  }
  return null;
}

/** The latest modification time (ms) of a directory and the files in it; 0 when unreadable. */
export function lastWrittenMs(dir: string): number {
  try {
    let latest = statSync(dir).mtimeMs;
    for (const f of readdirSync(dir)) {
      try {
        latest = Math.max(latest, statSync(join(dir, f)).mtimeMs);
      } catch {
        // removed meanwhile
      }
    }
    return latest;
  } catch {
    return 0;
  }
}

/** What else decides whether a directory of the watched folder is a checkpoint of this run. */
export interface WatchFilter {
  /** Directories last written before this time (ms since the epoch) belong to an earlier run. */
  notBeforeMs?: number;
  /** Why a path must not be read (e.g. a link out of the allowed directories), or null. */
  accept?: (path: string) => string | null;
  log?: (line: string) => void;
}

/** A cheap fingerprint of a directory's files (names, sizes, mtimes) to see that writing stopped. */
export function dirFingerprint(dir: string): string {
  try {
    return readdirSync(dir)
      .sort()
      .map((f) => {
        const s = statSync(join(dir, f));
        return `${f}:${s.size}:${s.mtimeMs}`;
      })
      .join('|');
  } catch {
    return '';
  }
}

/**
 * Polls `root` and calls `onCheckpoint` once per complete checkpoint directory, in step order.
 * `seen` holds paths already handled (e.g. restored on --resume).
 */
export class CheckpointWatcher {
  private last = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    private readonly root: string,
    private readonly seen: Set<string>,
    private readonly onCheckpoint: (c: FoundCheckpoint) => Promise<void>,
    private readonly intervalMs = 1000,
    private readonly filter: WatchFilter = {},
  ) {}

  /** Why a directory is not a checkpoint of this run (said once, then skipped for good), or null. */
  private ignored(name: string, path: string): string | null {
    if (controlCharAt(name) >= 0) return 'its name holds a control character';
    const written = lastWrittenMs(path);
    const { notBeforeMs } = this.filter;
    if (notBeforeMs !== undefined && written > 0 && written < notBeforeMs) {
      return `last written ${new Date(written).toISOString()}, before this run started (${new Date(notBeforeMs).toISOString()}): left by an earlier run`;
    }
    return this.filter.accept?.(path) ?? null;
  }

  /** One poll: the newly complete checkpoints (each reported after two identical fingerprints). */
  scan(): FoundCheckpoint[] {
    if (!existsSync(this.root)) return [];
    const found: FoundCheckpoint[] = [];
    for (const name of readdirSync(this.root)) {
      const path = join(this.root, name);
      if (this.seen.has(path) || name.startsWith('.') || name.endsWith('.tmp')) continue;
      let isDir = false;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        continue;
      }
      if (!isDir) continue;
      if (!this.last.has(path)) {
        const why = this.ignored(name, path);
        if (why !== null) {
          this.seen.add(path);
          this.filter.log?.(`watch: ignoring ${JSON.stringify(path)}: ${why}`);
          continue;
        }
      }
      const fp = dirFingerprint(path);
      const stable = this.last.get(path) === fp;
      this.last.set(path, fp);
      if (!stable) continue;
      const kind = completeCheckpointKind(path);
      const step = checkpointStep(path, name);
      if (kind && step !== null) found.push({ path, step, kind });
    }
    return found.sort((a, b) => a.step - b.step);
  }

  async pollOnce(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const c of this.scan()) {
        this.seen.add(c.path);
        await this.onCheckpoint(c);
      }
    } finally {
      this.busy = false;
    }
  }

  start(): void {
    this.timer = setInterval(() => void this.pollOnce(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
