// Extrapolation of an arm's learning curve to the last step, with a credible interval: what its
// score at step S will be, from its scores at the steps it reached so far (learning-curve-based
// early stopping, Domhan et al. 2015, in closed form instead of MCMC).
//
// Model: score(s) = start + c·h(s/τ) with `start` the base model's score (step 0, shared by every
// arm) and h a saturating shape, h(0) = 0, h(∞) = 1:
//   exponential  h = 1 − e^(−s/τ)   a fixed learning rate after warmup closing a constant fraction of
//                                    the gap per step: the light-tailed end of saturating curves;
//   hyperbolic   h = s / (s + τ)     (Michaelis–Menten) the gap closing as 1/s, like a power law with
//                                    exponent 1: the heavy-tailed end that still saturates.
// Both families are averaged with equal prior weight (Bayesian model averaging), so a curve whose
// tail lies between the two is covered and neither family's tail is taken on trust. Priors: τ
// log-uniform on [S/1000, 100·S] (a 60-point grid); the asymptote start + c uniform on [0, 1] (a score
// is a fraction). Each observed score is normal around the curve with variance se² + jitter², jitter
// being checkpoint-to-checkpoint variation that sampling error does not show (default 0.5 point).
// Given τ the model is linear in c, so the posterior of c is a truncated normal and the marginal
// likelihood of each (family, τ) is exact; the prediction is a finite mixture of truncated normals.
//
// What it cannot see: curves that dip below the start and recover, curves that fall after a peak
// (over-fitting), and abrupt (sigmoid) learning are outside both families; bench/sweep.bench.ts
// measures what that costs.
import { erfc } from '../stats/intervals.js';

export type CurveFamily = 'exponential' | 'hyperbolic';
export const CURVE_FAMILIES: readonly CurveFamily[] = ['exponential', 'hyperbolic'];

export interface CurvePoint {
  step: number;
  mean: number;
  /** Standard error of `mean` (sampling over instances). */
  se: number;
}

export interface CurveModel {
  /** The base model's score on the same instances: every arm's curve starts there at step 0. */
  start: number;
  families?: readonly CurveFamily[];
  /** Extra per-checkpoint standard deviation beyond sampling error (default 0.005). */
  jitter?: number;
}

export interface FinalScorePrediction {
  atStep: number;
  /** Posterior mean of the score at `atStep`. */
  mean: number;
  /** Equal-tailed credible interval at `level`. */
  low: number;
  high: number;
  level: number;
  /** Posterior weight of each family. */
  families: Record<CurveFamily, number>;
}

interface Component {
  family: CurveFamily;
  weight: number;
  /** Posterior of c given τ: N(c, sd²) truncated to [lo, hi]. */
  c: number;
  sd: number;
  lo: number;
  hi: number;
  /** Φ at the truncation bounds, standardised. */
  pLo: number;
  pHi: number;
  /** h at the step predicted. */
  hAt: number;
}

const TAU_POINTS = 60;
const TAU_MIN = 1e-3;
const TAU_MAX = 1e2;

const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
const Phi = (x: number) => 0.5 * erfc(-x / Math.SQRT2);

function shape(f: CurveFamily, s: number, tau: number): number {
  return f === 'exponential' ? -Math.expm1(-s / tau) : s / (s + tau);
}

function components(points: readonly CurvePoint[], atStep: number, model: CurveModel): Component[] {
  const families = model.families ?? CURVE_FAMILIES;
  const jitter = model.jitter ?? 0.005;
  const lo = -model.start;
  const hi = 1 - model.start;
  const raw: (Omit<Component, 'weight'> & { logW: number })[] = [];
  for (const family of families) {
    for (let k = 0; k < TAU_POINTS; k++) {
      const tau = atStep * Math.exp(Math.log(TAU_MIN) + ((Math.log(TAU_MAX) - Math.log(TAU_MIN)) * k) / (TAU_POINTS - 1));
      let a = 0;
      let b = 0;
      let yy = 0;
      for (const p of points) {
        const w = 1 / (p.se * p.se + jitter * jitter);
        const h = shape(family, p.step, tau);
        const y = p.mean - model.start;
        a += w * h * h;
        b += w * h * y;
        yy += w * y * y;
      }
      const c = b / a;
      const sd = 1 / Math.sqrt(a);
      const pLo = Phi((lo - c) / sd);
      const pHi = Phi((hi - c) / sd);
      const mass = pHi - pLo;
      if (!(mass > 1e-300)) continue;
      const sse = Math.max(0, yy - (b * b) / a);
      raw.push({ family, logW: -0.5 * sse - 0.5 * Math.log(a) + Math.log(mass), c, sd, lo, hi, pLo, pHi, hAt: shape(family, atStep, tau) });
    }
  }
  const top = Math.max(...raw.map((r) => r.logW));
  const kept = raw.map((r) => ({ ...r, weight: Math.exp(r.logW - top) })).filter((r) => r.weight > 1e-12);
  const total = kept.reduce((s, r) => s + r.weight, 0);
  return kept.map(({ logW: _, ...r }) => ({ ...r, weight: r.weight / total }));
}

/** E[c] of one component (truncated normal mean). */
function meanC(x: Component): number {
  const z = x.pHi - x.pLo;
  if (z < 1e-12) return Math.min(x.hi, Math.max(x.lo, x.c));
  return x.c + (x.sd * (phi((x.lo - x.c) / x.sd) - phi((x.hi - x.c) / x.sd))) / z;
}

/** P(score at the predicted step ≤ v) under the mixture. */
function cdf(comps: readonly Component[], start: number, v: number): number {
  let p = 0;
  for (const x of comps) {
    const cv = Math.min(x.hi, Math.max(x.lo, (v - start) / x.hAt));
    const z = x.pHi - x.pLo;
    p += x.weight * (z < 1e-12 ? (cv >= x.c ? 1 : 0) : Math.min(1, Math.max(0, (Phi((cv - x.c) / x.sd) - x.pLo) / z)));
  }
  return p;
}

function quantile(comps: readonly Component[], start: number, q: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(comps, start, mid) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The predicted score at `atStep` from the points so far (at least one, steps > 0). With one point
 * the shape is not identified and the interval is wide (the prior over τ speaks); every further step
 * narrows it.
 */
export function predictFinalScore(points: readonly CurvePoint[], atStep: number, model: CurveModel, level = 0.9): FinalScorePrediction {
  if (points.length === 0) throw new Error('extrapolate: no scored point');
  for (const p of points) {
    if (!(p.step > 0) || !(p.se >= 0) || !(p.mean >= 0 && p.mean <= 1)) throw new Error(`extrapolate: bad point ${JSON.stringify(p)} (step > 0, mean in [0, 1], se ≥ 0)`);
  }
  if (!(model.start >= 0 && model.start <= 1)) throw new Error(`extrapolate: start must be in [0, 1], got ${model.start}`);
  const comps = components(points, atStep, model);
  const last = points.reduce((a, b) => (b.step > a.step ? b : a));
  if (comps.length === 0) return { atStep, mean: last.mean, low: last.mean, high: last.mean, level, families: { exponential: 0, hyperbolic: 0 } };
  const mean = comps.reduce((s, x) => s + x.weight * (model.start + meanC(x) * x.hAt), 0);
  const families: Record<CurveFamily, number> = { exponential: 0, hyperbolic: 0 };
  for (const x of comps) families[x.family] += x.weight;
  const tail = (1 - level) / 2;
  return { atStep, mean, low: quantile(comps, model.start, tail), high: quantile(comps, model.start, 1 - tail), level, families };
}
