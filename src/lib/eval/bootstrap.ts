// Seeded percentile bootstrap for metric confidence intervals.
//
// Items (test texts) are resampled with replacement; the interval is the
// alpha/2 and 1 - alpha/2 quantiles (linear interpolation, numpy's default)
// of the statistic over resamples. A resample where the statistic is
// undefined (precision with no positive prediction, recall with no positive
// item, F1 with neither) is dropped, not counted as 0, and the CI says how
// many were dropped. Buffers are allocated once per call, never
// per resample, so 1,000 resamples of 1,000 items stay in the milliseconds.
import { accuracyOf, f1OrNaN, macroF1Of, newCounts, precisionOrNaN, predColumn, recallOrNaN, tally } from './counts';
import { computeMetrics, type Metrics } from './metrics';
import { mulberry32 } from '../data/rng';

/** A point estimate (on all items) with its bootstrap interval. */
export interface CI {
  estimate: number;
  lo: number;
  hi: number;
  /** Resamples in which the statistic was undefined, left out of [lo, hi]; absent when none. */
  dropped?: number;
  /**
   * false when the statistic is undefined on all items (e.g. precision of a
   * classifier that never predicts the positive class): show "undefined".
   * metricsWithCI then keeps the zero_division=0 value (0) as the estimate;
   * bootstrapCI / pairedDiffCI have NaN there. Absent when defined.
   */
  defined?: false;
}

export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  resamples?: number;
  /** PRNG seed; the same seed gives the same interval (default 1). */
  seed?: number;
  /** 1 - confidence level (default 0.05 for a 95% interval). */
  alpha?: number;
}

/** A statistic of aligned true labels and predictions; NaN where it is undefined. */
export type StatFn = (yTrue: ArrayLike<number>, yPred: ArrayLike<number>) => number;

interface Resolved {
  resamples: number;
  seed: number;
  alpha: number;
}

function resolve(opts: BootstrapOptions | undefined): Resolved {
  const r = { resamples: opts?.resamples ?? 1000, seed: opts?.seed ?? 1, alpha: opts?.alpha ?? 0.05 };
  if (!Number.isInteger(r.resamples) || r.resamples < 1) {
    throw new RangeError(`The number of bootstrap resamples must be a positive integer (got ${r.resamples}).`);
  }
  if (!(r.alpha > 0 && r.alpha < 1)) throw new RangeError(`alpha must be between 0 and 1 (got ${r.alpha}).`);
  return r;
}

/** Quantile q of an ascending-sorted array, linearly interpolated (numpy "linear"). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length;
  if (m === 0) return NaN;
  const h = (m - 1) * q;
  const i = Math.floor(h);
  if (i + 1 >= m) return sorted[m - 1];
  return sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]);
}

/**
 * Percentile interval of resampled values; NaN values (undefined stats) are
 * dropped and counted. With every resample dropped, lo and hi are NaN.
 */
function interval(estimate: number, values: Float64Array, alpha: number, defined = !Number.isNaN(estimate)): CI {
  const finite = values.filter((v) => !Number.isNaN(v)).sort();
  const ci: CI = {
    estimate,
    lo: quantileSorted(finite, alpha / 2),
    hi: quantileSorted(finite, 1 - alpha / 2),
  };
  const dropped = values.length - finite.length;
  if (dropped > 0) ci.dropped = dropped;
  if (!defined) ci.defined = false;
  return ci;
}

/**
 * Percentile bootstrap CI of statFn(yTrue, yPred).
 * With no items the interval is { estimate, lo: NaN, hi: NaN }.
 */
export function bootstrapCI(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, statFn: StatFn, opts?: BootstrapOptions): CI {
  const { resamples, seed, alpha } = resolve(opts);
  if (yTrue.length !== yPred.length) throw new RangeError('True labels and predictions must have the same length.');
  const n = yTrue.length;
  const estimate = statFn(yTrue, yPred);
  if (n === 0) return { estimate, lo: NaN, hi: NaN };
  const rand = mulberry32(seed);
  const t = new Int32Array(n);
  const p = new Int32Array(n);
  const values = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let j = 0; j < n; j++) {
      const i = Math.floor(rand() * n);
      t[j] = yTrue[i];
      p[j] = yPred[i];
    }
    values[r] = statFn(t, p);
  }
  return interval(estimate, values, alpha);
}

/**
 * Paired bootstrap CI of statFn(yTrue, predA) - statFn(yTrue, predB): both
 * classifiers are scored on the *same* resampled items, which is what makes
 * a difference between two classifiers on one test set meaningful.
 */
