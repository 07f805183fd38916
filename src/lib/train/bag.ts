// Cross-validation bagging for the linear head: the deployed model is the
// mean of the chosen configuration's k fold models (their logits average
// too: the heads are linear), so the scores it deploys are on the scale of
// the out-of-fold scores its calibration and threshold are fitted on.
import { fitLogReg, headFromCoef, linearLogits, type ClassWeight, type LogRegFit } from './linear';
import { takeMatrixRows, type FeatureMatrix } from './matrix';
import type { Fold } from './split';
import { throwIfAborted } from './types';

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * The k fold models of one configuration, fitted again (cold, so the result
 * does not depend on the search's warm-start path), averaged into one
 * model, with each fold model's logits on its held-out rows.
 */
export async function bagFolds<M extends FeatureMatrix>(
  X: M,
  rowsOf: (idx: Int32Array) => Int32Array | Float32Array,
  folds: readonly Fold[],
  cfg: { nClasses: number; C: number; classWeight: ClassWeight },
  scaled: (M: FeatureMatrix, v: number | null) => FeatureMatrix,
  scale: number | null,
  signal: AbortSignal | undefined,
  onFit: () => void,
): Promise<{ fit: LogRegFit; oofZ: Float64Array }> {
  const k = cfg.nClasses === 2 ? 1 : cfg.nClasses;
  const oofZ = new Float64Array(X.rows * k);
  let sum: Float64Array | null = null;
  let iterations = 0;
  let converged = true;
  let loss = 0;
  const fits: Float64Array[] = [];
  for (const f of folds) {
    throwIfAborted(signal);
    const fit = fitLogReg({ X: scaled(takeMatrixRows(X, f.train), scale), y: rowsOf(f.train), ...cfg });
    fits.push(fit.coef);
    sum ??= new Float64Array(fit.coef.length);
    for (let j = 0; j < sum.length; j++) sum[j] += fit.coef[j] / folds.length;
    iterations += fit.iterations;
    converged &&= fit.converged;
    loss += fit.loss / folds.length;
    const Z = linearLogits(scaled(takeMatrixRows(X, f.val), scale), fit.coef, cfg.nClasses);
    f.val.forEach((row, i) => {
      for (let j = 0; j < k; j++) oofZ[row * k + j] = Z[i * k + j];
    });
    onFit();
    await yieldToEventLoop();
  }
  // Each fold model sits at its own location (intercept and mean logit); at small C their differences are as large as the
  // spread of one model's logits, so pooled out-of-fold logits would rank rows by which fold scored them. Shifting each
  // fold's logits by its model's mean over all rows (features only, no labels) to the mean model's puts them where the
  // deployed model's logits are.
  const coef = sum!;
  const all = scaled(X, scale);
  const centre = (Z: Float64Array) => Array.from({ length: k }, (_, j) => mean(Array.from({ length: X.rows }, (_, i) => Z[i * k + j])));
  const mBag = centre(linearLogits(all, coef, cfg.nClasses));
  fits.forEach((fc, fi) => {
    const m = centre(linearLogits(all, fc, cfg.nClasses));
    for (const row of folds[fi].val) for (let j = 0; j < k; j++) oofZ[row * k + j] += mBag[j] - m[j];
  });
  return { fit: { coef, head: headFromCoef(coef, X.cols, cfg.nClasses, cfg.C, cfg.classWeight), iterations, converged, loss }, oofZ };
}
