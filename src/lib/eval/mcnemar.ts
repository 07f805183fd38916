// McNemar's test: do two classifiers scored on the same test items differ in
// accuracy? Only the discordant items matter:
//   b = items A got right and B got wrong, c = items A got wrong and B right.
// Small b + c (< 25): exact two-sided binomial test, p = min(1, 2 P(X <= min(b, c)))
// with X ~ Binomial(b + c, 1/2). Otherwise the chi-square approximation with
// Edwards' continuity correction, (|b - c| - 1)^2 / (b + c), on 1 df
// (the formula statsmodels uses, without clamping |b - c| - 1 at 0).
import { EvalInputError } from './counts';

export interface McNemarResult {
  /** A right, B wrong. */
  b: number;
  /** A wrong, B right. */
  c: number;
  /** min(b, c) for the exact test, the corrected chi-square otherwise. */
  statistic: number;
  /** Two-sided p-value; 1 when the classifiers never disagree on correctness. */
  pValue: number;
  exact: boolean;
}

/** Below this many discordant items the exact binomial test is used. */
export const EXACT_BELOW = 25;

/**
 * McNemar's test between classifiers A and B on the same test items.
 * Predictions outside the class range count as wrong.
 * @throws EvalInputError when the arrays are not aligned
 */
export function mcnemar(yTrue: ArrayLike<number>, predA: ArrayLike<number>, predB: ArrayLike<number>): McNemarResult {
  if (yTrue.length !== predA.length || yTrue.length !== predB.length) {
    throw new EvalInputError(
      `McNemar's test needs both classifiers' predictions on the same ${yTrue.length} test items (got ${predA.length} and ${predB.length}).`,
    );
  }
  let b = 0;
  let c = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const okA = predA[i] === yTrue[i];
    const okB = predB[i] === yTrue[i];
    if (okA && !okB) b++;
    else if (!okA && okB) c++;
  }
  return mcnemarFromCounts(b, c);
}

/** McNemar's test from the discordant counts alone. */
export function mcnemarFromCounts(b: number, c: number): McNemarResult {
  const m = b + c;
  if (m < EXACT_BELOW) {
    const p = m === 0 ? 1 : Math.min(1, 2 * binomialCdf(Math.min(b, c), m, 0.5));
    return { b, c, statistic: Math.min(b, c), pValue: p, exact: true };
  }
  const statistic = (Math.abs(b - c) - 1) ** 2 / m;
  return { b, c, statistic, pValue: chiSquare1Sf(statistic), exact: false };
}

/**
 * P(X <= k) for X ~ Binomial(n, p), summed in log space so large n does not
 * underflow. Exact to floating-point rounding for the small n used here.
 */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const logRatio = Math.log(p) - Math.log1p(-p);
  let logPmf = n * Math.log1p(-p); // log P(X = 0)
  let sum = Math.exp(logPmf);
  for (let i = 0; i < k; i++) {
    logPmf += Math.log((n - i) / (i + 1)) + logRatio;
    sum += Math.exp(logPmf);
  }
  return Math.min(1, sum);
}

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * Complementary error function, relative error ~1e-15: a positive-term
 * series for erf below 2 (no cancellation), and a continued fraction
 * (modified Lentz) for the tail, where 1 - erf would lose all precision.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1*3*...*(2n+1))
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / SQRT_PI) * Math.exp(-x2) * sum;
  }
  if (x > 27) return 0; // below the smallest double
  // erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let j = 1; j < 500; j++) {
    const a = j / 2;
    D = x + a * D;
    D = Math.abs(D) < tiny ? 1 / tiny : 1 / D;
    C = x + a / C;
    if (Math.abs(C) < tiny) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / SQRT_PI / f;
}

/** Survival function P(X >= x) of the chi-square distribution with 1 df: erfc(sqrt(x / 2)). */
export function chiSquare1Sf(x: number): number {
  if (!(x > 0)) return 1;
  return erfc(Math.sqrt(x / 2));
}
