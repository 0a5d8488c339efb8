// Successive halving vs the full grid, by simulation. Each arm has a known true learning curve
// acc(s); at every scoring it answers the same N instances, correct with probability acc(s) through a
// Gaussian copula whose instance term (difficulty, shared by all arms) carries a fraction ρ² of the
// variance, so scores are paired as real evaluations are. The grid trains every arm to S and picks
// the best observed mean; the halving procedures run the real state machine (harness/sweep/halving.ts)
// and, for the extrapolating rule, the real budget planner (harness/sweep/budget-plan.ts) at a third of
// the grid's compute. Reported over many seeds: how often the pick is the truly best arm at S or
// within 1 point of it, the mean regret, and compute relative to the grid (training steps; and steps
// plus scoring, one scoring of one arm costing 5 % of its full training).
//
// Curve families: the first four are the exponential a·(1 − e^(−s/τ)) — one of the two shapes the
// extrapolation fits (harness/sweep/extrapolate.ts) — with speeds that differ more and more, and a
// crossing arm (best asymptote, slowest start). The others are NOT shapes it fits: power laws with
// exponents below 1 (tails heavier than its hyperbolic one), a dip below the base before learning,
// over-fitting (a decline after a peak), checkpoint-to-checkpoint noise in the true accuracy, and
// abrupt (sigmoid) learning, so a gain there is not an artefact of fitting the generator's family.
import Table from 'cli-table3';
import { gridArms } from '../harness/sweep/arms.js';
import { gridCost, planBudgetRungs, withFirstLooks } from '../harness/sweep/budget-plan.js';
import { applyRung, initSweep, nextWork, totalCompute, type ArmRungResult, type SweepConfig } from '../harness/sweep/halving.js';
import type { PromotionRule } from '../harness/sweep/promotion.js';
import { planRungs, type Rung } from '../harness/sweep/rungs.js';
import { normalQuantile } from '../harness/stats/intervals.js';
import { uniforms, type Uniform as Rng } from '../kernels/rng.js';

const S = 1000;
const RHO = 0.7;
const EVAL_COST_FRACTION = 0.05;
const EVAL_COST = EVAL_COST_FRACTION * S; // steps' worth of one scoring of one arm
const BUDGET_FRACTION = Number(process.env.SWEEP_BENCH_BUDGET ?? 1 / 3);

/** One arm's true accuracy at a step (deterministic: the same step always has the same accuracy). */
type Curve = (s: number) => number;

interface Family {
  name: string;
  /** The base model's accuracy (step 0), shared by every arm. */
  start: number;
  make: (n: number, rng: Rng) => Curve[];
}

interface Scenario {
  arms: number;
  eta: number;
  n: number;
}

