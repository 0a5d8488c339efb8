// Successive-halving rungs: checkpoint steps growing by η up to the full budget, and how many arms
// each rung keeps. With n arms and R = ⌈log_η n⌉ halvings, rung r trains the survivors to step
// S·η^(r−R) and keeps ⌈n/η^(r+1)⌉ of them; the last rung holds one arm at the full step S. With
// training resumed from each arm's checkpoint (not restarted) and n = η^R, the plan trains
// S·(1 + R·(η − 1)/η) steps against n·S for the full grid: 3S of 27S for 27 arms at η = 3, 2.5S of
// 8S for 8 arms at η = 2 (rungs.test.ts).

export interface Rung {
  index: number;
  /** Checkpoint step every surviving arm is trained to and scored at. */
  step: number;
  /**
   * Steps the arms are scored at in this rung, ascending, the last being `step`: earlier ones are
   * checkpoints on the way (the first rung of a budget plan scores two, so that every arm's curve has
   * a shape before the first cut).
   */
  looks: number[];
  /** Arms that enter the rung (by the budget rule; confidence may stop more). */
  arms: number;
  /** Arms the rung promotes to the next one by the budget rule. */
  keep: number;
}

export interface RungPlanInput {
  arms: number;
  maxStep: number;
  eta: number;
  /** No rung below this step (a checkpoint too early says little); limits the number of halvings. */
  minStep?: number;
  /** Round rung steps up to a multiple of this (the trainer's checkpoint interval). */
  stepMultiple?: number;
  /** Fewer halvings until at least this many arms reach the last step (default 1). */
  minFinalists?: number;
}

export function planRungs(p: RungPlanInput): Rung[] {
  if (!Number.isInteger(p.arms) || p.arms < 1) throw new Error(`rungs: arms must be a positive integer, got ${p.arms}`);
  if (!(p.eta >= 2)) throw new Error(`rungs: eta must be >= 2, got ${p.eta}`);
  if (!Number.isInteger(p.maxStep) || p.maxStep < 1) throw new Error(`rungs: maxStep must be a positive integer, got ${p.maxStep}`);
  const multiple = p.stepMultiple ?? 1;
  const minStep = Math.max(p.minStep ?? 1, multiple);
  let halvings = p.arms === 1 ? 0 : Math.ceil(Math.log(p.arms) / Math.log(p.eta) - 1e-12);
  while (halvings > 0 && p.maxStep / p.eta ** halvings < minStep) halvings--;
  const finalists = Math.min(p.minFinalists ?? 1, p.arms);
  while (halvings > 0 && Math.ceil(p.arms / p.eta ** halvings - 1e-12) < finalists) halvings--;
  const rungs: Rung[] = [];
  let prev = 0;
  for (let r = 0; r <= halvings; r++) {
    const raw = r === halvings ? p.maxStep : Math.ceil(p.maxStep / p.eta ** (halvings - r) / multiple) * multiple;
    const step = Math.min(p.maxStep, Math.max(raw, prev + 1));
    const arms = Math.max(1, Math.ceil(p.arms / p.eta ** r - 1e-12));
    const keep = r === halvings ? 1 : Math.max(1, Math.ceil(p.arms / p.eta ** (r + 1) - 1e-12));
    rungs.push({ index: r, step, looks: [step], arms, keep });
    prev = step;
  }
  return rungs;
}

/** Training steps of a plan when every rung keeps exactly its budget (resumed training). */
export function plannedSteps(rungs: readonly Rung[]): number {
  let prev = 0;
  let total = 0;
  for (const r of rungs) {
    total += r.arms * (r.step - prev);
    prev = r.step;
  }
  return total;
}
