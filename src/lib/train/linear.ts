// The student's default head: L2-regularised logistic regression on frozen
// features, solved to a stated gradient tolerance (see `tol`). Binary tasks fit one weight vector
// (sigmoid), as scikit-learn's LogisticRegression does; three or more classes
// fit the multinomial (softmax) model. Minimises, as scikit-learn documents,
//     ½‖W‖² + C · Σᵢ sᵢ · crossEntropy(tᵢ, p(xᵢ))
// (intercepts unpenalised), divided by Σᵢ sᵢ for conditioning, which leaves
// the minimiser unchanged.
//
// Why L-BFGS: the objective is smooth and strictly convex, so a quasi-Newton
// method converges to the unique optimum from any start, deterministically and
// without a learning rate, batch size or epoch count to tune. It needs only
// the gradient — one pass over the rows — so it works the same on dense
// 768-wide embeddings and on CSR TF-IDF rows with 100k columns, where Newton
// or IRLS would need a d × d Hessian; a hybrid (a sentence vector beside its
// TF-IDF columns) is read block by block, never densified. Plain Float64
// typed-array code: at these sizes (≤ a few thousand training rows) it beats tfjs on wasm and WebGPU,
// whose per-op dispatch costs more than the arithmetic (see bench training).
import type { CsrMatrix, DenseMatrix, FeatureMatrix } from './matrix';
import { assertMatrix } from './matrix';
import type { SerializedHead } from './types';
import { resolveHeadConfig } from './types';

export type ClassWeight = 'none' | 'balanced';

/** Gradient tolerance on scikit-learn's (unscaled) objective: its own default tol. */
export const DEFAULT_TOL = 1e-4;

export interface LogRegArgs {
  X: FeatureMatrix;
  /** Hard labels (Int32Array, n) or soft targets (Float32Array, n × nClasses; rows are renormalised). */
  y: Int32Array | Float32Array;
  nClasses: number;
  /** Inverse regularisation strength, as scikit-learn's C. */
  C: number;
  classWeight: ClassWeight;
  /**
   * Stop when the largest gradient entry of the objective as scikit-learn
   * writes it (½‖W‖² + C·Σ sᵢ·CE, not divided by Σ s) is at most this
   * (default 1e-4). That objective's Hessian is at least the identity on the
   * weights, so the weights are then within about `tol` of the optimum for
   * every C, however wide the rows; the scaled objective's own gradient is
   * C·Σs times smaller, which an absolute rule on it would ignore.
   */
  tol?: number;
  /** Default 1000 iterations. */
  maxIter?: number;
  /** Warm start: a coefficient vector from fitLogReg on the same width and classes. */
  init?: Float64Array;
}

export interface LogRegFit {
  /** The fitted model as a one-layer softmax head (binary: columns [0, w], biases [0, b]). */
  head: SerializedHead;
  /** Raw parameters: kernel (cols × k, row-major) then k intercepts; k = 1 for binary. */
  coef: Float64Array;
  iterations: number;
  /** True only when the gradient test passed (not when the iteration limit or the line search stopped it). */
  converged: boolean;
  /** Final value of the scaled objective. */
  loss: number;
}

/** Targets as n × C rows summing to 1 (one-hot for hard labels). */
export function targetRows(y: Int32Array | Float32Array, n: number, C: number): Float64Array {
  const T = new Float64Array(n * C);
  if (y instanceof Int32Array) {
    if (y.length !== n) throw new RangeError(`Got ${y.length} labels for ${n} rows.`);
    for (let i = 0; i < n; i++) {
      if (!(y[i] >= 0 && y[i] < C)) throw new RangeError(`Label ${y[i]} at row ${i} is outside 0…${C - 1}.`);
      T[i * C + y[i]] = 1;
    }
    return T;
  }
  if (y.length !== n * C) throw new RangeError(`Soft targets must be ${n} × ${C} numbers, got ${y.length}.`);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < C; c++) {
      if (!(y[i * C + c] >= 0)) throw new RangeError(`Soft target at row ${i} has an invalid probability ${y[i * C + c]}.`);
      s += y[i * C + c];
    }
    if (!(s > 0)) throw new RangeError(`Soft target row ${i} sums to 0.`);
    for (let c = 0; c < C; c++) T[i * C + c] = y[i * C + c] / s;
  }
  return T;
}