export function pairedDiffCI(
  yTrue: ArrayLike<number>,
  predA: ArrayLike<number>,
  predB: ArrayLike<number>,
  statFn: StatFn,
  opts?: BootstrapOptions,
): CI {
  const { resamples, seed, alpha } = resolve(opts);
  if (yTrue.length !== predA.length || yTrue.length !== predB.length) {
    throw new RangeError('True labels and both prediction arrays must have the same length.');
  }
  const n = yTrue.length;
  const estimate = statFn(yTrue, predA) - statFn(yTrue, predB);
  if (n === 0) return { estimate, lo: NaN, hi: NaN };
  const rand = mulberry32(seed);
  const t = new Int32Array(n);
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const values = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let j = 0; j < n; j++) {
      const i = Math.floor(rand() * n);
      t[j] = yTrue[i];
      a[j] = predA[i];
      b[j] = predB[i];
    }
    values[r] = statFn(t, a) - statFn(t, b);
  }
  return interval(estimate, values, alpha);
}

// Ready-made statistics. Each closure reuses one count table, so calling it
// once per resample allocates nothing. Predictions outside 0..k-1 count wrong.
// Precision, recall and F1 are NaN where undefined (so resamples are dropped);
// accuracy and macro F1 are defined on any non-empty sample.
function countingStat(k: number, f: (c: Float64Array) => number): StatFn {
  const c = newCounts(k);
  return (yTrue, yPred) => {
    tally(yTrue, yPred, k, c);
    return f(c);
  };
}
export const accuracyStat = (k: number): StatFn => countingStat(k, (c) => accuracyOf(c, k));
export const precisionStat = (k: number, cls: number): StatFn => countingStat(k, (c) => precisionOrNaN(c, k, cls));
export const recallStat = (k: number, cls: number): StatFn => countingStat(k, (c) => recallOrNaN(c, k, cls));
export const f1Stat = (k: number, cls: number): StatFn => countingStat(k, (c) => f1OrNaN(c, k, cls));
export const macroF1Stat = (k: number): StatFn => countingStat(k, (c) => macroF1Of(c, k));

/** The headline statistic: positive-class F1 for binary tasks, else macro F1. */
export function headlineStat(k: number, positive: number | null): StatFn {
  return positive === null ? macroF1Stat(k) : f1Stat(k, positive);
}

export interface MetricCIs {
  accuracy: CI;
  /** Positive-class CIs; null when there is no positive class. */
  precision: CI | null;
  recall: CI | null;
  f1: CI | null;
  macroF1: CI;
}

export interface MetricsWithCI {
  metrics: Metrics;
  ci: MetricCIs;
}

/**
 * computeMetrics plus bootstrap CIs for accuracy, positive-class precision /
 * recall / F1 and macro F1, all from the same resamples (counts are tallied
 * directly from resampled indices: no per-resample arrays). Estimates are the
 * metrics' values (zero_division=0); an undefined one has `defined: false`.
 * @throws EvalInputError on misaligned arrays or invalid true labels
 */
export function metricsWithCI(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  nClasses: number,
  positive: number | null,
  opts?: BootstrapOptions,
): MetricsWithCI {
  const metrics = computeMetrics(yTrue, yPred, nClasses, positive);
  const { resamples, seed, alpha } = resolve(opts);
  const k = nClasses;
  const n = yTrue.length;
  const cols = new Int32Array(n);
  for (let i = 0; i < n; i++) cols[i] = yTrue[i] * (k + 1) + predColumn(yPred[i], k);

  const acc = new Float64Array(resamples);
  const prec = new Float64Array(resamples);
  const rec = new Float64Array(resamples);
  const f1 = new Float64Array(resamples);
  const macro = new Float64Array(resamples);
  const c = newCounts(k);
  const rand = mulberry32(seed);
  for (let r = 0; n > 0 && r < resamples; r++) {
    c.fill(0);
    for (let j = 0; j < n; j++) c[cols[Math.floor(rand() * n)]]++;
    acc[r] = accuracyOf(c, k);
    macro[r] = macroF1Of(c, k);
    if (positive !== null) {
      prec[r] = precisionOrNaN(c, k, positive);
      rec[r] = recallOrNaN(c, k, positive);
      f1[r] = f1OrNaN(c, k, positive);
    }
  }
  const ci = (estimate: number, v: Float64Array, defined = true): CI =>
    n === 0 ? { estimate, lo: NaN, hi: NaN } : interval(estimate, v, alpha, defined);
  if (positive === null) {
    return {
      metrics,
      ci: { accuracy: ci(metrics.accuracy, acc), precision: null, recall: null, f1: null, macroF1: ci(metrics.macroF1, macro) },
    };
  }
  const { predicted, support } = metrics.perClass[positive];
  return {
    metrics,
    ci: {
      accuracy: ci(metrics.accuracy, acc),
      precision: ci(metrics.precision ?? 0, prec, predicted > 0),
      recall: ci(metrics.recall ?? 0, rec, support > 0),
      f1: ci(metrics.f1 ?? 0, f1, predicted + support > 0),
      macroF1: ci(metrics.macroF1, macro),
    },
  };
}
