// A tiny private F1 for model selection. The full metrics live in
// src/lib/eval/metrics.ts (computeMetrics); this copy exists so train/ did not
// have to wait for it. TODO(dedup): switch to eval's computeMetrics.

export interface F1Scores {
  /** F1 of the positive class; equals macroF1 when there is no positive class. */
  f1: number;
  /** Unweighted mean of per-class F1 over classes present in truth or prediction. */
  macroF1: number;
}

export function f1Scores(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  nClasses: number,
  positive: number | null,
): F1Scores {
  const tp = new Float64Array(nClasses);
  const fp = new Float64Array(nClasses);
  const fn = new Float64Array(nClasses);
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (t === p) tp[t]++;
    else {
      fp[p]++;
      fn[t]++;
    }
  }
  // F1 with 0/0 := 0, as scikit-learn's zero_division=0.
  const f1Of = (c: number) => {
    const d = 2 * tp[c] + fp[c] + fn[c];
    return d === 0 ? 0 : (2 * tp[c]) / d;
  };
  let sum = 0;
  let present = 0;
  for (let c = 0; c < nClasses; c++) {
    if (tp[c] + fp[c] + fn[c] === 0) continue;
    sum += f1Of(c);
    present++;
  }
  const macroF1 = present === 0 ? 0 : sum / present;
  return { f1: positive === null ? macroF1 : f1Of(positive), macroF1 };
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
