// Checkpoints reach the supervisor from the control endpoint and the directory watch, possibly
// at once; they are handled one at a time. A checkpoint already in the record (scored by this run,
// or by the killed supervisor that --resume continues) is not scored again, and once a stop is
// decided later ones are answered "stop" without scoring.
//
// Two policies. `pause` (one GPU: the trainer serves its own model while it waits): each checkpoint
// is scored in arrival order and its control call is answered once it is scored. `async` (a second
// GPU or a vLLM fleet scores from the saved checkpoint while training goes on): the answer comes at
// once ("continue", or "stop" when a stop was decided by then, so a stop applies at the next save);
// one checkpoint is scored at a time and, when scoring falls behind, a waiting checkpoint is
// skipped as stale as soon as a newer one arrives (`onSkip` logs it).
import type { Decision } from '../../core/train-schema.js';
import type { ControlAnswer } from './control-server.js';
import type { CheckpointRef } from './scorer.js';

export type QueuePolicy = 'pause' | 'async';

export interface CheckpointQueueConfig {
  /** Whether this checkpoint (step and path) was scored already. */
  isScored(ref: CheckpointRef): boolean;
  /** The stop decided so far, if any. */
  stopDecision(): Decision | null;
  /** Scores one checkpoint and decides; never called for two checkpoints at once. */
  score(ref: CheckpointRef, viaControl: boolean): Promise<ControlAnswer>;
  /** Default `pause`. */
  policy?: QueuePolicy;
  /** async: `stale` was waiting, unscored, when `newer` arrived, and will not be scored. */
  onSkip?(stale: CheckpointRef, newer: CheckpointRef): void;
}

export class CheckpointQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting: CheckpointRef | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly cfg: CheckpointQueueConfig) {}

  /** Queues a checkpoint; pause: resolves with the answer once it is scored; async: at once. */
  push(ref: CheckpointRef, viaControl: boolean): Promise<ControlAnswer> {
    if (this.cfg.policy === 'async') return Promise.resolve(this.pushAsync(ref));
    const job = this.tail.then(() => this.handle(ref, viaControl));
    this.tail = job.catch(() => undefined); // a failed job does not block the next
    return job;
  }

  /** Resolves when every checkpoint queued so far has been handled (or skipped). */
  async drained(): Promise<void> {
    await this.tail;
    while (this.running) await this.running;
  }

  private async handle(ref: CheckpointRef, viaControl: boolean): Promise<ControlAnswer> {
    const stop = this.cfg.stopDecision();
    if (this.cfg.isScored(ref)) return { action: stop ? 'stop' : 'continue', detail: 'already scored' };
    if (stop) return { action: 'stop', reason: stop.reason, detail: stop.detail };
    return this.cfg.score(ref, viaControl);
  }

  private pushAsync(ref: CheckpointRef): ControlAnswer {
    const stop = this.cfg.stopDecision();
    if (stop) return { action: 'stop', reason: stop.reason, detail: stop.detail };
    if (this.cfg.isScored(ref)) return { action: 'continue', detail: 'already scored' };
    if (this.waiting && (this.waiting.step !== ref.step || this.waiting.path !== ref.path)) this.cfg.onSkip?.(this.waiting, ref);
    this.waiting = ref;
    this.next();
    return { action: 'continue', detail: 'queued: scored beside training (a stop applies at the next save)' };
  }

  /** Starts the waiting checkpoint when nothing is being scored. */
  private next(): void {
    if (this.running || !this.waiting) return;
    const ref = this.waiting;
    this.waiting = null;
    this.running = this.handle(ref, false).then(
      () => undefined,
      () => undefined, // the scorer logs its own failures
    ).then(() => {
      this.running = null;
      this.next();
    });
  }
}
