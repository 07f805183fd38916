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
  const n = probs.length / nClasses;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < nClasses; c++) if (probs[i * nClasses + c] > probs[i * nClasses + best]) best = c;
    out[i] = best;
  }
  return out;
}
