// Successive halving as a pure state machine. The orchestrator asks `nextWork` what to do (train the
// active arms to a rung's step and score them), does it (trainers under the supervisor, scoring by
// the harness), and hands the results to `applyRung`, which records scores and compute, applies the
// promotion rules and stops losers (their checkpoints are kept: `checkpoint` stays on the record).
// Crashed arms are recorded as crashed and the sweep goes on with the others. Same inputs → same
// decisions: nothing here reads a clock or a random source. A rung may score each arm at several
// checkpoints (`Rung.looks`, e.g. the first rung of a budget plan): the earlier looks come back in
// `ArmRungResult.looks` and join the arm's history, from which extrapolating rules predict its score
// at the last step.
import { armLabel, type ArmSpec, type ArmValue } from './arms.js';
import { addCompute, checkDeadline, measuredCosts, NO_COMPUTE, rungSeconds, type Compute, type CostModel, type DeadlineCheck } from './budget.js';
import { headlineInterval, type CandidateScores, type TaskScores } from './paired.js';
import { predictFinalScore, type CurveModel, type FinalScorePrediction } from './extrapolate.js';
import { decidePromotions, usesExtrapolation, type ArmVerdict, type PromotionRule, type RungVerdict } from './promotion.js';
import { planRungs, type Rung } from './rungs.js';
import type { ReserveInputs } from '../supervisor/stop-rules.js';

export interface SweepConfig {
  arms: ArmSpec[];
  maxStep: number;
  eta: number;
  minStep?: number;
  stepMultiple?: number;
  /** Arms that reach the last step at the least (geometric plans: fewer halvings; default 1). */
  minFinalists?: number;
  /** Total error level of the confidence stops, split evenly over the deciding rungs. */
  alpha: number;
  rule: PromotionRule;
  /** A plan to use instead of geometric rungs (e.g. budget-plan.ts's planBudgetRungs). */
  rungs?: Rung[];
  /** Extrapolating rules: the curve model, with the base model's score as every curve's start. */
  curve?: CurveModel;
}

export interface ScorePoint {
  rung: number;
  step: number;
  mean: number;
  ciLow: number;
  ciHigh: number;
  /** Standard error of `mean` (what the curve fit weighs the point by). */
  se: number;
  n: number;
}

export type ArmStatus = 'active' | 'stopped' | 'crashed' | 'winner';

export interface ArmRecord {
  id: string;
  label: string;
  params: Record<string, ArmValue>;
  status: ArmStatus;
  /** Last step trained to (and checkpointed). */
  step: number;
  checkpoint: string | null;
  stopped: { rung: number; reason: ArmVerdict['reason'] | 'crashed' | 'deadline' | 'final'; detail: string } | null;
  compute: Compute;
  history: ScorePoint[];
}

export interface RungRecord {
  rung: number;
  step: number;
  arms: string[];
  verdict: RungVerdict | null;
  crashed: string[];
}

/** Scores of an arm at an earlier checkpoint of the same rung (one of `Rung.looks` before its step). */
export interface LookResult {
  step: number;
  scores: TaskScores;
}

export interface SweepState {
  config: SweepConfig;
  rungs: Rung[];
  arms: ArmRecord[];
  done: RungRecord[];
  finished: { winner: string | null; reason: 'completed' | 'deadline' | 'all-crashed'; detail: string } | null;
}

export type ArmRungResult =
  | { arm: string; ok: true; step: number; checkpoint: string | null; scores: TaskScores; trainSeconds: number; evalSeconds: number; looks?: LookResult[] }
  | { arm: string; ok: false; error: string; step: number; trainSeconds: number };

export type Work = { kind: 'rung'; rung: Rung; arms: string[]; estimate: DeadlineCheck | null } | { kind: 'deadline'; check: DeadlineCheck } | { kind: 'done' };

/** A given plan must be usable: rung 0 holds every arm, steps grow to maxStep, looks end at their rung's step. */
function checkPlan(rungs: readonly Rung[], arms: number, maxStep: number): Rung[] {
  if (rungs.length === 0) throw new Error('sweep: the rung plan is empty');
  let prev = 0;
  rungs.forEach((r, i) => {
    const where = `sweep: rung ${i}`;
    if (r.index !== i) throw new Error(`${where} has index ${r.index}`);
    if (!(r.step > prev)) throw new Error(`${where}: step ${r.step} does not follow ${prev}`);
    if (r.looks.length === 0 || r.looks[r.looks.length - 1] !== r.step || r.looks.some((l, k) => l <= (k ? r.looks[k - 1] : prev))) throw new Error(`${where}: looks ${JSON.stringify(r.looks)} must rise within (${prev}, ${r.step}] and end at ${r.step}`);
    if (!(r.keep >= 1 && r.arms >= r.keep)) throw new Error(`${where}: keeps ${r.keep} of ${r.arms}`);
    prev = r.step;
  });
  if (rungs[0].arms !== arms) throw new Error(`sweep: the plan starts with ${rungs[0].arms} arms, the sweep has ${arms}`);
  if (prev !== maxStep) throw new Error(`sweep: the plan ends at step ${prev}, not at maxStep ${maxStep}`);
  return rungs.map((r) => ({ ...r, looks: [...r.looks] }));
}

