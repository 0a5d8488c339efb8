// A rung plan chosen from the compute budget instead of from η alone: the same cuts as successive
// halving (keep ⌈n/η^r⌉ after cut r) but only as many cuts as leave `minFinalists` arms to compare at
// the last step, and the first rung as late as the budget allows (geometric steps from it to S).
// Geometric halving's first rung is S/η^R whatever the budget: 37 steps of 1000 for 27 arms at η = 3,
// where arms that learn at different speeds are ranked by speed. Here the budget buys a later first
// look, and the first rung scores each arm at `firstLooks` checkpoints so that its curve has a shape
// to extrapolate before anything is cut (extrapolate.ts).
import type { Rung } from './rungs.js';

export interface BudgetPlanInput {
  arms: number;
  maxStep: number;
  eta: number;
  /** What the plan may spend, in training steps; one scoring of one arm costs `evalCost` of them. */
  budget: number;
  /** One scoring of one arm, in training steps' worth of compute (measured, or a prior guess). */
  evalCost: number;
  /** Rung and look steps are multiples of this (the trainer's checkpoint interval). */
  stepMultiple?: number;
  /** Checkpoints scored in the first rung (default 2). */
  firstLooks?: number;
  /** Arms left to compare at the last step (default 2; 1 is tried when the budget holds no such plan). */
  minFinalists?: number;
  /**
   * No first rung before this step (default: geometric halving's first rung, S/η^⌈log_η n⌉): a budget
   * that only affords earlier looks is refused rather than spent on looks that say nothing.
   */
  minFirstStep?: number;
}

/** Compute of a plan in training steps (resumed training, every rung keeping exactly its budget). */
export function planCost(rungs: readonly Rung[], evalCost: number): number {
  let prev = 0;
  let total = 0;
  for (const r of rungs) {
    total += r.arms * (r.step - prev + evalCost * r.looks.length);
    prev = r.step;
  }
  return total;
}

/** The full grid: every arm trained to the last step and scored once. */
export function gridCost(arms: number, maxStep: number, evalCost: number): number {
  return arms * (maxStep + evalCost);
}

const roundUp = (x: number, m: number) => Math.ceil(x / m - 1e-9) * m;

/** Arms kept after each cut, down to the last count ≥ finalists. */
function cuts(arms: number, eta: number, finalists: number): number[] {
  const out: number[] = [];
  for (let r = 1; ; r++) {
    const k = Math.max(1, Math.ceil(arms / eta ** r - 1e-12));
    if (k < finalists || k >= (out.length ? out[out.length - 1] : arms)) break;
    out.push(k);
  }
  return out;
}

function planFrom(first: number, input: BudgetPlanInput, kept: readonly number[]): Rung[] | null {
  const m = input.stepMultiple ?? 1;
  const looksN = input.firstLooks ?? 2;
  const R = kept.length;
  const steps: number[] = [];
  for (let r = 0; r <= R; r++) {
    const raw = r === R ? input.maxStep : roundUp(first * (input.maxStep / first) ** (r / R), m);
    if (raw >= input.maxStep && r < R) return null;
    if (steps.length && raw <= steps[steps.length - 1]) return null;
    steps.push(raw);
  }
  const looks = [...new Set(Array.from({ length: looksN }, (_, j) => roundUp((steps[0] * (j + 1)) / looksN, m)))];
  if (looks.length !== looksN || looks[looks.length - 1] !== steps[0]) return null;
  return steps.map((step, r) => ({ index: r, step, looks: r === 0 ? looks : [step], arms: r === 0 ? input.arms : kept[r - 1], keep: r === R ? 1 : kept[r] }));
}

/**
 * The plan with the latest first rung whose cost fits the budget, preferring `minFinalists` arms at
 * the last step; throws when not even the earliest plan fits (the message says what it would need).
 */
export function planBudgetRungs(input: BudgetPlanInput): Rung[] {
  const { arms, maxStep, eta, budget, evalCost } = input;
  if (!Number.isInteger(arms) || arms < 1) throw new Error(`budget plan: arms must be a positive integer, got ${arms}`);
  if (!(eta >= 2)) throw new Error(`budget plan: eta must be >= 2, got ${eta}`);
  if (!Number.isInteger(maxStep) || maxStep < 1) throw new Error(`budget plan: maxStep must be a positive integer, got ${maxStep}`);
  if (!(evalCost >= 0) || !(budget > 0)) throw new Error(`budget plan: budget must be > 0 and evalCost ≥ 0, got ${budget} and ${evalCost}`);
  const m = input.stepMultiple ?? 1;
  const looksN = input.firstLooks ?? 2;
  const single: Rung[] = [{ index: 0, step: maxStep, looks: [maxStep], arms, keep: 1 }];
  const firstAtLeast = input.minFirstStep ?? (arms > 1 ? maxStep / eta ** Math.ceil(Math.log(arms) / Math.log(eta) - 1e-12) : maxStep);
  let cheapest = planCost(single, evalCost);
  for (let finalists = Math.min(input.minFinalists ?? 2, arms); finalists >= 1; finalists--) {
    const kept = cuts(arms, eta, finalists);
    if (kept.length === 0) {
      if (planCost(single, evalCost) <= budget) return single;
      continue;
    }
    // Candidate first steps: multiples of m from the earliest allowed up to S/η; cost grows with the first step.
    const lo = Math.max(looksN, Math.ceil(firstAtLeast / m - 1e-9));
    const hi = Math.floor(maxStep / eta / m);
    let best: Rung[] | null = null;
    let a = lo;
    let b = hi;
    while (a <= b) {
      const mid = Math.floor((a + b) / 2);
      const plan = planFrom(mid * m, input, kept);
      const cost = plan ? planCost(plan, evalCost) : Infinity;
      if (plan) cheapest = Math.min(cheapest, cost);
      if (plan && cost <= budget) {
        best = plan;
        a = mid + 1;
      } else if (plan) b = mid - 1;
      else a = mid + 1; // rounding collapsed two steps: try a later first rung
    }
    if (best) return best;
  }
  throw new Error(`budget plan: ${arms} arms to step ${maxStep} with no look before step ${Math.ceil(firstAtLeast)} need at least ${cheapest.toFixed(0)} steps' worth of compute (scoring included), the budget is ${budget.toFixed(0)}`);
}

/** A plan with more checkpoints scored in its first rung (e.g. geometric rungs with two looks before the first cut). */
export function withFirstLooks(rungs: readonly Rung[], looks: number, stepMultiple = 1): Rung[] {
  const first = rungs[0].step;
  const steps = [...new Set(Array.from({ length: looks }, (_, j) => roundUp((first * (j + 1)) / looks, stepMultiple)))].filter((s) => s <= first);
  return rungs.map((r, i) => (i === 0 ? { ...r, looks: steps[steps.length - 1] === first ? steps : [...steps, first] } : { ...r, looks: [...r.looks] }));
}
