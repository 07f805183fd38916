// Data shapers for the charts: plain arrays of points with bootstrap CIs.
// The caller supplies the predictions at each point (one trained student per
// training size, or one threshold applied to one student's probabilities).
import { metricsWithCI, type BootstrapOptions } from './bootstrap';
import { EvalInputError } from './counts';

/** Predictions for one x position (training size, threshold, ...). */
export interface CurveInput {
  x: number;
  preds: ArrayLike<number>;
  /** Series name, e.g. 'LLM labels' / 'human labels', to draw several lines. */
  series?: string;
}

/**
 * One chart point. `f1` is positive-class F1 for binary tasks, else macro F1;
 * [lo, hi] its bootstrap CI; n the number of test items scored.
 */
export interface CurvePoint {
  x: number;
  f1: number;
  lo: number;
  hi: number;
  n: number;
  series?: string;
}

export interface SweepPoint extends CurvePoint {
  precision: number | null;
  recall: number | null;
  predictedPositiveRate: number | null;
}

function score(yTrue: ArrayLike<number>, p: CurveInput, nClasses: number, positive: number | null, opts: BootstrapOptions): SweepPoint {
  if (p.preds.length !== yTrue.length) {
    throw new EvalInputError(`The predictions at x = ${p.x} do not cover the ${yTrue.length} test items.`);
  }
  const { metrics, ci } = metricsWithCI(yTrue, p.preds, nClasses, positive, opts);
  const c = ci.f1 ?? ci.macroF1;
  const point: SweepPoint = {
    x: p.x,
    f1: c.estimate,
    lo: c.lo,
    hi: c.hi,
    n: metrics.n,
    precision: metrics.precision,
    recall: metrics.recall,
    predictedPositiveRate: metrics.predictedPositiveRate,
  };
  if (p.series !== undefined) point.series = p.series;
  return point;
}

/**
 * F1 against training-set size (one point per trained student), sorted by
 * series then x. Every point uses the same seed, hence the same resamples.
 */
export function learningCurve(
  yTrue: ArrayLike<number>,
  points: readonly CurveInput[],
  nClasses: number,
  positive: number | null,
  opts: BootstrapOptions = {},
): CurvePoint[] {
  return points
    .map((p) => {
      const { x, f1, lo, hi, n, series } = score(yTrue, p, nClasses, positive, opts);
      return series === undefined ? { x, f1, lo, hi, n } : { x, f1, lo, hi, n, series };
    })
    .sort((a, b) => (a.series ?? '').localeCompare(b.series ?? '') || a.x - b.x);
}

/** F1, precision and recall against the decision threshold, sorted by x. */
export function thresholdSweep(
  yTrue: ArrayLike<number>,
  points: readonly CurveInput[],
  nClasses: number,
  positive: number | null,
  opts: BootstrapOptions = {},
): SweepPoint[] {
  return points
    .map((p) => score(yTrue, p, nClasses, positive, opts))
    .sort((a, b) => (a.series ?? '').localeCompare(b.series ?? '') || a.x - b.x);
}

/**
 * Predictions from n x nClasses row-major probabilities at a threshold on the
 * positive class: positive when its probability >= threshold, otherwise the
 * most probable other class. Feed the result to thresholdSweep.
 */
export function predsAtThreshold(probs: ArrayLike<number>, nClasses: number, positive: number, threshold: number): Int32Array {
  if (probs.length % nClasses !== 0) {
    throw new EvalInputError(`${probs.length} probabilities cannot be split into rows of ${nClasses} classes.`);
  }
  const n = probs.length / nClasses;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * nClasses;
    if (probs[row + positive] >= threshold) {
      out[i] = positive;
      continue;
    }
    let best = -1;
    for (let c = 0; c < nClasses; c++) {
      if (c !== positive && (best < 0 || probs[row + c] > probs[row + best])) best = c;
    }
    // A one-class task has no other class to fall back on.
    out[i] = best < 0 ? positive : best;
  }
  return out;
}