export function initSweep(config: SweepConfig): SweepState {
  if (!(config.alpha > 0 && config.alpha < 1)) throw new Error(`sweep: alpha must be in (0, 1), got ${config.alpha}`);
  if (usesExtrapolation(config.rule) && !config.curve) throw new Error(`sweep: rule ${config.rule} needs the curve model (the base model's score as the start)`);
  const rungs = config.rungs
    ? checkPlan(config.rungs, config.arms.length, config.maxStep)
    : planRungs({ arms: config.arms.length, maxStep: config.maxStep, eta: config.eta, minStep: config.minStep, stepMultiple: config.stepMultiple, minFinalists: config.minFinalists });
  const arms = config.arms.map((a): ArmRecord => ({ id: a.id, label: armLabel(a), params: a.params, status: 'active', step: 0, checkpoint: null, stopped: null, compute: NO_COMPUTE, history: [] }));
  return { config, rungs, arms, done: [], finished: null };
}

export function activeArms(s: SweepState): ArmRecord[] {
  return s.arms.filter((a) => a.status === 'active');
}

export function totalCompute(s: SweepState): Compute {
  return s.arms.reduce((c, a) => addCompute(c, a.compute), NO_COMPUTE);
}

/** The rung to run next: the next planned one, or straight to the last when one arm is left. */
function nextRung(s: SweepState): Rung | null {
  const last = s.done.length ? s.done[s.done.length - 1].rung : -1;
  if (last >= s.rungs.length - 1) return null;
  return activeArms(s).length === 1 ? s.rungs[s.rungs.length - 1] : s.rungs[last + 1];
}

export interface Clock {
  nowS: number;
  deadlineS: number;
  reserve: ReserveInputs | number;
  /** Cost guesses before anything was measured. */
  prior: CostModel;
}

export function nextWork(s: SweepState, clock?: Clock): Work {
  if (s.finished) return { kind: 'done' };
  const rung = nextRung(s);
  if (!rung) return { kind: 'done' };
  const arms = activeArms(s);
  let estimate: DeadlineCheck | null = null;
  if (clock) {
    const scored = s.arms.reduce((n, a) => n + a.history.length, 0);
    const cost = measuredCosts(totalCompute(s), scored, clock.prior);
    estimate = checkDeadline(rungSeconds(arms.map((a) => a.step), rung.step, cost, rung.looks.length), clock.nowS, clock.deadlineS, clock.reserve);
    if (!estimate.afford) return { kind: 'deadline', check: estimate };
  }
  return { kind: 'rung', rung, arms: arms.map((a) => a.id), estimate };
}

/** An arm's headline at a look, with its 95 % interval (paired.ts's headlineInterval). */
function scorePoint(c: CandidateScores, rung: number, step: number): ScorePoint {
  return { rung, step, ...headlineInterval(c) };
}

function requestsOf(scores: TaskScores): number {
  return Object.values(scores).reduce((n, t) => n + Object.keys(t).length, 0);
}

/** The arm's predicted score at the last step from every point of its history. */
export function predictArm(a: ArmRecord, maxStep: number, curve: CurveModel, level: number): FinalScorePrediction {
  return predictFinalScore(a.history.map((h) => ({ step: h.step, mean: h.mean, se: h.se })), maxStep, curve, level);
}

function update(arms: ArmRecord[], id: string, f: (a: ArmRecord) => ArmRecord): ArmRecord[] {
  return arms.map((a) => (a.id === id ? f(a) : a));
}

