// Cross-fitted recalibration of the linear head's logits, as scikit-learn's
// CalibratedClassifierCV(method='sigmoid') does: a slope a and intercepts c
// fitted on OUT-OF-FOLD logits, p = softmax(a·z + c) (binary: σ(a·z + c)).
//
// Why: on wide sparse features (TF-IDF with 10^4–10^5 columns, a few hundred
// rows) every training text is partly fitted by its own weights, so the
// in-sample intercept is biased for texts the model has not seen. On noisy
// LLM labels this leaves a student that predicts the minority label for 2 %
// of new texts while its teacher says 23 %. Out-of-fold logits carry no such
// self-influence: refitting the intercept (and a slope, which undoes
// overconfidence) on them gives decisions and probabilities that hold for
// new texts. Weighted by the same class weights as the head, so "balanced"
// keeps its meaning.
import { lbfgs } from './linear';

export interface Calibration {
  /** Slope on the head's logits. */
  a: number;
  /** Intercepts added after the slope: 1 value for binary (on the positive logit), else one per class (c[0] = 0). */
  c: number[];
}

export const IDENTITY: Calibration = { a: 1, c: [0] };

/**
 * Fits (a, c) on out-of-fold logits Z (n × k; k = 1 for binary, else C) and
 * targets T (n × C rows summing to 1), weighted per row by s. Targets are
 * smoothed as in Platt (1999) — t ← t·(1 − 2/(n+2)) + 1/(n+2) — so perfectly
 * separated folds do not send the slope to infinity.
 */
export function fitCalibration(Z: Float64Array, k: number, T: Float64Array, C: number, s: Float64Array): Calibration {
  const n = s.length;
  if (n === 0) return { a: 1, c: new Array(k === 1 ? 1 : C).fill(0) };
  const eps = 1 / (n + 2);
  const smooth = (t: number) => t * (1 - 2 * eps) + eps;
  let S = 0;
  for (let i = 0; i < n; i++) S += s[i];
  const scale = S > 0 ? 1 / S : 1;
  if (k === 1) {
    // θ = [a, c]
    const theta = new Float64Array([1, 0]);
    lbfgs(
      (th, g) => {
        let f = 0;
        g[0] = g[1] = 0;
        for (let i = 0; i < n; i++) {
          const u = th[0] * Z[i] + th[1];
          const t = smooth(T[i * C + 1]);
          f += s[i] * ((u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u))) - t * u);
          const p = u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u));
          const r = s[i] * (p - t) * scale;
          g[0] += r * Z[i];
          g[1] += r;
        }
        return f * scale;
      },
      theta,
      { tol: 1e-8, maxIter: 200 },
    );
    return { a: theta[0], c: [theta[1]] };
  }
  // θ = [a, c_1 … c_{C−1}] (c_0 = 0: softmax is invariant to a shared shift).
  const theta = new Float64Array(C);
  theta[0] = 1;
  const u = new Float64Array(C);
  lbfgs(
    (th, g) => {
      let f = 0;
      g.fill(0);
      for (let i = 0; i < n; i++) {
        let m = -Infinity;
        for (let c = 0; c < C; c++) {
          u[c] = th[0] * Z[i * C + c] + (c === 0 ? 0 : th[c]);
          if (u[c] > m) m = u[c];
        }
        let sum = 0;
        for (let c = 0; c < C; c++) sum += Math.exp(u[c] - m);
        const lse = m + Math.log(sum);
        for (let c = 0; c < C; c++) {
          const t = smooth(T[i * C + c]);
          f -= s[i] * t * (u[c] - lse);
          const r = s[i] * (Math.exp(u[c] - lse) - t) * scale;
          g[0] += r * Z[i * C + c];
          if (c > 0) g[c] += r;
        }
      }
      return f * scale;
    },
    theta,
    { tol: 1e-8, maxIter: 200 },
  );
  return { a: theta[0], c: [0, ...Array.from(theta.subarray(1))] };
}

/** Class decisions of calibrated logits (argmax of softmax(a·z + c)). */
export function calibratedArgmax(Z: Float64Array, k: number, C: number, cal: Calibration): Int32Array {
  const n = Z.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (k === 1) {
      out[i] = cal.a * Z[i] + cal.c[0] > 0 ? 1 : 0;
      continue;
    }
    let best = 0;
    let bv = -Infinity;
    for (let c = 0; c < C; c++) {
      const v = cal.a * Z[i * C + c] + cal.c[c];
      if (v > bv) {
        bv = v;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}