/** scikit-learn's "balanced" weights n / (C · count_c), counts taken from the (soft) target rows, mixed per row. */
export function rowWeights(T: Float64Array, n: number, C: number, cw: ClassWeight): Float64Array {
  const s = new Float64Array(n).fill(1);
  if (cw === 'none') return s;
  const counts = new Float64Array(C);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) counts[c] += T[i * C + c];
  const w = Array.from(counts, (k) => (k > 0 ? n / (C * k) : 0));
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let c = 0; c < C; c++) v += T[i * C + c] * w[c];
    s[i] = v;
  }
  return s;
}

/** Logits z = x·W + b for every row: n × k, k = 1 (binary) or C. */
function logits(X: FeatureMatrix, theta: Float64Array, k: number, out: Float64Array): void {
  const bias = X.cols * k;
  for (let i = 0; i < X.rows; i++) for (let c = 0; c < k; c++) out[i * k + c] = theta[bias + c];
  if (X.kind === 'dense') denseLogits(X, theta, 0, 1, k, out);
  else if (X.kind === 'csr') csrLogits(X, theta, 0, k, out);
  else {
    // A hybrid's blocks own consecutive weight rows: the dense block's first.
    denseLogits(X.dense, theta, 0, X.scale, k, out);
    csrLogits(X.sparse, theta, X.dense.cols * k, k, out);
  }
}

/** out += (scale · X)·W, W read from theta at `at`. A scale of 1 multiplies nothing (same sums as before hybrids). */
function denseLogits(X: DenseMatrix, theta: Float64Array, at: number, scale: number, k: number, out: Float64Array): void {
  const d = X.cols;
  const v = X.values;
  for (let i = 0; i < X.rows; i++) {
    const row = i * d;
    const o = i * k;
    if (k === 1) {
      let z = 0;
      if (scale === 1) for (let j = 0; j < d; j++) z += v[row + j] * theta[at + j];
      else for (let j = 0; j < d; j++) z += v[row + j] * scale * theta[at + j];
      out[o] += z;
    } else {
      for (let j = 0; j < d; j++) {
        const x = scale === 1 ? v[row + j] : v[row + j] * scale;
        if (x === 0) continue;
        const t = at + j * k;
        for (let c = 0; c < k; c++) out[o + c] += x * theta[t + c];
      }
    }
  }
}

function csrLogits(X: CsrMatrix, theta: Float64Array, at: number, k: number, out: Float64Array): void {
  const { indptr, indices, values } = X;
  for (let i = 0; i < X.rows; i++) {
    const o = i * k;
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const x = values[p];
      const t = at + indices[p] * k;
      for (let c = 0; c < k; c++) out[o + c] += x * theta[t + c];
    }
  }
}

/** grad[W] += Xᵀ R (R is n × k); grad[b] += column sums of R. */
function addGradient(X: FeatureMatrix, R: Float64Array, k: number, grad: Float64Array): void {
  const bias = X.cols * k;
  for (let i = 0; i < X.rows; i++) for (let c = 0; c < k; c++) grad[bias + c] += R[i * k + c];
  if (X.kind === 'dense') denseGradient(X, R, 0, 1, k, grad);
  else if (X.kind === 'csr') csrGradient(X, R, 0, k, grad);
  else {
    denseGradient(X.dense, R, 0, X.scale, k, grad);
    csrGradient(X.sparse, R, X.dense.cols * k, k, grad);
  }
}

function denseGradient(X: DenseMatrix, R: Float64Array, at: number, scale: number, k: number, grad: Float64Array): void {
  const d = X.cols;
  const v = X.values;
  for (let i = 0; i < X.rows; i++) {
    const row = i * d;
    if (k === 1) {
      const r = scale === 1 ? R[i] : R[i] * scale;
      if (r === 0) continue;
      for (let j = 0; j < d; j++) grad[at + j] += v[row + j] * r;
    } else {
      for (let j = 0; j < d; j++) {
        const x = scale === 1 ? v[row + j] : v[row + j] * scale;
        if (x === 0) continue;
        const t = at + j * k;
        for (let c = 0; c < k; c++) grad[t + c] += x * R[i * k + c];
      }
    }
  }
}

function csrGradient(X: CsrMatrix, R: Float64Array, at: number, k: number, grad: Float64Array): void {
  const { indptr, indices, values } = X;
  for (let i = 0; i < X.rows; i++) {
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const x = values[p];
      const t = at + indices[p] * k;
      for (let c = 0; c < k; c++) grad[t + c] += x * R[i * k + c];
    }
  }
}

/** log(1 + e^z), stable for large |z|. */
export const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

/**
 * A closure computing the scaled objective and its gradient. `k` = 1 for
 * binary (t = T[:, 1]), else C.
 */