export function applyRung(s: SweepState, rungIndex: number, results: readonly ArmRungResult[]): SweepState {
  if (s.finished) throw new Error('sweep: applyRung after the sweep finished');
  const expected = nextRung(s);
  if (!expected || expected.index !== rungIndex) throw new Error(`sweep: expected results of rung ${expected?.index ?? '(none)'}, got rung ${rungIndex}`);
  const rung = s.rungs[rungIndex];
  const active = new Set(activeArms(s).map((a) => a.id));
  for (const r of results) if (!active.has(r.arm)) throw new Error(`sweep: ${r.arm} is not an active arm`);
  const missing = [...active].filter((id) => !results.some((r) => r.arm === id));
  if (missing.length) throw new Error(`sweep: rung ${rungIndex} has no result for ${missing.join(', ')}`);

  let arms = s.arms;
  const scored: CandidateScores[] = [];
  const crashed: string[] = [];
  for (const r of results) {
    arms = update(arms, r.arm, (a) => {
      const steps = Math.max(0, r.step - a.step);
      if (!r.ok) {
        crashed.push(r.arm);
        return { ...a, status: 'crashed', step: Math.max(a.step, r.step), compute: addCompute(a.compute, { steps, trainSeconds: r.trainSeconds }), stopped: { rung: rungIndex, reason: 'crashed', detail: r.error } };
      }
      const c: CandidateScores = { name: r.arm, tasks: r.scores };
      scored.push(c);
      const looks = r.looks ?? [];
      looks.forEach((l, k) => {
        if (!(l.step > a.step && l.step < r.step && (k === 0 || l.step > looks[k - 1].step))) throw new Error(`sweep: ${r.arm}'s look at step ${l.step} is not between its step ${a.step} and ${r.step} in order`);
      });
      const points = [...looks.map((l) => scorePoint({ name: r.arm, tasks: l.scores }, rungIndex, l.step)), scorePoint(c, rungIndex, r.step)];
      const requests = [...looks.map((l) => l.scores), r.scores].reduce((n, t) => n + requestsOf(t), 0);
      return { ...a, step: r.step, checkpoint: r.checkpoint ?? a.checkpoint, compute: addCompute(a.compute, { steps, trainSeconds: r.trainSeconds, evalSeconds: r.evalSeconds, evalRequests: requests }), history: [...a.history, ...points] };
    });
  }
  const record: RungRecord = { rung: rungIndex, step: rung.step, arms: results.map((r) => r.arm), verdict: null, crashed };
  if (scored.length === 0) {
    return { ...s, arms, done: [...s.done, record], finished: { winner: null, reason: 'all-crashed', detail: `every arm left crashed at rung ${rungIndex}` } };
  }
  const final = rungIndex === s.rungs.length - 1;
  const deciding = Math.max(1, s.rungs.length - 1);
  const alpha = s.config.alpha / deciding;
  const rule: PromotionRule = final ? 'budget' : s.config.rule;
  let predictions: Record<string, FinalScorePrediction> | undefined;
  if (usesExtrapolation(rule)) {
    predictions = {};
    for (const c of scored) predictions[c.name] = predictArm(arms.find((a) => a.id === c.name)!, s.config.maxStep, s.config.curve!, 1 - alpha);
  }
  const verdict = decidePromotions(scored, { keep: final ? 1 : rung.keep, alpha, rule, predictions });
  record.verdict = verdict;
  for (const v of verdict.verdicts) {
    if (final) {
      arms = update(arms, v.arm, (a) => (v.action === 'promote' ? { ...a, status: 'winner' } : { ...a, status: 'stopped', stopped: { rung: rungIndex, reason: 'final', detail: `final rung: ${v.detail}` } }));
    } else if (v.action === 'stop') {
      arms = update(arms, v.arm, (a) => ({ ...a, status: 'stopped', stopped: { rung: rungIndex, reason: v.reason, detail: v.detail } }));
    }
  }
  const next: SweepState = { ...s, arms, done: [...s.done, record] };
  if (final) next.finished = { winner: verdict.leader, reason: 'completed', detail: `${verdict.leader} has the highest mean at step ${rung.step}` };
  return next;
}

/** Ends the sweep before the plan is done: the leader of the last scored rung wins. */
export function stopForDeadline(s: SweepState, check: DeadlineCheck): SweepState {
  const last = [...s.done].reverse().find((r) => r.verdict);
  const leader = last?.verdict?.ranking.find((id) => s.arms.find((a) => a.id === id)?.status === 'active') ?? null;
  const arms = s.arms.map((a): ArmRecord => {
    if (a.status !== 'active') return a;
    if (a.id === leader) return { ...a, status: 'winner' };
    return { ...a, status: 'stopped', stopped: { rung: last?.rung ?? -1, reason: 'deadline', detail: check.detail } };
  });
  return { ...s, arms, finished: { winner: leader, reason: 'deadline', detail: leader ? `deadline: ${leader} led the last scored rung (${last!.rung}); ${check.detail}` : `deadline before any rung was scored; ${check.detail}` } };
}
