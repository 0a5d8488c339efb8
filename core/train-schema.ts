// train.json: the supervisor's record of a training run (rewritten atomically after every decision).
// The supervisor writes it; reports, `train --resume` and users' scripts read it. One declaration.

export type StopReason = 'target' | 'plateau' | 'deadline' | 'max_steps' | 'trainer_exit' | 'trainer_crash';

/** A target's three-valued outcome on confidence bounds. */
export type Verdict = 'met' | 'not_met' | 'undecided';

export interface Decision {
  action: 'continue' | 'stop';
  reason?: StopReason;
  verdict?: Verdict;
  /** Human-readable numbers behind the decision. */
  detail: string;
}

/** A task's score at one checkpoint: the mean and its confidence interval over n instances. */
export interface TaskScore {
  mean: number;
  ci_low: number;
  ci_high: number;
  n: number;
}

export interface CheckpointRecord {
  step: number;
  path: string;
  /** Seconds since the run started when the checkpoint was scored. */
  time_s: number;
  scores: Record<string, TaskScore>;
  decision: Decision;
  /** Whether these scores come from the full suite (else an adaptive sample). */
  full_eval?: boolean;
  requests_sent?: number;
  eval_s?: number;
  /** Sample sizes per run entry of the adaptive looks taken. */
  looks?: number[];
}

export interface TrainState {
  version: 1;
  startedAt: string;
  /** Absolute deadline, seconds after startedAt. */
  deadline_s: number;
  target: string | null;
  config: Record<string, unknown>;
  checkpoints: CheckpointRecord[];
  stop: { reason: StopReason; step: number | null; time_s: number; detail: string } | null;
  best: { step: number; path: string; scores?: CheckpointRecord['scores']; full_eval?: boolean } | null;
  /** The model before training, scored on the full suite (when asked for). */
  baseline?: { step: number; path: string; scores: CheckpointRecord['scores']; eval_s: number };
  /** Timings that feed the reserve estimate. */
  timing: { full_eval_s: number | null; seconds_per_request: number | null; full_request_count: number | null; checkpoint_save_s: number };
  trainer: {
    pid: number | null;
    exit_code: number | null;
    signal: string | null;
    crashed: boolean;
    killed?: boolean;
    exited_s?: number | null;
    /** When the process started (Linux: /proc/PID/stat starttime), so --resume never adopts a stranger that reuses the pid. */
    start_ticks?: string | null;
  } | null;
  /** The control endpoint this run listens on; --resume listens there again (the token is in control.token, mode 0600). */
  control?: { url: string; port: number };
}