function objective(X: FeatureMatrix, T: Float64Array, s: Float64Array, C: number, nClasses: number, Cinv: number) {
  const n = X.rows;
  const k = nClasses === 2 ? 1 : nClasses;
  const nW = X.cols * k;
  const Z = new Float64Array(n * k);
  const R = new Float64Array(n * k);
  let S = 0;
  for (let i = 0; i < n; i++) S += s[i];
  const scale = S > 0 ? 1 / S : 1;
  return {
    size: nW + k,
    k,
    weightSum: S > 0 ? S : 1,
    evaluate(theta: Float64Array, grad: Float64Array): number {
      logits(X, theta, k, Z);
      let loss = 0;
      if (k === 1) {
        for (let i = 0; i < n; i++) {
          const z = Z[i];
          const t = T[i * C + 1];
          // −t·log σ(z) − (1−t)·log(1−σ(z)) = softplus(z) − t·z
          loss += s[i] * (softplus(z) - t * z);
          const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
          R[i] = s[i] * (p - t) * scale;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const o = i * k;
          let m = -Infinity;
          for (let c = 0; c < k; c++) if (Z[o + c] > m) m = Z[o + c];
          let sum = 0;
          for (let c = 0; c < k; c++) sum += Math.exp(Z[o + c] - m);
          const lse = m + Math.log(sum);
          for (let c = 0; c < k; c++) {
            const t = T[i * C + c];
            if (t !== 0) loss -= s[i] * t * (Z[o + c] - lse);
            R[o + c] = s[i] * (Math.exp(Z[o + c] - lse) - t) * scale;
          }
        }
      }
      grad.fill(0);
      addGradient(X, R, k, grad);
      let sq = 0;
      for (let j = 0; j < nW; j++) {
        sq += theta[j] * theta[j];
        grad[j] += theta[j] * Cinv * scale;
      }
      return loss * scale + 0.5 * sq * Cinv * scale;
    },
  };
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const maxAbs = (a: Float64Array) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

/**
 * Minimises a smooth convex function by L-BFGS (memory `m`) with a
 * backtracking Armijo line search. Returns the minimiser in `x` (updated in place).
 */
export function lbfgs(
  f: (x: Float64Array, g: Float64Array) => number,
  x: Float64Array,
  opts: { tol: number; maxIter: number; m?: number },
): { iterations: number; converged: boolean; value: number } {
  const m = opts.m ?? 10;
  const n = x.length;
  const g = new Float64Array(n);
  let fx = f(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha = new Float64Array(m);
  let stalls = 0;
  for (let it = 0; it < opts.maxIter; it++) {
    if (maxAbs(g) <= opts.tol) return { iterations: it, converged: true, value: fx };
    // Two-loop recursion: dir = −H·g.
    for (let i = 0; i < n; i++) dir[i] = -g[i];
    for (let j = S.length - 1; j >= 0; j--) {
      alpha[j] = rho[j] * dot(S[j], dir);
      const y = Y[j];
      for (let i = 0; i < n; i++) dir[i] -= alpha[j] * y[i];
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
      for (let i = 0; i < n; i++) dir[i] *= gamma;
    } else {
      // First step: a unit step would be as long as the gradient; start smaller.
      const gn = Math.sqrt(dot(g, g));
      const first = Math.min(1, 1 / Math.max(gn, 1e-12));
      for (let i = 0; i < n; i++) dir[i] *= first;
    }
    for (let j = 0; j < S.length; j++) {
      const beta = rho[j] * dot(Y[j], dir);
      const s = S[j];
      for (let i = 0; i < n; i++) dir[i] += s[i] * (alpha[j] - beta);
    }
    let slope = dot(g, dir);
    if (!(slope < 0)) {
      // Not a descent direction (numerical drift): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -g[i];
      slope = dot(g, dir);
    }
    let step = 1;
    let fNew = NaN;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * dir[i];
      fNew = f(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    // No step decreases f: at float precision, or a bad direction twice; converged only if the gradient says so.
    if (!(fNew <= fx + 1e-4 * step * slope)) return { iterations: it, converged: maxAbs(g) <= opts.tol, value: fx };
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    // Relative decrease below float precision several times running: as good as it gets, but only
    // reported as converged when the gradient test passes.
    stalls = fx - fNew <= 1e-15 * Math.max(1, Math.abs(fx)) ? stalls + 1 : 0;
    x.set(xNew);
    g.set(gNew);
    fx = fNew;
    if (stalls >= 3) return { iterations: it + 1, converged: maxAbs(g) <= opts.tol, value: fx };
  }
  return { iterations: opts.maxIter, converged: maxAbs(g) <= opts.tol, value: fx };
}

/** Fits the model to convergence (or maxIter). Deterministic: same inputs, same coefficients. */
export function fitLogReg(args: LogRegArgs): LogRegFit {
  const { X, nClasses: C } = args;
  if (!Number.isInteger(C) || C < 2) throw new RangeError(`A classifier needs at least 2 classes (got ${C}).`);
  if (!(args.C > 0) || !Number.isFinite(args.C)) throw new RangeError(`C must be a positive number (got ${args.C}).`);
  if (X.rows === 0) throw new RangeError('Cannot train on zero examples.');
  assertMatrix(X);
  const T = targetRows(args.y, X.rows, C);
  const s = rowWeights(T, X.rows, C, args.classWeight);
  const obj = objective(X, T, s, C, C, 1 / args.C);
  const theta = new Float64Array(obj.size);
  if (args.init) {
    if (args.init.length !== obj.size) throw new RangeError(`Warm start has ${args.init.length} parameters, the model ${obj.size}.`);
    theta.set(args.init);
  }
  // The scaled objective's gradient is the unscaled one ÷ (C·Σs): the test on the unscaled one (see `tol`).
  const tol = (args.tol ?? DEFAULT_TOL) / (args.C * obj.weightSum);
  const r = lbfgs((x, g) => obj.evaluate(x, g), theta, { tol, maxIter: args.maxIter ?? 1000 });
  return {
    head: headFromCoef(theta, X.cols, C, args.C, args.classWeight),
    coef: theta,
    iterations: r.iterations,
    converged: r.converged,
    loss: r.value,
  };
}

/** Logits x·W + b of every row for raw coefficients (n × k; k = 1 for binary, else nClasses). */
export function linearLogits(X: FeatureMatrix, coef: Float64Array, nClasses: number): Float64Array {
  const k = nClasses === 2 ? 1 : nClasses;
  if (coef.length !== X.cols * k + k)
    throw new RangeError(`Coefficients (${coef.length}) do not fit ${X.cols} features and ${nClasses} classes.`);
  const out = new Float64Array(X.rows * k);
  logits(X, coef, k, out);
  return out;
}

/** The coefficients as a softmax head, so every predictor and exporter of heads reads it unchanged. */
export function headFromCoef(theta: Float64Array, d: number, C: number, Cval: number, cw: ClassWeight): SerializedHead {
  const k = C === 2 ? 1 : C;
  const kernel = new Float32Array(d * C);
  const bias = new Float32Array(C);
  if (k === 1) {
    // softmax([0, z]) = [1 − σ(z), σ(z)]: exactly the binary model.
    for (let j = 0; j < d; j++) kernel[j * 2 + 1] = theta[j];
    bias[1] = theta[d];
  } else {
    for (let j = 0; j < d * C; j++) kernel[j] = theta[j];
    for (let c = 0; c < C; c++) bias[c] = theta[d * C + c];
  }
  return {
    format: 'surrogate-head/1',
    config: resolveHeadConfig({ kind: 'linear', C: Cval, classWeights: cw === 'balanced' }),
    dim: d,
    nClasses: C,
    layers: [{ kernel: { shape: [d, C], values: kernel }, bias: { shape: [C], values: bias } }],
  };
}

/**
 * Class probabilities (n × nClasses, rows summing to 1) of a one-layer head
 * on dense or sparse rows, in plain JS (no tfjs: sparse rows never densify).
 */
export function predictLinear(head: SerializedHead, X: FeatureMatrix): Float32Array {
  if (head.layers.length !== 1) throw new RangeError('predictLinear reads one-layer heads only; use predictProbaAsync for an MLP.');
  if (X.cols !== head.dim) throw new RangeError(`The head expects ${head.dim}-dimensional features, got ${X.cols}.`);
  const C = head.nClasses;
  const { kernel, bias } = head.layers[0];
  const theta = new Float64Array(head.dim * C + C);
  theta.set(kernel.values);
  theta.set(bias.values, head.dim * C);
  const Z = new Float64Array(X.rows * C);
  logits(X, theta, C, Z);
  const out = new Float32Array(X.rows * C);
  for (let i = 0; i < X.rows; i++) {
    const o = i * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) if (Z[o + c] > m) m = Z[o + c];
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(Z[o + c] - m);
    for (let c = 0; c < C; c++) out[o + c] = Math.exp(Z[o + c] - m) / sum;
  }
  return out;
}
