// Stopping rules: pure functions of the checkpoint history and the clock. Each says "continue" or
// "stop" with a reason and the numbers it used; the supervisor logs every decision.
import type { ScoreEstimate, TargetExpr } from './target.js';
import type { Decision, Verdict } from '../../core/train-schema.js';
import { isPooledKey } from '../stats/aggregates.js';

export interface StopConfig {
  target: TargetExpr | null;
  /** Stop after this many scored checkpoints without improving the best by more than minDelta. */
  patience: number | null;
  minDelta: number;
  /** Absolute deadline in seconds since start. */
  deadlineS: number;
  maxSteps: number | null;
}

export interface Clock {
  /** Seconds since the run started. */
  nowS: number;
  /** Seconds to keep in reserve: the final evaluation + checkpoint save + margin. */
  reserveS: number;
}

/** The number a plateau is judged on: the aggregate `pooled` (`mean` in older train.json) if present, else the mean over tasks. */
export function headlineScore(scores: Record<string, ScoreEstimate | { mean: number }>): number {
  const pooled = Object.keys(scores).find(isPooledKey);
  if (pooled !== undefined) return scores[pooled]!.mean;
  const vals = Object.values(scores).map((s) => s.mean);
  return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : 0;
}

export function targetRule(verdict: Verdict | undefined): Decision | null {
  if (verdict !== 'met') return null;
  return { action: 'stop', reason: 'target', verdict, detail: 'target met on the lower confidence bound' };
}

export function plateauRule(history: { step: number; headline: number }[], patience: number | null, minDelta: number): Decision | null {
  if (patience === null || history.length <= patience) return null;
  let bestIdx = 0;
  for (let i = 1; i < history.length; i++) if (history[i].headline > history[bestIdx].headline + minDelta) bestIdx = i;
  const since = history.length - 1 - bestIdx;
  if (since < patience) return null;
  const best = history[bestIdx];
  return {
    action: 'stop',
    reason: 'plateau',
    detail: `no improvement > ${minDelta} for ${since} checkpoints (best ${best.headline.toFixed(4)} at step ${best.step}, patience ${patience})`,
  };
}

export function deadlineRule(clock: Clock, deadlineS: number): Decision | null {
  const left = deadlineS - clock.nowS;
  if (left > clock.reserveS) return null;
  return {
    action: 'stop',
    reason: 'deadline',
    detail: `${left.toFixed(1)}s left before the deadline, reserve ${clock.reserveS.toFixed(1)}s (final evaluation + save + margin)`,
  };
}

export function maxStepsRule(step: number, maxSteps: number | null): Decision | null {
  if (maxSteps === null || step < maxSteps) return null;
  return { action: 'stop', reason: 'max_steps', detail: `step ${step} reached max steps ${maxSteps}` };
}

/** All rules in priority order: the target first (a met target is the best reason to stop). */
export function decide(
  cfg: StopConfig,
  step: number,
  verdict: Verdict | undefined,
  headlineHistory: { step: number; headline: number }[],
  clock: Clock,
): Decision {
  return (
    targetRule(verdict) ??
    maxStepsRule(step, cfg.maxSteps) ??
    deadlineRule(clock, cfg.deadlineS) ??
    plateauRule(headlineHistory, cfg.patience, cfg.minDelta) ?? {
      action: 'continue',
      verdict,
      detail: `verdict ${verdict ?? 'n/a'}; ${(cfg.deadlineS - clock.nowS).toFixed(1)}s to deadline, reserve ${clock.reserveS.toFixed(1)}s`,
    }
  );
}

/**
 * Reserve estimate: the measured duration of a full final evaluation when one was timed, else
 * the per-request time of the evaluations so far times the full request count; plus the time of
 * the last checkpoint save and a safety margin (fraction and floor).
 */
export interface ReserveInputs {
  fullEvalSeconds: number | null;
  secondsPerRequest: number | null;
  fullRequestCount: number;
  checkpointSaveSeconds: number;
  marginFraction: number;
  marginFloorS: number;
}

export function estimateReserve(r: ReserveInputs): number {
  const evalS = r.fullEvalSeconds ?? (r.secondsPerRequest ?? 0) * r.fullRequestCount;
  const base = evalS + r.checkpointSaveSeconds;
  return base + Math.max(r.marginFloorS, base * r.marginFraction);
}
