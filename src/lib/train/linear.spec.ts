import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fitLogReg, lbfgs, predictLinear } from './linear';
import { dense, type CsrMatrix } from './matrix';
import { csrFromRows } from './synthetic';

// A small fixed problem; the expected values were computed once with
// scikit-learn 1.2.1 (Debian python3-sklearn): LogisticRegression(C, class_weight,
// tol=1e-12, max_iter=100000) — lbfgs, L2, unpenalised intercept; multinomial for 3 classes.
const ROWS = [
  [0.5, -1.2, 0.3, 2.0],
  [1.5, 0.2, -0.7, 0.1],
  [-0.3, 0.8, 1.1, -1.0],
  [2.2, -0.5, 0.0, 0.4],
  [-1.1, -0.9, 0.6, 0.9],
  [0.0, 1.7, -1.3, 0.2],
  [1.0, 1.0, 1.0, -0.5],
  [-2.0, 0.3, 0.5, 1.5],
  [0.7, -0.2, -1.8, -0.3],
  [-0.6, -1.5, 0.9, 0.0],
  [1.3, 0.6, 0.4, 1.1],
  [-0.9, 1.2, -0.4, -1.6],
];
const X = dense(Float32Array.from(ROWS.flat()), 4);
const Y_BIN = Int32Array.from([1, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1]);
const Y_MULTI = Int32Array.from([0, 1, 2, 1, 0, 2, 1, 0, 1, 1, 0, 1]);

type Ref = { coef: number[][]; intercept: number[]; proba: number[][] };
const SKLEARN: Record<string, Ref> = {
  'binary|0.3|none': {
    coef: [[0.696745, -0.002442, -0.197077, -0.064973]],
    intercept: [0.278195],
    proba: [
      [0.391639, 0.608361],
      [0.189344, 0.810656],
      [0.521136, 0.478864],
    ],
  },
  'binary|0.3|balanced': {
    coef: [[0.710963, -0.015661, -0.190866, -0.056294]],
    intercept: [-0.005239],
    proba: [
      [0.450367, 0.549633],
      [0.233966, 0.766034],
      [0.59501, 0.40499],
    ],
  },
  'binary|3|none': {
    coef: [[1.734231, -0.280041, -0.436866, -0.429128]],
    intercept: [0.357103],
    proba: [
      [0.361017, 0.638983],
      [0.040491, 0.959509],
      [0.607931, 0.392069],
    ],
  },
  'binary|3|balanced': {
    coef: [[1.788436, -0.306509, -0.402942, -0.410244]],
    intercept: [0.063942],
    proba: [
      [0.405017, 0.594983],
      [0.050867, 0.949133],
      [0.67935, 0.32065],
    ],
  },
  'multi|0.3|none': {
    coef: [
      [-0.171593, -0.117358, 0.175143, 0.635984],
      [0.28546, -0.262026, -0.141898, -0.472303],
      [-0.113866, 0.379384, -0.033245, -0.163681],
    ],
    intercept: [-0.090622, 0.652632, -0.562009],
    proba: [
      [0.725326, 0.225951, 0.048723],
      [0.157875, 0.71537, 0.126755],
      [0.163805, 0.571705, 0.26449],
    ],
  },
  'multi|0.3|balanced': {
    coef: [
      [-0.152483, -0.188602, 0.185567, 0.640089],
      [0.288215, -0.289958, -0.151065, -0.388565],
      [-0.135732, 0.47856, -0.034501, -0.251524],
    ],
    intercept: [-0.142696, 0.250068, -0.107372],
    proba: [
      [0.760644, 0.183206, 0.05615],
      [0.181637, 0.583082, 0.235281],
      [0.149772, 0.346175, 0.504053],
    ],
  },
  'multi|3|none': {
    coef: [
      [-0.269048, -0.043005, 0.449795, 1.759242],
      [0.700679, -0.972651, -0.530625, -1.510381],
      [-0.431631, 1.015656, 0.08083, -0.248861],
    ],
    intercept: [-0.50276, 1.103904, -0.601145],
    proba: [
      [0.970498, 0.02583, 0.003672],
      [0.036594, 0.929391, 0.034015],
      [0.035883, 0.568751, 0.395366],
    ],
  },
  'multi|3|balanced': {
    coef: [
      [-0.238389, -0.124797, 0.504759, 1.78762],
      [0.700351, -1.01056, -0.601855, -1.422266],
      [-0.461961, 1.135357, 0.097097, -0.365354],
    ],
    intercept: [-0.53769, 0.814496, -0.276806],
    proba: [
      [0.976592, 0.020425, 0.002982],
      [0.043254, 0.901338, 0.055408],
      [0.030815, 0.32459, 0.644595],
    ],
  },
};

