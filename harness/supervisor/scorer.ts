// Scores one checkpoint: either the full suite, or adaptively (a growing nested sample that stops
// as soon as the target's verdict is settled; see adaptive.ts for the method and its guarantee).
// The looks of an adaptive evaluation are all issued at once, look k with priority k (the evaluator
// sends the requests of smaller looks first and shares the requests looks have in common), and are
// judged in order as they complete; once the verdict is settled the larger looks are cancelled. So
// no look waits for the slowest answer of the one before it, and an undecided checkpoint costs
// about one full pass (bench/adaptive.bench.ts measures it).
// The Scorer also keeps the timings that feed the deadline reserve: the first checkpoint gets the
// full suite (that times the final evaluation and fixes the sizes of the looks), later ones are
// scored adaptively.
import { adaptivePlan, runAdaptive, withAggregate } from './adaptive.js';
import { scoreInterval } from '../stats/exact-intervals.js';
import { judgeTarget, targetTasks, type ScoreEstimate, type TargetExpr } from './target.js';
import type { CheckpointRecord, ScoredBy, TrainState, Verdict } from '../../core/train-schema.js';

export interface CheckpointRef {
  step: number;
  path: string;
  /** A challenge-protocol server the trainer serves this checkpoint on while paused. */
  servingUrl?: string;
  /** Seconds the trainer reported for saving it. */
  saveS?: number;
}

/** Per-task, per-instance main-metric scores in a fixed (nested) order, plus requests sent. */
export interface TaskScores {
  perTask: Record<string, number[]>;
  /** Requests actually sent to the model (cache hits excluded). */
  requestsSent: number;
  /** Requests the evaluation comprised in all (cached or not). */
  requestsTotal: number;
  /** Instances per run entry of the full suite (the largest run), known without sending anything. */
  fullPerRun: number;
  /** The look was cancelled before it completed (perTask is then empty). */
  cancelled?: boolean;
  /** The backend that answered. */
  scoredBy?: ScoredBy;
}

/** How one of several concurrent looks of a checkpoint is scheduled. */
export interface LookOptions {
  /** Requests of lower numbers go first (look k: k); looks of one checkpoint share their requests. */
  priority: number;
  /** Aborted when the look is no longer needed: the evaluation then resolves with `cancelled`. */
  signal: AbortSignal;
}

/** Evaluates a checkpoint with at most `maxPerRun` instances per run entry (null: the full suite). */
export type EvaluateCheckpoint = (ckpt: CheckpointRef, maxPerRun: number | null, look?: LookOptions) => Promise<TaskScores>;

export interface ScoreOutcome {
  scores: Record<string, ScoreEstimate>;
  verdict?: Verdict;
  full: boolean;
  /** Sample size per run at the last look (null: full). */
  looks: number[];
  requestsSent: number;
  requestsTotal: number;
  seconds: number;
  scoredBy?: ScoredBy;
  /** Instances per run entry of the full suite. */
  fullPerRun: number;
}

export interface ScorerOptions {
  target: TargetExpr | null;
  alpha: number;
  adaptive: boolean;
  /** First look's sample size per run entry. */
  n0: number;
  /** Instances per run entry of the full suite when known (from an earlier full evaluation). */
  fullPerRun?: number | null;
  /** Looks issued beyond the one being judged (0: one after another; Infinity: all at once). */
  lookahead?: number;
}

/**
 * Every look at once: an undecided checkpoint then costs one full pass (bench/adaptive-looks.bench.ts:
 * 1.0x, against 1.5x with a lookahead of 1 and 2.3x one after another); an early decision sends
 * requests of later looks that idle slots had room for (cached: a checkpoint that met the target
 * re-uses them in its full-suite evaluation).
 */
export const DEFAULT_LOOKAHEAD = Infinity;

function intervals(perTask: Record<string, number[]>, delta: number): Record<string, ScoreEstimate> {
  const out: Record<string, ScoreEstimate> = {};
  for (const [task, s] of Object.entries(perTask)) out[task] = scoreInterval(s, delta);
  return withAggregate(out, perTask, delta);
}

