// The scores model selection uses, from the eval stage's metrics.
import { computeMetrics } from '../eval/metrics';

export interface F1Scores {
  /** F1 of the positive class; equals macroF1 when there is no positive class. */
  f1: number;
  /** Unweighted mean of per-class F1 over classes present in truth or prediction. */
  macroF1: number;
}

/** Positive-class and macro F1, by eval's computeMetrics (the same conventions everywhere). */
export function f1Scores(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number, positive: number | null): F1Scores {
  const m = computeMetrics(yTrue, yPred, nClasses, positive);
  return { f1: m.f1 ?? m.macroF1, macroF1: m.macroF1 };
}

/** The number model selection maximises: positive-class F1 if binary with a positive class, else macro F1. */
export function selectionScore(s: F1Scores, positive: number | null): number {
  return positive === null ? s.macroF1 : s.f1;
}

/** Row-wise argmax of an n × nClasses probability matrix. */
export function argmaxRows(probs: Float32Array, nClasses: number): Int32Array {
  const out = new Int32Array(probs.length / nClasses);
  for (let i = 0; i < out.length; i++) out[i] = argmaxRow(probs, nClasses, i);
  return out;
}

/** The class with the highest probability in row `i` of a row-major n × nClasses matrix (the first on a tie). */
export function argmaxRow(probs: ArrayLike<number>, nClasses: number, i: number): number {
  let best = 0;
  for (let c = 1; c < nClasses; c++) if (probs[i * nClasses + c] > probs[i * nClasses + best]) best = c;
  return best;
}