describe('fitLogReg matches scikit-learn', () => {
  for (const [key, ref] of Object.entries(SKLEARN)) {
    const [task, c, cw] = key.split('|');
    it(key, () => {
      const C = task === 'binary' ? 2 : 3;
      const fit = fitLogReg({
        X,
        y: task === 'binary' ? Y_BIN : Y_MULTI,
        nClasses: C,
        C: Number(c),
        classWeight: cw as 'none' | 'balanced',
        tol: 1e-7,
      });
      expect(fit.converged).toBe(true);
      const d = 4;
      if (C === 2) {
        for (let j = 0; j < d; j++) expect(fit.coef[j]).toBeCloseTo(ref.coef[0][j], 3);
        expect(fit.coef[d]).toBeCloseTo(ref.intercept[0], 3);
      } else {
        // scikit-learn stores coef_ as classes × features; ours is features × classes.
        for (let k = 0; k < C; k++) for (let j = 0; j < d; j++) expect(fit.coef[j * C + k]).toBeCloseTo(ref.coef[k][j], 3);
        // Intercepts are identified up to a constant; both solvers centre them (they start at 0 and the gradient sums to 0).
        for (let k = 0; k < C; k++) expect(fit.coef[d * C + k]).toBeCloseTo(ref.intercept[k], 3);
      }
      const p = predictLinear(fit.head, dense(X.values.slice(0, 3 * d), d));
      ref.proba.flat().forEach((v, i) => expect(Math.abs(p[i] - v)).toBeLessThan(1e-3));
    });
  }
});

describe('fitLogReg', () => {
  it('gives the same model on CSR rows as on dense rows', () => {
    const sparseRows = ROWS.map((r) => r.map((v) => (Math.abs(v) < 0.55 ? 0 : v)));
    const a = fitLogReg({ X: dense(Float32Array.from(sparseRows.flat()), 4), y: Y_MULTI, nClasses: 3, C: 1, classWeight: 'balanced' });
    const b = fitLogReg({ X: csrFromRows(sparseRows), y: Y_MULTI, nClasses: 3, C: 1, classWeight: 'balanced' });
    a.coef.forEach((v, i) => expect(b.coef[i]).toBeCloseTo(v, 8));
  });

  it('treats one-hot soft targets as hard labels, and a warm start reaches the same optimum', () => {
    const soft = new Float32Array(12 * 2);
    Y_BIN.forEach((y, i) => (soft[i * 2 + y] = 1));
    const hard = fitLogReg({ X, y: Y_BIN, nClasses: 2, C: 2, classWeight: 'none' });
    const fromSoft = fitLogReg({ X, y: soft, nClasses: 2, C: 2, classWeight: 'none' });
    const warm = fitLogReg({
      X,
      y: Y_BIN,
      nClasses: 2,
      C: 2,
      classWeight: 'none',
      init: fitLogReg({ X, y: Y_BIN, nClasses: 2, C: 0.1, classWeight: 'none' }).coef,
    });
    hard.coef.forEach((v, i) => {
      expect(fromSoft.coef[i]).toBeCloseTo(v, 6);
      expect(warm.coef[i]).toBeCloseTo(v, 3);
    });
  });

  it('is deterministic and its head is a valid softmax layer', () => {
    const a = fitLogReg({ X, y: Y_BIN, nClasses: 2, C: 1, classWeight: 'none' });
    const b = fitLogReg({ X, y: Y_BIN, nClasses: 2, C: 1, classWeight: 'none' });
    expect(Array.from(a.coef)).toEqual(Array.from(b.coef));
    expect(a.head.config.kind).toBe('linear');
    expect(a.head.layers[0].kernel.shape).toEqual([4, 2]);
    const p = predictLinear(a.head, X);
    for (let i = 0; i < 12; i++) expect(p[2 * i] + p[2 * i + 1]).toBeCloseTo(1, 6);
  });

  it('refuses bad input with a message', () => {
    expect(() => fitLogReg({ X, y: Y_BIN, nClasses: 2, C: 0, classWeight: 'none' })).toThrow(/C must be/);
    expect(() => fitLogReg({ X, y: Int32Array.from([0, 1]), nClasses: 2, C: 1, classWeight: 'none' })).toThrow(/labels for 12 rows/);
    expect(() => fitLogReg({ X, y: Int32Array.from({ length: 12 }, () => 5), nClasses: 2, C: 1, classWeight: 'none' })).toThrow(/outside/);
  });
});

