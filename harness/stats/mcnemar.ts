// Exact McNemar test: under H0 the discordant pairs split Binomial(b + c, 1/2); the two-sided
// p-value is 2·P(X ≤ min(b, c)), capped at 1 (as statsmodels' mcnemar(exact=True)).

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

const logFactCache: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFactCache.length; i <= n; i++) logFactCache.push(logFactCache[i - 1] + Math.log(i));
  return logFactCache[n];
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2), summed in log space so large n does not underflow early. */
export function binomialHalfCdf(k: number, n: number): number {
  let s = 0;
  const logHalfN = -n * Math.LN2;
  for (let i = 0; i <= k; i++) s += Math.exp(logChoose(n, i) + logHalfN);
  return Math.min(1, s);
}

/**
 * b: pairs right in A and wrong in B; c: wrong in A and right in B.
 * Returns 1 when there are no discordant pairs.
 */
export function mcnemarExactP(b: number, c: number): number {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) throw new Error(`McNemar counts must be non-negative integers, got ${b}, ${c}`);
  const n = b + c;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialHalfCdf(Math.min(b, c), n));
}
