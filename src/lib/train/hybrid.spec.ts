// Hybrid features (a dense block beside a sparse one): the matrix helpers,
// the linear head reading them block by block exactly as it reads their dense
// equivalent, and the dense block's scale chosen by cross-validation with C.
import { describe, expect, it } from 'vitest';
import { fitLogReg, linearLogits, predictLinear } from './linear';
import { DEFAULT_SCALES, pickOneSE, searchLinear } from './linear-search';
import { assertMatrix, concatRows, dense, hybrid, matrixBuffers, takeMatrixRows, toDense, type HybridMatrix } from './matrix';
import { mulberry32 } from '../data/rng';
import { csrFromRows } from './synthetic';

/** n rows: a 3-wide dense block with a weak class signal, a 6-wide sparse block with cue words. */
function problem(n: number, seed: number): { X: HybridMatrix; y: Int32Array } {
  const rand = mulberry32(seed);
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  const d = new Float32Array(n * 3);
  const s: number[][] = [];
  for (let i = 0; i < n; i++) {
    const sign = y[i] === 1 ? 1 : -1;
    for (let k = 0; k < 3; k++) d[i * 3 + k] = (k === 0 ? 0.4 * sign : 0) + (rand() - 0.5);
    const row = new Array(6).fill(0);
    row[Math.floor(rand() * 6)] = 0.6 + rand() * 0.4;
    if (rand() < 0.5) row[y[i] === 1 ? 0 : 1] = 1; // cue word half of the time
    s.push(row);
  }
  return { X: hybrid(dense(d, 3), csrFromRows(s)), y };
}

describe('hybrid matrices', () => {
  const H = hybrid(
    dense(Float32Array.from([1, 2, 3, 4]), 2),
    csrFromRows([
      [0, 5, 0],
      [6, 0, 7],
    ]),
    2,
  );

  it('densify with the dense block scaled, and take, stack and transfer both blocks', () => {
    expect(H.cols).toBe(5);
    expect(Array.from(toDense(H).values)).toEqual([2, 4, 0, 5, 0, 6, 8, 6, 0, 7]);
    const back = takeMatrixRows(H, [1, 0]);
    expect(back.kind).toBe('hybrid');
    expect(Array.from(toDense(back).values)).toEqual([6, 8, 6, 0, 7, 2, 4, 0, 5, 0]);
    const both = concatRows([H, takeMatrixRows(H, [1])]);
    expect([both.rows, both.cols, Array.from(toDense(both).values.slice(10))]).toEqual([3, 5, [6, 8, 6, 0, 7]]);
    expect(matrixBuffers(H)).toHaveLength(4);
    expect(() => concatRows([H, { ...H, scale: 1 }])).toThrow(/same blocks and scale/);
    expect(() => toDense(H, 9)).toThrow(/use the linear head/);
  });

  it('refuses blocks that do not line up', () => {
    expect(() => hybrid(dense(new Float32Array(6), 2), csrFromRows([[1], [0]]))).toThrow(/3 rows but the sparse one 2/);
    expect(() => hybrid(dense(new Float32Array(2), 2), csrFromRows([[1]]), 0)).toThrow(/positive/);
    expect(() => assertMatrix({ ...H, cols: 4 })).toThrow(/do not match/);
  });
});

describe('the linear head on hybrid features', () => {
  const { X, y } = problem(60, 3);

  it('fits and predicts exactly as on the dense equivalent, for any scale, binary and multi-class', () => {
    const y3 = Int32Array.from({ length: 60 }, (_, i) => i % 3);
    for (const [labels, C] of [
      [y, 2],
      [y3, 3],
    ] as const) {
      for (const scale of [1, 0.5, 2]) {
        const H = { ...X, scale };
        const a = fitLogReg({ X: H, y: labels, nClasses: C, C: 1, classWeight: 'none', tol: 1e-9 });
        const b = fitLogReg({ X: toDense(H), y: labels, nClasses: C, C: 1, classWeight: 'none', tol: 1e-9 });
        a.coef.forEach((v, j) => expect(v).toBeCloseTo(b.coef[j], 6));
        const pa = predictLinear(a.head, H);
        const pb = predictLinear(b.head, toDense(H));
        pa.forEach((v, j) => expect(v).toBeCloseTo(pb[j], 6));
      }
    }
  });

  it('chooses the scale with C by cross-validation, and the head reads the features as given', async () => {
    // A refit is deployed here so the final head can be compared with one fit; the fold models' mean folds the scale alike.
    const res = await searchLinear({ X, y, nClasses: 2, positive: 1, seed: 1, Cs: [0.1, 1, 10], classWeights: ['none'], deploy: 'refit' });
    expect(res.scores.map((s) => s.scale)).toEqual(DEFAULT_SCALES.flatMap((v) => [v, v, v]));
    const pick = pickOneSE(res.scores, true)!;
    expect(res.best).toEqual({ C: pick.C, classWeight: 'none', scale: pick.scale });
    // The refit at the chosen scale, predicting on rows scaled the same way…
    const refit = fitLogReg({ X: { ...X, scale: res.best.scale! }, y, nClasses: 2, C: res.best.C, classWeight: 'none' });
    const want = linearLogits({ ...X, scale: res.best.scale! }, refit.coef, 2);
    // …gives the logits of the final head on X itself (scale 1): the scale is folded into its weights.
    const got = linearLogits(X, res.final.coef, 2);
    got.forEach((z, i) => expect(z).toBeCloseTo(want[i], 6));
    expect(res.calibration).toBeDefined();
  });

  it('leaves the search of other features as it was (no scale dimension)', async () => {
    const D = toDense(X);
    const res = await searchLinear({ X: D, y, nClasses: 2, positive: 1, seed: 1, Cs: [0.1, 1], scales: [0.5, 2] });
    expect(res.scores).toHaveLength(4);
    expect(res.scores.every((s) => !('scale' in s))).toBe(true);
    expect('scale' in res.best).toBe(false);
  });
});
