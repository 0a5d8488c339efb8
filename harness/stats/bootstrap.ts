// Percentile bootstrap confidence intervals for differences of means (B − A).
//
// Paired: the statistic is the mean over strata of each stratum's mean paired difference; a stratum
// is one task (run). One stratum gives the plain paired bootstrap of a task; several give a group's
// delta as HELM aggregates it (unweighted mean of run means), resampling within each task.
// Unpaired: each side is resampled independently within each stratum.
import { Rng } from '../../kernels/rng.js';
import { mean, quantileSorted } from './quantile.js';

export interface BootstrapOptions {
  /** Number of resamples (default 10,000). */
  resamples?: number;
  seed?: number;
  /** Two-sided level (default 0.95). */
  level?: number;
}

export interface DeltaCI {
  /** Observed statistic (B − A). */
  delta: number;
  low: number;
  high: number;
  level: number;
  resamples: number;
}

const DEFAULTS = { resamples: 10_000, seed: 20231120, level: 0.95 };

function withDefaults(opts: BootstrapOptions): Required<BootstrapOptions> {
  return { resamples: opts.resamples ?? DEFAULTS.resamples, seed: opts.seed ?? DEFAULTS.seed, level: opts.level ?? DEFAULTS.level };
}

function resampledMean(xs: ArrayLike<number>, rng: Rng): number {
  const n = xs.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[rng.int(n)];
  return s / n;
}

function percentileInterval(stats: Float64Array, delta: number, level: number, resamples: number): DeltaCI {
  stats.sort();
  const tail = (1 - level) / 2;
  return { delta, low: quantileSorted(stats, tail), high: quantileSorted(stats, 1 - tail), level, resamples };
}

/** Paired differences per stratum: each array holds b_i − a_i of one task. */
export function pairedBootstrapCI(strata: ArrayLike<number>[], opts: BootstrapOptions = {}): DeltaCI {
  const { resamples, seed, level } = withDefaults(opts);
  const used = strata.filter((s) => s.length > 0);
  if (used.length === 0) throw new Error('paired bootstrap needs at least one pair');
  const delta = mean(used.map((s) => mean(s)));
  const rng = new Rng(seed);
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (const d of used) s += resampledMean(d, rng);
    stats[r] = s / used.length;
  }
  return percentileInterval(stats, delta, level, resamples);
}

/** Unpaired: stratum k is (scores of A, scores of B) for one task. */
export function unpairedBootstrapCI(strata: { a: ArrayLike<number>; b: ArrayLike<number> }[], opts: BootstrapOptions = {}): DeltaCI {
  const { resamples, seed, level } = withDefaults(opts);
  const used = strata.filter((s) => s.a.length > 0 && s.b.length > 0);
  if (used.length === 0) throw new Error('unpaired bootstrap needs scores on both sides');
  const delta = mean(used.map((s) => mean(s.b) - mean(s.a)));
  const rng = new Rng(seed);
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (const { a, b } of used) s += resampledMean(b, rng) - resampledMean(a, rng);
    stats[r] = s / used.length;
  }
  return percentileInterval(stats, delta, level, resamples);
}
