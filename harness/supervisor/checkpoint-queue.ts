// Checkpoints reach the supervisor from the control endpoint and the directory watch, possibly
// at once; they are handled one at a time, in arrival order. A checkpoint already in the record
// (scored by this run, or by the killed supervisor that --resume continues) is not scored again,
// and once a stop is decided later ones are answered "stop" without scoring.
import type { Decision } from '../../core/train-schema.js';
import type { ControlAnswer } from './control-server.js';
import type { CheckpointRef } from './scorer.js';

export interface CheckpointQueueConfig {
  /** Whether this checkpoint (step and path) was scored already. */
  isScored(ref: CheckpointRef): boolean;
  /** The stop decided so far, if any. */
  stopDecision(): Decision | null;
  /** Scores one checkpoint and decides; never called for two checkpoints at once. */
  score(ref: CheckpointRef, viaControl: boolean): Promise<ControlAnswer>;
}

export class CheckpointQueue {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly cfg: CheckpointQueueConfig) {}

  /** Queues a checkpoint; resolves with the answer for it once its turn has come and gone. */
  push(ref: CheckpointRef, viaControl: boolean): Promise<ControlAnswer> {
    const job = this.tail.then(() => this.handle(ref, viaControl));
    this.tail = job.catch(() => undefined); // a failed job does not block the next
    return job;
  }

  /** Resolves when every checkpoint queued so far has been handled. */
  async drained(): Promise<void> {
    await this.tail;
  }

  private async handle(ref: CheckpointRef, viaControl: boolean): Promise<ControlAnswer> {
    const stop = this.cfg.stopDecision();
    if (this.cfg.isScored(ref)) return { action: stop ? 'stop' : 'continue', detail: 'already scored' };
    if (stop) return { action: 'stop', reason: stop.reason, detail: stop.detail };
    return this.cfg.score(ref, viaControl);
  }
}
