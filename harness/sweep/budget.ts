// Compute accounting of a sweep and the deadline check before each rung: the rung's training and
// scoring time, estimated from what the sweep has measured so far, must fit in what is left of the
// deadline after the reserve for the winner's final full evaluation (the supervisor's
// estimateReserve: a timed full evaluation, or seconds per request × requests, plus save and margin).
import { estimateReserve, type ReserveInputs } from '../supervisor/stop-rules.js';

export interface Compute {
  /** Training steps run (resumed arms count only the new steps). */
  steps: number;
  trainSeconds: number;
  evalSeconds: number;
  /** Evaluation requests (instances) scored. */
  evalRequests: number;
}

export const NO_COMPUTE: Compute = { steps: 0, trainSeconds: 0, evalSeconds: 0, evalRequests: 0 };

export function addCompute(a: Compute, b: Partial<Compute>): Compute {
  return { steps: a.steps + (b.steps ?? 0), trainSeconds: a.trainSeconds + (b.trainSeconds ?? 0), evalSeconds: a.evalSeconds + (b.evalSeconds ?? 0), evalRequests: a.evalRequests + (b.evalRequests ?? 0) };
}

export interface CostModel {
  secondsPerStep: number;
  /** Seconds to score one arm at one checkpoint. */
  evalSecondsPerArm: number;
}

/** Measured costs so far, or the prior guess where nothing was measured yet. */
export function measuredCosts(total: Compute, armRungsScored: number, prior: CostModel): CostModel {
  return {
    secondsPerStep: total.steps > 0 && total.trainSeconds > 0 ? total.trainSeconds / total.steps : prior.secondsPerStep,
    evalSecondsPerArm: armRungsScored > 0 && total.evalSeconds > 0 ? total.evalSeconds / armRungsScored : prior.evalSecondsPerArm,
  };
}

/** Seconds to bring each arm from its step to `toStep` and score it `looks` times on the way. */
export function rungSeconds(armSteps: readonly number[], toStep: number, cost: CostModel, looks = 1): number {
  let s = 0;
  for (const step of armSteps) s += Math.max(0, toStep - step) * cost.secondsPerStep + looks * cost.evalSecondsPerArm;
  return s;
}

export interface DeadlineCheck {
  afford: boolean;
  needS: number;
  leftS: number;
  reserveS: number;
  detail: string;
}

export function checkDeadline(needS: number, nowS: number, deadlineS: number, reserve: ReserveInputs | number): DeadlineCheck {
  const reserveS = typeof reserve === 'number' ? reserve : estimateReserve(reserve);
  const leftS = deadlineS - nowS;
  const afford = leftS - reserveS >= needS;
  return {
    afford,
    needS,
    leftS,
    reserveS,
    detail: `${leftS.toFixed(1)}s left, reserve ${reserveS.toFixed(1)}s for the final evaluation; the rung needs ~${needS.toFixed(1)}s${afford ? '' : ': not affordable'}`,
  };
}