describe('lbfgs', () => {
  it('minimises an ill-conditioned quadratic', () => {
    const a = [1, 100, 10000];
    const x = new Float64Array([1, 1, 1]);
    const r = lbfgs(
      (v, g) => {
        let f = 0;
        for (let i = 0; i < 3; i++) {
          f += 0.5 * a[i] * (v[i] - i) ** 2;
          g[i] = a[i] * (v[i] - i);
        }
        return f;
      },
      x,
      { tol: 1e-8, maxIter: 500 },
    );
    expect(r.converged).toBe(true);
    [0, 1, 2].forEach((i) => expect(x[i]).toBeCloseTo(i, 6));
  });
});

// A wide sparse problem (60 TF-IDF-like rows × 1,500 columns) at C = 100, where an absolute stopping rule on the
// scaled objective stops far from the optimum. Reference: scikit-learn's newton-cholesky at tol 1e-12
// (tests/fixtures/linear/make-wide-csr.py).
describe('fitLogReg on a wide CSR matrix at C = 100', () => {
  const ref = JSON.parse(readFileSync(new URL('../../../tests/fixtures/linear/wide-csr-c100.json', import.meta.url), 'utf8')) as {
    rows: number;
    cols: number;
    C: number;
    indptr: number[];
    indices: number[];
    values: number[];
    y: number[];
    none: { coef: number[]; intercept: number };
    balanced: { coef: number[]; intercept: number };
  };
  const X: CsrMatrix = {
    kind: 'csr',
    rows: ref.rows,
    cols: ref.cols,
    indptr: Int32Array.from(ref.indptr),
    indices: Int32Array.from(ref.indices),
    values: Float32Array.from(ref.values),
  };
  const y = Int32Array.from(ref.y);
  for (const cw of ['none', 'balanced'] as const) {
    it(`reaches scikit-learn's optimum (${cw} weights) and says it converged only then`, () => {
      const fit = fitLogReg({ X, y, nClasses: 2, C: ref.C, classWeight: cw });
      expect(fit.converged).toBe(true);
      let worst = 0;
      for (let j = 0; j < ref.cols; j++) worst = Math.max(worst, Math.abs(fit.coef[j] - ref[cw].coef[j]));
      expect(worst).toBeLessThan(1e-3);
      expect(fit.coef[ref.cols]).toBeCloseTo(ref[cw].intercept, 3);
    });
  }
  it('reports converged: false when the iteration limit stops it first', () => {
    const fit = fitLogReg({ X, y, nClasses: 2, C: ref.C, classWeight: 'none', maxIter: 3 });
    expect(fit.converged).toBe(false);
    expect(fit.iterations).toBe(3);
  });
});