function gauss(rng: Rng): number {
  const u = Math.max(rng(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

const logUniform = (rng: Rng, lo: number, hi: number) => Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * rng());
const asymptote = (rng: Rng) => 0.4 + 0.3 * rng();
const exponential = (a: number, tau: number, start = 0): Curve => (s) => start + (a - start) * -Math.expm1(-s / tau);

/** τ/S log-uniform on [lo, hi]; "crossing" also gives the best asymptote the slowest start (+3 points). */
function exponentialFamily(name: string, lo: number, hi: number, crossing = false): Family {
  return {
    name,
    start: 0,
    make: (n, rng) => {
      const arms = Array.from({ length: n }, () => ({ a: asymptote(rng), tau: S * logUniform(rng, lo, hi) }));
      if (crossing) {
        const best = arms.reduce((i, c, k) => (c.a > arms[i].a ? k : i), 0);
        const slowest = arms.reduce((i, c, k) => (c.tau > arms[i].tau ? k : i), 0);
        [arms[best].tau, arms[slowest].tau] = [arms[slowest].tau, arms[best].tau];
        arms[best].a = Math.min(0.75, arms[best].a + 0.03);
      }
      return arms.map((c) => exponential(c.a, c.tau));
    },
  };
}

/** A deterministic N(0, 1) per (arm, step): the checkpoint's own deviation from the smooth curve. */
function checkpointNoise(armSeed: number, step: number): number {
  const r = uniforms((armSeed * 1_000_003 + step * 7919) >>> 0);
  return gauss(r);
}

const FAMILIES: Family[] = [
  exponentialFamily('same speed (τ = 0.05 S)', 0.05, 0.05),
  exponentialFamily('mixed speeds (τ/S in [0.02, 0.15])', 0.02, 0.15),
  exponentialFamily('wide speeds (τ/S in [0.03, 0.5])', 0.03, 0.5),
  exponentialFamily('crossing (mixed, best starts slowest)', 0.02, 0.15, true),
  {
    // a_S·g(s)/g(S), g = 1 − (1 + s/τ)^(−p): exponents below 1 have tails heavier than the hyperbolic fit.
    name: 'power law (p in [0.3, 1.2], τ/S in [0.005, 0.1]; not fitted)',
    start: 0,
    make: (n, rng) =>
      Array.from({ length: n }, () => {
        const aS = asymptote(rng);
        const tau = S * logUniform(rng, 0.005, 0.1);
        const p = 0.3 + 0.9 * rng();
        const g = (s: number) => 1 - (1 + s / tau) ** -p;
        const gS = g(S);
        return (s: number) => (aS * g(s)) / gS;
      }),
  },
  {
    // From a chance-level base of 0.25: down by up to 10 points around s = τ_d, then the mixed-speed rise.
    name: 'dip then learn (base 0.25, dip ≤ 10 pts at τ_d/S in [0.01, 0.05]; not fitted)',
    start: 0.25,
    make: (n, rng) =>
      Array.from({ length: n }, () => {
        const a = asymptote(rng);
        const tau = S * logUniform(rng, 0.02, 0.15);
        const depth = 0.1 * rng();
        const td = S * logUniform(rng, 0.01, 0.05);
        const rise = exponential(a, tau, 0.25);
        return (s: number) => Math.max(0, rise(s) - depth * (s / td) * Math.exp(1 - s / td));
      }),
  },
  {
    name: 'over-fitting (mixed speeds, then −0 to −8 pts/S after a peak in [0.2, 1] S; not fitted)',
    start: 0,
    make: (n, rng) =>
      Array.from({ length: n }, () => {
        const rise = exponential(asymptote(rng), S * logUniform(rng, 0.02, 0.15));
        const peak = S * (0.2 + 0.8 * rng());
        const decline = 0.08 * rng();
        return (s: number) => rise(s) - (decline * Math.max(0, s - peak)) / S;
      }),
  },
  {
    name: 'noisy checkpoints (mixed speeds + 1 pt per checkpoint; not fitted)',
    start: 0,
    make: (n, rng) =>
      Array.from({ length: n }, () => {
        const rise = exponential(asymptote(rng), S * logUniform(rng, 0.02, 0.15));
        const seed = Math.floor(rng() * 2 ** 31);
        return (s: number) => Math.min(1, Math.max(0, rise(s) + 0.01 * checkpointNoise(seed, s)));
      }),
  },
  {
    name: 'abrupt (sigmoid from 0.25, centre in [0.05, 0.45] S; not fitted)',
    start: 0.25,
    make: (n, rng) =>
      Array.from({ length: n }, () => {
        const a = asymptote(rng);
        const centre = S * (0.05 + 0.4 * rng());
        const width = S * logUniform(rng, 0.01, 0.05);
        const sig = (s: number) => 1 / (1 + Math.exp(-(s - centre) / width));
        const s0 = sig(0);
        return (s: number) => 0.25 + ((a - 0.25) * (sig(s) - s0)) / (1 - s0);
      }),
  },
];

/** Scores of one arm at one scoring: instance j right when ρ·z_j + √(1−ρ²)·e < Φ⁻¹(acc). */
function score(acc: number, z: Float64Array, ids: readonly string[], rng: Rng): Record<string, number> {
  const p = Math.min(Math.max(acc, 1e-6), 1 - 1e-6);
  const cut = normalQuantile(p);
  const noise = Math.sqrt(1 - RHO * RHO);
  const out: Record<string, number> = {};
  for (let j = 0; j < z.length; j++) out[ids[j]] = RHO * z[j] + noise * gauss(rng) < cut ? 1 : 0;
  return out;
}

interface Outcome {
  best: boolean;
  within1: boolean;
  regret: number;
  steps: number;
  evals: number;
}

function judge(cs: Curve[], pick: number): Pick<Outcome, 'best' | 'within1' | 'regret'> {
  const finals = cs.map((c) => c(S));
  const top = Math.max(...finals);
  return { best: finals[pick] === top, within1: top - finals[pick] <= 0.01 + 1e-12, regret: top - finals[pick] };
}

function runGrid(cs: Curve[], z: Float64Array, ids: readonly string[], rng: Rng): Outcome {
  const means = cs.map((c) => {
    const sc = score(c(S), z, ids, rng);
    return Object.values(sc).reduce((a, b) => a + b, 0) / z.length;
  });
  const pick = means.reduce((i, m, k) => (m > means[i] ? k : i), 0);
  return { ...judge(cs, pick), steps: cs.length * S, evals: cs.length };
}

interface Procedure {
  name: string;
  rule: PromotionRule;
  /** Budget-planned rungs (with the base scored once for the curve's start), or geometric halving. */
  budgeted: boolean;
}

const PROCEDURES: Procedure[] = [
  { name: 'halving (top 1/η) [before]', rule: 'budget', budgeted: false },
  { name: 'halving + confidence [before]', rule: 'confidence+budget', budgeted: false },
  { name: 'mean ranking, same plan [ablation]', rule: 'budget', budgeted: true },
  { name: 'extrapolated [new]', rule: 'extrapolate', budgeted: true },
  { name: 'extrapolated + confidence [new]', rule: 'extrapolate+confidence', budgeted: true },
];

/**
 * The budget plan at the target's compute (the base scoring, one arm's worth, comes out of it); when
 * no plan fits it without looking earlier than geometric halving does, the geometric rungs with two
 * looks in the first (so the rule is compared at about plain halving's compute, over the target).
 */
function budgetPlan(sc: Scenario): { plan: Rung[]; note: string } {
  try {
    return { plan: planBudgetRungs({ arms: sc.arms, maxStep: S, eta: sc.eta, budget: BUDGET_FRACTION * gridCost(sc.arms, S, EVAL_COST) - EVAL_COST, evalCost: EVAL_COST }), note: 'budget plan' };
  } catch (e) {
    return { plan: withFirstLooks(planRungs({ arms: sc.arms, maxStep: S, eta: sc.eta }), 2), note: `geometric rungs + 2 first looks (${(e as Error).message})` };
  }
}

function runHalving(cs: Curve[], f: Family, z: Float64Array, ids: readonly string[], rng: Rng, sc: Scenario, proc: Procedure, alpha: number, plan: Rung[]): Outcome {
  const arms = gridArms({ k: cs.map((_, i) => i) });
  let evals = 0;
  const config: SweepConfig = { arms, maxStep: S, eta: sc.eta, alpha, rule: proc.rule };
  if (proc.budgeted) {
    const base = score(f.start, z, ids, rng);
    evals++;
    config.rungs = plan;
    config.curve = { start: Object.values(base).reduce((a, b) => a + b, 0) / z.length };
  }
  let state = initSweep(config);
  for (;;) {
    const w = nextWork(state);
    if (w.kind !== 'rung') break;
    const results: ArmRungResult[] = w.arms.map((id) => {
      const k = Number(id.slice(4));
      const looks = w.rung.looks.slice(0, -1).map((step) => ({ step, scores: { t: score(cs[k](step), z, ids, rng) } }));
      evals += w.rung.looks.length;
      return { arm: id, ok: true, step: w.rung.step, checkpoint: null, scores: { t: score(cs[k](w.rung.step), z, ids, rng) }, trainSeconds: 0, evalSeconds: 0, looks };
    });
    state = applyRung(state, w.rung.index, results);
  }
  const winner = state.finished!.winner!;
  return { ...judge(cs, Number(winner.slice(4))), steps: totalCompute(state).steps, evals };
}

interface Tally {
  best: number;
  within1: number;
  regret: number;
  steps: number;
  evals: number;
}

const empty = (): Tally => ({ best: 0, within1: 0, regret: 0, steps: 0, evals: 0 });
function add(t: Tally, o: Outcome): void {
  t.best += o.best ? 1 : 0;
  t.within1 += o.within1 ? 1 : 0;
  t.regret += o.regret;
  t.steps += o.steps;
  t.evals += o.evals;
}

export async function run(): Promise<void> {
  const seeds = Number(process.env.SWEEP_BENCH_SEEDS ?? 150);
  const only = process.env.SWEEP_BENCH_FAMILIES?.split(',').map(Number);
  const alpha = 0.05;
  // SWEEP_BENCH_SCENARIOS="27,3,4000;6,3,500" replaces the default (arms, η, N) rows.
  const scenarios: Scenario[] = process.env.SWEEP_BENCH_SCENARIOS
    ? process.env.SWEEP_BENCH_SCENARIOS.split(';').map((x) => {
        const [arms, eta, n] = x.split(',').map(Number);
        return { arms, eta, n };
      })
    : [
        { arms: 27, eta: 3, n: 1000 },
        { arms: 6, eta: 3, n: 500 },
        { arms: 6, eta: 2, n: 500 },
      ];
  const total = (t: Tally) => t.steps + t.evals * EVAL_COST;
  const pct = (x: number) => `${((100 * x) / seeds).toFixed(1)} %`;
  for (const sc of scenarios) {
    const geometric = initSweep({ arms: gridArms({ k: Array.from({ length: sc.arms }, (_, i) => i) }), maxStep: S, eta: sc.eta, alpha, rule: 'budget' }).rungs;
    const show = (rs: readonly Rung[]) => rs.map((r) => `${r.arms} arms @ ${r.looks.join('+')}`).join(' → ');
    const { plan, note } = budgetPlan(sc);
    console.log(`${sc.arms} arms, η = ${sc.eta}: geometric rungs ${show(geometric)}; extrapolating rules: ${show(plan)} — ${note}`);
  }
  for (const [fi, f] of FAMILIES.entries()) {
    if (only && !only.includes(fi)) continue;
    const table = new Table({ style: { head: [], border: [] }, head: ['arms, η, N', 'procedure', 'best', 'best or ≤1 pt', 'mean regret (pts)', 'train steps / grid', 'steps+scoring / grid', 'target met'] });
    for (const sc of scenarios) {
      const { plan } = budgetPlan(sc);
      const grid = empty();
      const tallies = PROCEDURES.map(empty);
      for (let seed = 0; seed < seeds; seed++) {
        const cs = f.make(sc.arms, uniforms(1000 * sc.arms + 17 * seed + sc.eta));
        const z = Float64Array.from({ length: sc.n }, ((r) => () => gauss(r))(uniforms(seed * 31 + 5)));
        const ids = Array.from({ length: sc.n }, (_, j) => `i${j}`);
        add(grid, runGrid(cs, z, ids, uniforms(seed * 101 + 1)));
        PROCEDURES.forEach((p, k) => add(tallies[k], runHalving(cs, f, z, ids, uniforms(seed * 101 + 2 + k), sc, p, alpha, plan)));
      }
      const row = (name: string, t: Tally) => {
        const rel = total(t) / total(grid);
        const met = t.within1 / seeds >= 0.9 && rel <= BUDGET_FRACTION + 1e-9;
        return [`${sc.arms}, ${sc.eta}, ${sc.n}`, name, pct(t.best), pct(t.within1), ((100 * t.regret) / seeds).toFixed(2), (t.steps / grid.steps).toFixed(3), rel.toFixed(3), name === 'full grid' ? '' : met ? 'yes' : 'no'];
      };
      table.push(row('full grid', grid), ...PROCEDURES.map((p, k) => row(p.name, tallies[k])));
    }
    console.log(`\n${f.name}`);
    console.log(table.toString());
  }
  console.log(`\n${seeds} seeds per row (a proportion near 85 % has a standard error of about ${(100 * Math.sqrt(0.85 * 0.15 / seeds)).toFixed(1)} points); paired instances, ρ = ${RHO}; S = ${S} steps; asymptotes ~ U[0.40, 0.70].`);
  console.log(`Scoring cost: one scoring of one arm = ${100 * EVAL_COST_FRACTION} % of its full training; the grid scores each arm once at S, halving every surviving arm at every look (and, for the extrapolating rule, the base once).`);
  console.log(`Target: ≥ 90 % best-or-≤1-pt at ≤ 1/3 of the grid's compute (steps + scoring). The budget plans are built for ${(100 * BUDGET_FRACTION).toFixed(1)} % of it.`);
}
