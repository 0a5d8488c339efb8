// sweep.json (`evalfirst-sweep/1`): what `evalfirst sweep` ran and decided. Arms with their settings,
// every look (rung, step, headline with its 95 % interval, n), status and why it stopped, compute;
// the rung plan; every decision with its reason (halving verdicts, or ASHA's per-arm promotions);
// the winner, the pairwise ranking of the arms that reached the last step (Holm), the winner's final
// full evaluation against the base's, and the compute the sweep used.
import type { ArmValue } from './arms.js';
import type { ArmRecord, SweepState } from './halving.js';
import type { AshaDecision } from './asha-loop.js';
import type { Ranking } from './rank.js';
import type { Rung } from './rungs.js';

export const SWEEP_FORMAT = 'evalfirst-sweep/1';
export const SWEEP_FILE = 'sweep.json';
export const SWEEP_HTML = 'sweep.html';

export interface Interval {
  mean: number;
  low: number;
  high: number;
  n: number;
}

export interface SweepLook extends Interval {
  rung: number;
  step: number;
}

export interface SweepArm {
  id: string;
  label: string;
  params: Record<string, ArmValue>;
  status: ArmRecord['status'];
  /** Last step trained to; its checkpoint (kept for stopped arms too). */
  step: number;
  checkpoint: string | null;
  stopped: ArmRecord['stopped'];
  looks: SweepLook[];
  compute: { steps: number; train_seconds: number; eval_seconds: number; eval_requests: number };
}

export interface SweepDecision {
  rung: number;
  step: number;
  arm: string;
  action: 'promote' | 'stop';
  reason: string;
  mean: number | null;
  /** Extrapolating rules: the predicted score at the last step with its credible interval. */
  predicted: { mean: number; low: number; high: number } | null;
  detail: string;
}

export interface FinalEvaluation {
  arm: string;
  checkpoint: string;
  dir: string;
  score: Interval;
  tasks: Record<string, Interval>;
  /** The base scored the same way (full suite) before the sweep. */
  base: Interval | null;
  /** winner − base on the same instances: paired interval (rankCandidates at α). */
  vs_base: { delta: number; low: number; high: number; distinguishable: boolean } | null;
  seconds: number;
}

export interface SweepReport {
  format: typeof SWEEP_FORMAT;
  created_at: string;
  mode: 'halving' | 'asha';
  base: string;
  data: string;
  suite: string;
  limit: number | null;
  trainer: Record<string, unknown>;
  scorer: Record<string, unknown>;
  seed: number;
  max_steps: number;
  eta: number;
  rule: string;
  alpha: number;
  deadline_s: number | null;
  /** Seconds held back from the deadline for the winner's final full evaluation. */
  reserve_s: number;
  parallel: number;
  gpus: string[];
  launcher: string | null;
  rungs: Rung[];
  arms: SweepArm[];
  decisions: SweepDecision[];
  finished: SweepState['finished'];
  winner: string | null;
  /** Arms scored at `ranked_at_step`, compared pairwise (null when fewer than two were). */
  ranking: Ranking | null;
  ranked_at_step: number | null;
  final_evaluation: FinalEvaluation | null;
  compute: { steps: number; grid_steps: number; train_seconds: number; eval_seconds: number; eval_requests: number; wall_seconds: number };
  notes: string[];
}

export function sweepArm(a: ArmRecord): SweepArm {
  return {
    id: a.id,
    label: a.label,
    params: a.params,
    status: a.status,
    step: a.step,
    checkpoint: a.checkpoint,
    stopped: a.stopped,
    looks: a.history.map((h) => ({ rung: h.rung, step: h.step, mean: h.mean, low: h.ciLow, high: h.ciHigh, n: h.n })),
    compute: { steps: a.compute.steps, train_seconds: a.compute.trainSeconds, eval_seconds: a.compute.evalSeconds, eval_requests: a.compute.evalRequests },
  };
}

/** Every decision of a halving run (its rung verdicts), or ASHA's list. */
export function sweepDecisions(state: SweepState, asha: readonly AshaDecision[] | null): SweepDecision[] {
  if (asha) return asha.map((d) => ({ ...d, predicted: null }));
  const out: SweepDecision[] = [];
  for (const d of state.done) {
    for (const arm of d.crashed) {
      const a = state.arms.find((x) => x.id === arm)!;
      out.push({ rung: d.rung, step: d.step, arm, action: 'stop', reason: 'crashed', mean: null, predicted: null, detail: a.stopped?.detail ?? 'crashed' });
    }
    for (const v of d.verdict?.verdicts ?? []) {
      out.push({ rung: d.rung, step: d.step, arm: v.arm, action: v.action, reason: v.reason, mean: v.mean, predicted: v.predicted ? { mean: v.predicted.mean, low: v.predicted.low, high: v.predicted.high } : null, detail: v.detail });
    }
  }
  if (state.finished?.reason === 'deadline')
    for (const a of state.arms) if (a.stopped?.reason === 'deadline') out.push({ rung: a.stopped.rung, step: a.step, arm: a.id, action: 'stop', reason: 'deadline', mean: null, predicted: null, detail: a.stopped.detail });
  return out;
}
