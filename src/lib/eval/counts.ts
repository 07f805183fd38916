// Allocation-free confusion counts, shared by computeMetrics and the bootstrap.
//
// Layout: a flat Float64Array of k * (k + 1) cells; cell (t, p) sits at
// t * (k + 1) + p. Column k counts *abstentions*: predictions outside 0..k-1
// (e.g. -1 for an LLM answer that could not be parsed). An abstention is
// wrong for accuracy and a false negative for its true class, but is not a
// prediction of any class. Zero denominators follow scikit-learn's
// zero_division=0 convention: the ratio is 0. The bootstrap instead uses the
// *OrNaN variants, so a resample where a statistic is undefined is dropped
// rather than counted as 0.

/** A labels-or-predictions input problem, in words a researcher understands. */
export class EvalInputError extends Error {
  override name = 'EvalInputError';
}

/** Allocate a zeroed count table for k classes (plus the abstention column). */
export function newCounts(k: number): Float64Array {
  return new Float64Array(k * (k + 1));
}

/** Column index of a prediction: itself if a valid class, else k (abstained). */
export function predColumn(p: number, k: number): number {
  return Number.isInteger(p) && p >= 0 && p < k ? p : k;
}

/**
 * Check that yTrue holds class indices 0..k-1 and both arrays have the same
 * length. Throws EvalInputError otherwise.
 */
export function validateLabels(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new EvalInputError(`The number of classes must be a positive integer (got ${k}).`);
  }
  if (yTrue.length !== yPred.length) {
    throw new EvalInputError(`There are ${yTrue.length} true labels but ${yPred.length} predictions; they must be aligned item by item.`);
  }
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    if (!Number.isInteger(t) || t < 0 || t >= k) {
      throw new EvalInputError(`True label at position ${i} is ${t}, which is not a class index between 0 and ${k - 1}.`);
    }
  }
}

/** Fill `out` with the counts of all items (no validation; see validateLabels). */
export function tally(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number, out: Float64Array): void {
  out.fill(0);
  const w = k + 1;
  for (let i = 0; i < yTrue.length; i++) out[yTrue[i] * w + predColumn(yPred[i], k)]++;
}

export function totalOf(c: Float64Array): number {
  let n = 0;
  for (let i = 0; i < c.length; i++) n += c[i];
  return n;
}

export function accuracyOf(c: Float64Array, k: number): number {
  const w = k + 1;
  let n = 0;
  let hit = 0;
  for (let t = 0; t < k; t++) {
    hit += c[t * w + t];
    for (let p = 0; p <= k; p++) n += c[t * w + p];
  }
  return n === 0 ? 0 : hit / n;
}

/** Items whose true class is `cls` (support). */
export function supportOf(c: Float64Array, k: number, cls: number): number {
  const w = k + 1;
  let s = 0;
  for (let p = 0; p <= k; p++) s += c[cls * w + p];
  return s;
}

/** Items predicted as `cls`. */
export function predictedOf(c: Float64Array, k: number, cls: number): number {
  const w = k + 1;
  let s = 0;
  for (let t = 0; t < k; t++) s += c[t * w + cls];
  return s;
}

export function precisionOf(c: Float64Array, k: number, cls: number): number {
  const pred = predictedOf(c, k, cls);
  return pred === 0 ? 0 : c[cls * (k + 1) + cls] / pred;
}

export function recallOf(c: Float64Array, k: number, cls: number): number {
  const sup = supportOf(c, k, cls);
  return sup === 0 ? 0 : c[cls * (k + 1) + cls] / sup;
}

/** F1 = 2TP / (2TP + FP + FN): equal to the harmonic mean, and 0 when undefined. */
export function f1Of(c: Float64Array, k: number, cls: number): number {
  const tp = c[cls * (k + 1) + cls];
  const denom = predictedOf(c, k, cls) + supportOf(c, k, cls);
  return denom === 0 ? 0 : (2 * tp) / denom;
}

/**
 * Unweighted mean of per-class F1 over the classes that occur in the true
 * labels or among the valid predictions, so a codebook class absent from both
 * does not drag the mean down. This is scikit-learn's default label set
 * (sorted union of y_true and y_pred) minus abstentions: scikit-learn would
 * treat -1 as a class of its own with F1 0 and lower the mean; here an
 * abstention only counts as a false negative of its true class.
 * 0 when no class occurs.
 */
export function macroF1Of(c: Float64Array, k: number): number {
  let sum = 0;
  let present = 0;
  for (let cls = 0; cls < k; cls++) {
    const denom = predictedOf(c, k, cls) + supportOf(c, k, cls);
    if (denom === 0) continue;
    sum += (2 * c[cls * (k + 1) + cls]) / denom;
    present++;
  }
  return present === 0 ? 0 : sum / present;
}

/** Precision of `cls`, or NaN when undefined (`cls` never predicted). */
export function precisionOrNaN(c: Float64Array, k: number, cls: number): number {
  return predictedOf(c, k, cls) === 0 ? NaN : precisionOf(c, k, cls);
}

/** Recall of `cls`, or NaN when undefined (`cls` absent from the true labels). */
export function recallOrNaN(c: Float64Array, k: number, cls: number): number {
  return supportOf(c, k, cls) === 0 ? NaN : recallOf(c, k, cls);
}

/** F1 of `cls`, or NaN when undefined (`cls` neither true nor predicted anywhere). */
export function f1OrNaN(c: Float64Array, k: number, cls: number): number {
  return predictedOf(c, k, cls) + supportOf(c, k, cls) === 0 ? NaN : f1Of(c, k, cls);
}

/** Support-weighted mean of per-class F1; 0 when there are no items. */
export function weightedF1Of(c: Float64Array, k: number): number {
  let sum = 0;
  let n = 0;
  for (let cls = 0; cls < k; cls++) {
    const sup = supportOf(c, k, cls);
    if (sup === 0) continue;
    sum += sup * f1Of(c, k, cls);
    n += sup;
  }
  return n === 0 ? 0 : sum / n;
}

/**
 * Cohen's kappa between truth and prediction: (po - pe) / (1 - pe).
 * Abstentions count as disagreement and add nothing to pe.
 * Undefined (null) when pe = 1, e.g. one class in both truth and predictions,
 * where scikit-learn returns NaN; also null for empty input.
 */
export function kappaOf(c: Float64Array, k: number): number | null {
  const n = totalOf(c);
  if (n === 0) return null;
  let pe = 0;
  for (let cls = 0; cls < k; cls++) pe += (supportOf(c, k, cls) / n) * (predictedOf(c, k, cls) / n);
  if (Math.abs(1 - pe) < 1e-12) return null;
  return (accuracyOf(c, k) - pe) / (1 - pe);
}
