// A plain-JavaScript lower bound for head training: softmax regression with
// minibatch Adam over Float32Arrays, no tfjs. It does the same arithmetic as
// the 'logreg' head (one dense layer + softmax cross-entropy), so the time it
// takes for the same examples × epochs is what tfjs's per-op overhead costs.
import { mulberry32 } from '../../src/lib/data/rng';

export interface PlainFitArgs {
  X: Float32Array;
  dim: number;
  y: Int32Array;
  nClasses: number;
  lr: number;
  batchSize: number;
  epochs: number;
  seed: number;
}

export interface PlainModel {
  /** dim × nClasses, row-major. */
  W: Float32Array;
  b: Float32Array;
  dim: number;
  nClasses: number;
}

/** Trains softmax regression for exactly `epochs` epochs; returns the weights and the last epoch's mean loss. */
export function fitPlainLogreg(a: PlainFitArgs): { model: PlainModel; loss: number } {
  const { X, dim: d, y, nClasses: C } = a;
  const n = y.length;
  if (X.length !== n * d) throw new RangeError(`X has ${X.length} numbers, expected ${n} × ${d}.`);
  const rand = mulberry32(a.seed);
  const limit = Math.sqrt(6 / (d + C));
  const W = Float32Array.from({ length: d * C }, () => (2 * rand() - 1) * limit);
  const b = new Float32Array(C);
  const gW = new Float32Array(d * C),
    gb = new Float32Array(C);
  const mW = new Float32Array(d * C),
    vW = new Float32Array(d * C),
    mb = new Float32Array(C),
    vb = new Float32Array(C);
  const [b1, b2, eps] = [0.9, 0.999, 1e-7];
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const p = new Float64Array(C);
  let t = 0;
  let loss = 0;
  for (let epoch = 0; epoch < a.epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    loss = 0;
    for (let s = 0; s < n; s += a.batchSize) {
      const e = Math.min(n, s + a.batchSize);
      const m = e - s;
      gW.fill(0);
      gb.fill(0);
      for (let k = s; k < e; k++) {
        const r = order[k];
        const x = X.subarray(r * d, (r + 1) * d);
        let max = -Infinity;
        for (let c = 0; c < C; c++) {
          let z = b[c];
          for (let f = 0; f < d; f++) z += x[f] * W[f * C + c];
          p[c] = z;
          if (z > max) max = z;
        }
        let sum = 0;
        for (let c = 0; c < C; c++) sum += p[c] = Math.exp(p[c] - max);
        for (let c = 0; c < C; c++) p[c] /= sum;
        loss -= Math.log(Math.max(p[y[r]], 1e-12));
        for (let c = 0; c < C; c++) {
          const g = (p[c] - (c === y[r] ? 1 : 0)) / m;
          gb[c] += g;
          for (let f = 0; f < d; f++) gW[f * C + c] += g * x[f];
        }
      }
      t++;
      const lrT = (a.lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      adam(W, gW, mW, vW, lrT, b1, b2, eps);
      adam(b, gb, mb, vb, lrT, b1, b2, eps);
    }
    loss /= n;
  }
  return { model: { W, b, dim: d, nClasses: C }, loss };
}

function adam(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, lrT: number, b1: number, b2: number, eps: number): void {
  for (let i = 0; i < w.length; i++) {
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    w[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + eps);
  }
}

/** Argmax class per row of X under the model. */
export function predictPlain(model: PlainModel, X: Float32Array): Int32Array {
  const { W, b, dim: d, nClasses: C } = model;
  const n = X.length / d;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0,
      bestZ = -Infinity;
    for (let c = 0; c < C; c++) {
      let z = b[c];
      for (let f = 0; f < d; f++) z += X[r * d + f] * W[f * C + c];
      if (z > bestZ) {
        bestZ = z;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}