export async function scoreCheckpoint(
  evaluate: EvaluateCheckpoint,
  ckpt: CheckpointRef,
  opts: ScorerOptions,
  mode: ScoreMode,
): Promise<ScoreOutcome> {
  const t0 = performance.now();
  const m = opts.target ? targetTasks(opts.target).length : 1;
  if (mode === 'full' || !opts.adaptive || !opts.target) {
    const r = await evaluate(ckpt, null);
    const scores = intervals(r.perTask, opts.alpha / m);
    return {
      scores,
      verdict: opts.target ? judgeTarget(opts.target, scores) : undefined,
      full: true,
      looks: [],
      requestsSent: r.requestsSent,
      requestsTotal: r.requestsTotal,
      seconds: (performance.now() - t0) / 1000,
      scoredBy: r.scoredBy,
      fullPerRun: r.fullPerRun,
    };
  }
  const target = opts.target;
  const cancel = new AbortController();
  // The full size fixes the schedule and its δ; unknown (no full evaluation yet), the first look tells it.
  let first: Promise<TaskScores> | null = null;
  let fullPerRun = opts.fullPerRun ?? null;
  if (fullPerRun === null) {
    first = evaluate(ckpt, opts.n0, { priority: 0, signal: cancel.signal });
    fullPerRun = (await first).fullPerRun;
  }
  const plan = adaptivePlan(fullPerRun, opts.alpha, m, opts.n0);
  const lookahead = opts.lookahead ?? DEFAULT_LOOKAHEAD;
  const pending: (Promise<TaskScores> | undefined)[] = [];
  const issue = (k: number) => {
    if (k >= plan.looks.length || pending[k]) return;
    const p = k === 0 && first ? first : evaluate(ckpt, plan.looks[k]!, { priority: k, signal: cancel.signal });
    p.catch(() => undefined); // awaited when judged, or settled below
    pending[k] = p;
  };
  let looks;
  try {
    looks = await runAdaptive(target, plan, async (n) => {
      const k = plan.looks.indexOf(n);
      for (let j = k; j <= Math.min(k + lookahead, plan.looks.length - 1); j++) issue(j);
      const r = await pending[k]!;
      if (r.cancelled) throw new Error(`look of ${n} instances per run was cancelled before it was judged`);
      return r.perTask;
    });
  } finally {
    cancel.abort(); // the looks past the decision: queued requests dropped, in-flight ones aborted
  }
  const settled = await Promise.allSettled(pending);
  const done = settled.flatMap((s) => (s.status === 'fulfilled' && s.value ? [s.value] : []));
  const lookSizes = looks.map((l) => l.n);
  const last = looks[looks.length - 1]!;
  const judged = settled[looks.length - 1];
  const lastEval = judged?.status === 'fulfilled' ? judged.value : undefined;
  return {
    scores: last.scores, // with the pooled aggregate (runAdaptive adds it)
    verdict: last.verdict,
    full: lookSizes[lookSizes.length - 1]! >= fullPerRun,
    looks: lookSizes,
    requestsSent: done.reduce((sum, r) => sum + r.requestsSent, 0),
    requestsTotal: lastEval?.requestsTotal ?? 0,
    seconds: (performance.now() - t0) / 1000,
    scoredBy: lastEval?.scoredBy,
    fullPerRun,
  };
}

export type ScoreMode = 'adaptive' | 'full';
export type Timing = TrainState['timing'];

/** The timings after one scoring: a full one times the final evaluation; any one gives the time per request. */
export function withTimings(timing: Timing, o: ScoreOutcome): Timing {
  const t = { ...timing };
  if (o.full) {
    t.full_eval_s = o.seconds;
    t.full_request_count = o.requestsTotal;
  }
  if (o.requestsSent > 0) t.seconds_per_request = o.seconds / o.requestsSent;
  if (!t.full_request_count || o.full) t.full_request_count = Math.max(t.full_request_count ?? 0, o.requestsTotal);
  if (o.full && o.fullPerRun > 0) t.full_per_run = o.fullPerRun;
  return t;
}

/** An outcome's scores as train.json records them. */
export function recordScores(o: ScoreOutcome): CheckpointRecord['scores'] {
  return Object.fromEntries(Object.entries(o.scores).map(([k, v]) => [k, { mean: v.mean, ci_low: v.ciLow, ci_high: v.ciHigh, n: v.n }]));
}

/** `task=mean [low, high]` for each task, for the decisions log. */
export function describeScores(scores: Record<string, ScoreEstimate>): string {
  return Object.entries(scores)
    .map(([k, v]) => `${k}=${v.mean.toFixed(3)} [${v.ciLow.toFixed(3)}, ${v.ciHigh.toFixed(3)}]`)
    .join('  ');
}

/** Where the scorer keeps its timings (train.json's state: saved with it). */
export interface TimingBook {
  timing: Timing;
}

export class Scorer {
  constructor(
    private readonly evaluate: EvaluateCheckpoint,
    private readonly opts: ScorerOptions,
    private readonly book: TimingBook,
  ) {}

  /** Full until a full evaluation has been timed (the reserve needs it), then adaptive. */
  nextMode(): ScoreMode {
    return this.book.timing.full_eval_s === null ? 'full' : 'adaptive';
  }

  /** Scores a checkpoint and records the timings of the evaluation. */
  async score(ckpt: CheckpointRef, mode: ScoreMode): Promise<ScoreOutcome> {
    const o = await scoreCheckpoint(this.evaluate, ckpt, { ...this.opts, fullPerRun: this.book.timing.full_per_run ?? this.opts.fullPerRun }, mode);
    this.book.timing = withTimings(this.book.timing, o);
    return o;
  }
}
