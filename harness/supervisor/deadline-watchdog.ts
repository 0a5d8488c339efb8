// The deadline watchdog: a timer that asks for a stop once the time left before the deadline is
// no more than the reserve (the final evaluation + checkpoint save + margin), so the deadline
// holds even when the trainer hangs or never reports a checkpoint. The reserve is estimated from
// the timings measured so far (train.json's `timing`).
import type { TrainState } from '../../core/train-schema.js';
import { estimateReserve } from './stop-rules.js';

export interface ReserveMargin {
  /** Safety margin as a fraction of the estimated final evaluation + save. */
  fraction: number;
  /** The margin's floor in seconds. */
  floorS: number;
}

/** Seconds to keep in reserve, from the timings measured so far. */
export function reserveFromTimings(timing: TrainState['timing'], margin: ReserveMargin): number {
  return estimateReserve({
    fullEvalSeconds: timing.full_eval_s,
    secondsPerRequest: timing.seconds_per_request,
    fullRequestCount: timing.full_request_count ?? 0,
    checkpointSaveSeconds: timing.checkpoint_save_s,
    marginFraction: margin.fraction,
    marginFloorS: margin.floorS,
  });
}

export interface DeadlineWatchdogConfig {
  /** Absolute deadline, seconds since the run started. */
  deadlineS: number;
  /** Seconds since the run started. */
  nowS(): number;
  reserveS(): number;
  /** Called once, with the numbers, when the reserve is reached. */
  onDeadline(detail: string): void;
  intervalMs?: number;
}

export class DeadlineWatchdog {
  private timer: NodeJS.Timeout | null = null;
  private fired = false;

  constructor(private readonly cfg: DeadlineWatchdogConfig) {}

  /** One look at the clock; true when it fired (now or before). */
  check(): boolean {
    if (this.fired) return true;
    const left = this.cfg.deadlineS - this.cfg.nowS();
    const reserve = this.cfg.reserveS();
    if (left > reserve) return false;
    this.fired = true;
    this.stop();
    this.cfg.onDeadline(`${left.toFixed(1)}s left, reserve ${reserve.toFixed(1)}s (no checkpoint decision pending)`);
    return true;
  }

  start(): void {
    this.timer ??= setInterval(() => this.check(), this.cfg.intervalMs ?? 200);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
