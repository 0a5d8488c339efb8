// Checkpoint discovery for trainers that know nothing of evalfirst: poll an output directory for
// new PEFT adapter or HF model directories and report only complete ones. A directory is complete
// when its config parses, every safetensors file's header is whole and its tensors lie inside the
// file, and nothing in it changed between two polls (so a half-written checkpoint is never read).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsFile } from '../../model/formats/safetensors.js';

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
    const index = join(dir, 'model.safetensors.index.json');
    if (existsSync(index)) {
      try {
        const map = (JSON.parse(readFileSync(index, 'utf8')) as { weight_map: Record<string, string> }).weight_map;
        return [...new Set(Object.values(map))].every((f) => safetensorsWhole(join(dir, f))) ? 'hf' : null;
      } catch {
        return null;
      }
    }
    const single = join(dir, 'model.safetensors');
    return existsSync(single) && safetensorsWhole(single) ? 'hf' : null;
  }
  return null;
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
  ) {}

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
