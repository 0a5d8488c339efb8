// Where checkpoints come from: the control endpoint a trainer calls after each save, and the
// directory watch for trainers that know nothing of evalfirst. Both hand each checkpoint to the
// same function (the supervisor's queue); the trainer learns the endpoint from its environment.
import { CheckpointWatcher } from './checkpoint-watch.js';
import { CONTROL_ENV, startControlServer, type ControlAnswer, type ControlServer } from './control-server.js';
import type { CheckpointRef } from './scorer.js';

export interface CheckpointSourcesConfig {
  /** Directory to watch for checkpoint directories; null: the control endpoint only. */
  watchDir: string | null;
  watchIntervalMs: number;
  /** Checkpoint paths handled already (restored on --resume): the watch skips them. */
  seen: Iterable<string>;
}

export type OnCheckpoint = (ref: CheckpointRef, viaControl: boolean) => Promise<ControlAnswer>;

export class CheckpointSources {
  private constructor(
    private readonly control: ControlServer,
    private readonly watcher: CheckpointWatcher | null,
    private readonly watchIntervalMs: number,
  ) {}

  /** Starts the control endpoint and the watch; `status` answers the endpoint's GET /status. */
  static async open(cfg: CheckpointSourcesConfig, onCheckpoint: OnCheckpoint, status: () => unknown): Promise<CheckpointSources> {
    const control = await startControlServer({
      onCheckpoint: (r) => onCheckpoint({ step: r.step, path: r.path, servingUrl: r.serving_url, ...(r.save_s !== undefined ? { saveS: r.save_s } : {}) }, true),
      status,
    });
    const watcher = cfg.watchDir
      ? new CheckpointWatcher(cfg.watchDir, new Set(cfg.seen), async (c) => void (await onCheckpoint({ step: c.step, path: c.path }, false)), cfg.watchIntervalMs)
      : null;
    watcher?.start();
    return new CheckpointSources(control, watcher, cfg.watchIntervalMs);
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
