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

/**
 * The pseudo-task of the pooled aggregate among a checkpoint's scores: every main-split instance of
 * every task in one sample (harness/stats/aggregates.ts defines it). A `--target` may name it.
 */
export const POOLED_TASK = 'pooled';
/** Its name in train.json files written before it was called `pooled`; still accepted in `--target`. */
export const LEGACY_POOLED_TASK = 'mean';

type Scores = Record<string, TaskScore>;

/** Scores with an old file's `mean` aggregate under its name `pooled` (a group of that name stays). */
export function withPooledName(scores: Scores): Scores {
  if (!(LEGACY_POOLED_TASK in scores) || POOLED_TASK in scores) return scores;
  return Object.fromEntries(Object.entries(scores).map(([k, v]) => [k === LEGACY_POOLED_TASK ? POOLED_TASK : k, v]));
}

/** A train.json as read, with every score table of an older file carrying the aggregate as `pooled`. */
export function upgradeTrainState<T extends Partial<Pick<TrainState, 'checkpoints' | 'best' | 'baseline'>>>(state: T): T {
  for (const c of state.checkpoints ?? []) {
    if (c?.scores) c.scores = withPooledName(c.scores);
    if (c?.full_suite?.scores) c.full_suite.scores = withPooledName(c.full_suite.scores);
  }
  if (state.best?.scores) state.best.scores = withPooledName(state.best.scores);
  if (state.baseline?.scores) state.baseline.scores = withPooledName(state.baseline.scores);
  return state;
}

/** A task's score at one checkpoint: the mean and its confidence interval over n instances. */
export interface TaskScore {
  mean: number;
  ci_low: number;
  ci_high: number;
  n: number;
}

/**
 * Which backend scored an evaluation. `via`: `trainer` (the trainer's own model at the serving_url
 * it reported, while paused), `server` (a --server URL), `openai-lora` (a vLLM server with the
 * checkpoint loaded as a LoRA adapter), `embedded` (evalfirst's runtime, adapter switched in), or
 * `scoring-server` (integrations/scoring_server.py, started by the supervisor on the saved
 * checkpoint); `backend`: the backend's identity (protocol and URLs, or model and adapter hashes).
 */
export interface ScoredBy {
  via: 'trainer' | 'server' | 'openai-lora' | 'embedded' | 'scoring-server';
  backend: string;
}

/** A full-suite evaluation of one checkpoint. */
export interface FullEvaluation {
  scores: Record<string, TaskScore>;
  eval_s: number;
  requests_sent?: number;
  scored_by?: ScoredBy;
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
  scored_by?: ScoredBy;
  /** Seconds the trainer spent saving this checkpoint, as it reported (`save_s`). */
  save_s?: number;
  /**
   * The full suite, given when a stop was decided at this checkpoint and it was the best, before
   * `stop` was answered (while the trainer still served it); `scores` and `decision` stay those of
   * the adaptive sample the decision was taken on.
   */
  full_suite?: FullEvaluation;
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
  /**
   * The best checkpoint and its final (full-suite) evaluation: `scored_by` says which backend gave
   * these scores; `final_eval_error` why they are the intermediate ones (full_eval false).
   */
  best: {
    step: number;
    path: string;
    scores?: CheckpointRecord['scores'];
    full_eval?: boolean;
    eval_s?: number;
    scored_by?: ScoredBy;
    final_eval_error?: string;
  } | null;
  /** The model before training, scored on the full suite (when asked for). */
  baseline?: { step: number; path: string; scores: CheckpointRecord['scores']; eval_s: number; scored_by?: ScoredBy };
  /** Checkpoints the asynchronous scorer skipped because a newer one arrived before it got to them. */
  skipped?: { step: number; path: string; time_s: number; reason: string }[];
  /**
   * Timings that feed the reserve estimate: the last full evaluation, seconds per request sent, the
   * requests of the full suite, the longest checkpoint save the trainer reported; and the
   * instances per run entry of the full suite (its largest run), which fixes the adaptive looks.
   */
  timing: {
    full_eval_s: number | null;
    seconds_per_request: number | null;
    full_request_count: number | null;
    checkpoint_save_s: number;
    full_per_run?: number | null;
  };
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
