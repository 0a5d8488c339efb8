// Exact-coverage (not asymptotic) confidence intervals, the ones the supervisor's stopping rules
// rely on: Clopper–Pearson for 0/1 scores, Hoeffding for scores bounded in [0, 1]. The closed-form
// asymptotic intervals of the reports (Wilson, normal) are in intervals.ts.

/** P(X <= k) for X ~ Binomial(n, p), summed in log space. */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  // log pmf by the recurrence pmf(i+1) = pmf(i) · (n−i)/(i+1) · p/(1−p), summed in linear space.
  const logOdds = Math.log(p) - Math.log1p(-p);
  let logPmf = n * Math.log1p(-p);
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += Math.exp(logPmf);
    logPmf += Math.log((n - i) / (i + 1)) + logOdds;
  }
  return Math.min(1, sum);
}

function bisect(f: (p: number) => number, lo: number, hi: number): number {
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Two-sided Clopper–Pearson interval at confidence 1 − delta for k successes in n trials. */
export function clopperPearson(k: number, n: number, delta: number): [number, number] {
  if (n === 0) return [0, 1];
  const half = delta / 2;
  // lower: the p with P(X >= k | p) = half; upper: the p with P(X <= k | p) = half.
  const lower = k === 0 ? 0 : bisect((p) => half - (1 - binomialCdf(k - 1, n, p)), 0, 1);
  const upper = k === n ? 1 : bisect((p) => binomialCdf(k, n, p) - half, 0, 1);
  return [lower, upper];
}

/** Two-sided Hoeffding interval for the mean of n values in [0, 1] at confidence 1 − delta. */
export function hoeffding(mean: number, n: number, delta: number): [number, number] {
  if (n === 0) return [0, 1];
  const eps = Math.sqrt(Math.log(2 / delta) / (2 * n));
  return [Math.max(0, mean - eps), Math.min(1, mean + eps)];
}

/** Interval for a sample of scores in [0, 1]: Clopper–Pearson when every score is 0 or 1, else Hoeffding. */
export function scoreInterval(scores: number[], delta: number): { mean: number; ciLow: number; ciHigh: number; n: number } {
  const n = scores.length;
  const sum = scores.reduce((a, b) => a + b, 0);
  const mean = n ? sum / n : 0;
  const binary = scores.every((s) => s === 0 || s === 1);
  const [ciLow, ciHigh] = binary ? clopperPearson(sum, n, delta) : hoeffding(mean, n, delta);
  return { mean, ciLow, ciHigh, n };
}
