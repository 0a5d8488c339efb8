// rank.json: what `mix rank` trained, how each composition scored (headline and per task, with 95 %
// intervals), the pairwise verdicts (rankCandidates: paired on the same instances, Holm-corrected
// intervals of every difference, "indistinguishable at this budget"), the leave-one-source-out
// effects per task for --ablate, the halving decisions for --halving, and the compute spent.
import { commonInstances, headlineInterval, type CandidateScores, type HeadlineInterval } from '../sweep/paired.js';
import type { Ranking } from '../sweep/rank.js';
import type { SweepState } from '../sweep/halving.js';
import type { CandidateRun } from '../sweep/train-score.js';
import type { Composition } from './compositions.js';

export const RANK_FORMAT = 'evalfirst-mix-rank/1';

export interface Interval {
  mean: number;
  low: number;
  high: number;
  n: number;
}

export interface CompositionResult {
  name: string;
  input: string;
  mix_dir: string;
  version: string;
  rows: number;
  sources: { name: string; rows: number }[];
  ablation: Composition['ablation'];
  status: CandidateRun['status'];
  error: string | null;
  step: number;
  checkpoint: string | null;
  scored_at: number | null;
  eval_dir: string | null;
  /** Headline (mean over tasks of task means) and per task, on the instances it was scored on, at `score_step`; 95 % intervals. */
  score: Interval | null;
  /** The step of `score`: the ranked step where it was scored there, else its last scoring. */
  score_step: number | null;
  tasks: Record<string, Interval>;
  compute: { train_seconds: number; eval_seconds: number; eval_requests: number; eval_errors: number };
}

export type Verdict = 'helps' | 'hurts' | 'no clear effect';

export interface AblationEffect {
  source: string;
  variant: string;
  /** Full − without the source: positive = the source helps. Null when the variant was not scored. */
  delta: number | null;
  low: number | null;
  high: number | null;
  /** The Holm step level of its interval (over every pair of the ranking). */
  level: number | null;
  verdict: Verdict | null;
  /** Per task: full − without, 95 % paired bootstrap interval (not corrected across tasks). */
  tasks: Record<string, { delta: number; low: number; high: number; n: number; verdict: Verdict }>;
  note: string | null;
}

export interface RankReport {
  format: typeof RANK_FORMAT;
  created_at: string;
  mode: 'all' | 'halving' | 'ablate';
  trainer: Record<string, unknown>;
  scorer: Record<string, unknown>;
  seed: number;
  steps: number;
  /** The step the ranking compares the compositions at (the last, unless halving ended early). */
  ranked_at_step: number | null;
  alpha: number;
  compositions: CompositionResult[];
  /** Over the compositions scored at the last step (null when fewer than two were). */
  ranking: Ranking | null;
  ablation: { composition: string; effects: AblationEffect[] } | null;
  halving: Pick<SweepState, 'rungs' | 'arms' | 'done' | 'finished'> | null;
  compute: { train_seconds: number; eval_seconds: number; eval_requests: number; wall_seconds: number };
  notes: string[];
}

const interval = (h: HeadlineInterval): Interval => ({ mean: h.mean, low: h.ciLow, high: h.ciHigh, n: h.n });

export function compositionResult(c: Composition, run: CandidateRun, rankedAt: number | null): CompositionResult {
  const step = rankedAt !== null && run.scoresByStep[rankedAt] ? rankedAt : run.scoredAt;
  const cand: CandidateScores | null = step !== null ? { name: c.name, tasks: run.scoresByStep[step] } : null;
  const tasks: Record<string, Interval> = {};
  if (cand) for (const [t, ids] of Object.entries(commonInstances([cand]))) tasks[t] = interval(headlineInterval(cand, { [t]: ids }));
  return {
    name: c.name,
    input: c.input,
    mix_dir: c.dir,
    version: c.version,
    rows: c.rows,
    sources: c.sources,
    ablation: c.ablation,
    status: run.status,
    error: run.error,
    step: run.step,
    checkpoint: run.checkpoint,
    scored_at: run.scoredAt,
    eval_dir: run.evalDir,
    score: cand ? interval(headlineInterval(cand)) : null,
    score_step: step,
    tasks,
    compute: { train_seconds: run.trainSeconds, eval_seconds: run.evalSeconds, eval_requests: run.evalRequests, eval_errors: run.evalErrors },
  };
}

const verdictOf = (low: number, high: number): Verdict => (low > 0 ? 'helps' : high < 0 ? 'hurts' : 'no clear effect');

/** The effect of each source: the ranking's pair (full, full without it), oriented as full − without. */
export function ablationEffects(full: string, variants: readonly Composition[], ranking: Ranking | null): AblationEffect[] {
  return variants.map((v) => {
    const pair = ranking?.pairs.find((p) => (p.better === full && p.worse === v.name) || (p.better === v.name && p.worse === full));
    const base = { source: v.ablation!.without, variant: v.name };
    if (!pair) return { ...base, delta: null, low: null, high: null, level: null, verdict: null, tasks: {}, note: `${v.name} was not scored at the last step (see its status)` };
    const sign = pair.better === full ? 1 : -1;
    const orient = (d: number, lo: number, hi: number) => (sign > 0 ? { delta: d, low: lo, high: hi } : { delta: -d, low: -hi, high: -lo });
    const head = orient(pair.delta, pair.low, pair.high);
    const tasks: AblationEffect['tasks'] = {};
    for (const [t, x] of Object.entries(pair.tasks)) {
      const o = orient(x.delta, x.low, x.high);
      tasks[t] = { ...o, n: x.n, verdict: verdictOf(o.low, o.high) };
    }
    return { ...base, ...head, level: pair.level, verdict: pair.distinguishable ? verdictOf(head.low, head.high) : 'no clear effect', tasks, note: null };
  });
}
