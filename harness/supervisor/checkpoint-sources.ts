// Where checkpoints come from: the control endpoint a trainer calls after each save, and the
// directory watch for trainers that know nothing of evalfirst. Both hand each checkpoint to the
// same function (the supervisor's queue); the trainer learns the endpoint from its environment.
// A checkpoint path is confined before anything reads it: resolved (a relative path against the
// trainer's working directory), links followed, and inside the run directory, the watched
// directory, the trainer's working directory or a root the user allowed (--checkpoint-root).
import { statSync } from 'node:fs';
import { confinePath } from '../../core/confine-path.js';
import { CheckpointWatcher } from './checkpoint-watch.js';
import { CONTROL_ENV, ControlListenError, RefusedReport, startControlServer, type ControlAddress, type ControlAnswer, type ControlServer } from './control-server.js';
import type { CheckpointRef } from './scorer.js';

export interface CheckpointSourcesConfig {
  /** Directory to watch for checkpoint directories; null: the control endpoint only. */
  watchDir: string | null;
  watchIntervalMs: number;
  /** Checkpoint paths handled already (restored on --resume): the watch skips them. */
  seen: Iterable<string>;
  /** Directories a checkpoint may lie in. */
  roots: string[];
  /** What a relative checkpoint path is relative to (the trainer's working directory). */
  baseDir: string;
  /** The watch ignores checkpoint directories last written before this time (ms since the epoch): an earlier run's. */
  notBeforeMs: number;
  /** Listen on this recorded address (a resumed run); null: a random port. */
  address: ControlAddress | null;
  /** Fail rather than take a new port when `address` is taken (a surviving trainer reports there). */
  addressRequired: boolean;
}

export type OnCheckpoint = (ref: CheckpointRef, viaControl: boolean) => Promise<ControlAnswer>;

/** The checkpoint path confined to the allowed directories and checked to be a directory, or why not. */
export function confineCheckpoint(path: string, cfg: Pick<CheckpointSourcesConfig, 'roots' | 'baseDir'>): { path: string } | { refused: string } {
  const c = confinePath(path, cfg.baseDir, cfg.roots);
  if (!c.ok) return { refused: `checkpoint path refused: ${c.reason}; allow its directory with --checkpoint-root DIR` };
  if (!statSync(c.real).isDirectory()) return { refused: `checkpoint path refused: ${c.path} is not a directory` };
  return { path: c.path };
}

export class CheckpointSources {
  private constructor(
    private readonly control: ControlServer,
    private readonly watcher: CheckpointWatcher | null,
    private readonly watchIntervalMs: number,
  ) {}

  /** Starts the control endpoint and the watch; `status` answers the endpoint's GET /status. */
  static async open(cfg: CheckpointSourcesConfig, onCheckpoint: OnCheckpoint, status: () => unknown, log: (line: string) => void): Promise<CheckpointSources> {
    const handlers = {
      onCheckpoint: async (r: { step: number; path: string; serving_url?: string; save_s?: number }) => {
        const c = confineCheckpoint(r.path, cfg);
        if ('refused' in c) {
          log(`control: refused the report of step ${r.step}: ${c.refused}`);
          throw new RefusedReport(c.refused);
        }
        return onCheckpoint({ step: r.step, path: c.path, servingUrl: r.serving_url, ...(r.save_s !== undefined ? { saveS: r.save_s } : {}) }, true);
      },
      status,
    };
    let control: ControlServer;
    try {
      control = await startControlServer(handlers, cfg.address);
    } catch (e) {
      if (!(e instanceof ControlListenError) || !cfg.address) throw e;
      if (cfg.addressRequired) {
        throw new ControlListenError(`${e.message}: the trainer still running reports to that address, so this supervisor cannot take another; free the port (or stop the trainer) and resume again`, e.code);
      }
      control = await startControlServer(handlers, { port: 0, token: cfg.address.token });
      log(`resume: the recorded control port ${cfg.address.port} is taken (${e.code}); listening on ${control.url} instead (no trainer is running that needs the old one)`);
    }
    const watcher = cfg.watchDir
      ? new CheckpointWatcher(cfg.watchDir, new Set(cfg.seen), async (c) => void (await onCheckpoint({ step: c.step, path: c.path }, false)), cfg.watchIntervalMs, {
          notBeforeMs: cfg.notBeforeMs,
          accept: (path) => {
            const c = confineCheckpoint(path, cfg);
            return 'refused' in c ? c.refused : null;
          },
          log,
        })
      : null;
    watcher?.start();
    return new CheckpointSources(control, watcher, cfg.watchIntervalMs);
  }

  get url(): string {
    return this.control.url;
  }

  get port(): number {
    return this.control.port;
  }

  get token(): string {
    return this.control.token;
  }

  /** The variables that tell a trainer where and how to report its checkpoints. */
  trainerEnv(): Record<string, string> {
    return { [CONTROL_ENV.url]: this.control.url, [CONTROL_ENV.token]: this.control.token };
  }

  /** Stops the watch after two last polls, for checkpoints written just before the trainer exited. */
  async lastLook(): Promise<void> {
    if (!this.watcher) return;
    this.watcher.stop();
    for (let i = 0; i < 2; i++) {
      await new Promise((r) => setTimeout(r, this.watchIntervalMs));
      await this.watcher.pollOnce();
    }
  }

  async close(): Promise<void> {
    await this.control.close();
  }
}
