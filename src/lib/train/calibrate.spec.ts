import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/rng';
import { calibratedArgmax, fitCalibration } from './calibrate';
import { linearLogits, predictLinear } from './linear';
import { searchLinear } from './linear-search';
import { type CsrMatrix } from './matrix';
import { argmaxRows } from './metrics';

/** n logits and labels drawn from σ(a·z + c) (binary) or softmax(a·z + c) (C classes). */
function draw(n: number, C: number, a: number, c: number[], seed: number) {
  const r = mulberry32(seed);
  const k = C === 2 ? 1 : C;
  const Z = new Float64Array(n * k).map(() => (r() - 0.5) * 6);
  const T = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    const u = k === 1 ? [0, a * Z[i] + c[0]] : Array.from({ length: C }, (_, j) => a * Z[i * C + j] + c[j]);
    const m = Math.max(...u);
    const p = u.map((v) => Math.exp(v - m));
    const s = p.reduce((x, y) => x + y, 0);
    let t = r() * s;
    let y = 0;
    while (t > p[y] && y < C - 1) t -= p[y++];
    T[i * C + y] = 1;
  }
  return { Z, T, k };
}

describe('fitCalibration', () => {
  it('recovers the slope and intercept of a binary logistic link', () => {
    const { Z, T, k } = draw(20000, 2, 0.5, [-1], 1);
    const cal = fitCalibration(Z, k, T, 2, new Float64Array(20000).fill(1));
    expect(cal.a).toBeCloseTo(0.5, 1);
    expect(cal.c[0]).toBeCloseTo(-1, 1);
  });

  it('recovers a shared slope and per-class intercepts (c[0] = 0) for three classes', () => {
    const { Z, T, k } = draw(15000, 3, 2, [0, 1, -0.5], 2);
    const cal = fitCalibration(Z, k, T, 3, new Float64Array(15000).fill(1));
    expect(cal.a).toBeCloseTo(2, 1);
    expect(cal.c[0]).toBe(0);
    expect(cal.c[1]).toBeCloseTo(1, 1);
    expect(cal.c[2]).toBeCloseTo(-0.5, 1);
  });

  it('stays finite on perfectly separated logits (Platt smoothing)', () => {
    const Z = Float64Array.from([-3, -2, -1, 1, 2, 3]);
    const T = Float64Array.from([1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1]);
    const cal = fitCalibration(Z, 1, T, 2, new Float64Array(6).fill(1));
    expect(Number.isFinite(cal.a) && cal.a > 0 && cal.a < 20).toBe(true);
    expect(Array.from(calibratedArgmax(Z, 1, 2, cal))).toEqual([0, 0, 0, 1, 1, 1]);
  });
});

/** Wide sparse rows (each text has 15 of `cols` terms), labels weakly tied to a few "cue" terms. */
function wideSparse(n: number, cols: number, seed: number) {
  const r = mulberry32(seed);
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const terms = new Set<number>();
    while (terms.size < 15) terms.add(Math.floor(r() * cols));
    const sorted = [...terms].sort((a, b) => a - b);
    indices.push(...sorted);
    indptr[i + 1] = indices.length;
    const cues = sorted.filter((t) => t < 60).length;
    y[i] = r() < 0.15 + 0.25 * cues ? 1 : 0;
  }
  const X: CsrMatrix = {
    kind: 'csr',
    rows: n,
    cols,
    indptr,
    indices: Int32Array.from(indices),
    values: new Float32Array(indices.length).fill(1 / Math.sqrt(15)),
  };
  return { X, y };
}

describe('searchLinear with calibration', () => {
  it('the refit carries the out-of-fold calibration and the rule’s offset', async () => {
    const { X, y } = wideSparse(240, 4000, 3);
    const res = await searchLinear({ X, y, nClasses: 2, positive: 1, seed: 1, Cs: [0.1, 1, 10] });
    const fresh = wideSparse(400, 4000, 4);
    const p = argmaxRows(predictLinear(res.final.head, fresh.X), 2);
    const z = linearLogits(fresh.X, res.final.coef, 2);
    expect(Array.from(p)).toEqual(Array.from(calibratedArgmax(z, 1, 2, res.calibration)));
    for (const s of res.scores) expect(s.foldF1).toBeGreaterThanOrEqual(0);
    expect(res.calibration.a).toBeGreaterThan(0);
  });

  it('with the plain argmax rule the head is the refit itself', async () => {
    const { X, y } = wideSparse(200, 3000, 5);
    const res = await searchLinear({ X, y, nClasses: 2, positive: 1, seed: 1, Cs: [0.1, 1], decision: 'argmax' });
    expect(res.decision).toMatchObject({ rule: 'argmax', applied: 'argmax', calibration: null });
    expect(res.calibration).toEqual({ a: 1, c: [0] });
    expect(Array.from(res.final.head.layers[0].bias.values)).toEqual([0, Math.fround(res.final.coef[3000])]);
  });

  it('keeps new texts’ predicted share near the training labels’ where the uncalibrated refit collapses', async () => {
    // Wide rows, few texts: each training text is partly fitted by its own weights, so the
    // in-sample intercept is too low for unseen texts.
    const { X, y } = wideSparse(240, 20000, 7);
    const fresh = wideSparse(2000, 20000, 8);
    const share = (h: Parameters<typeof predictLinear>[0]) => argmaxRows(predictLinear(h, fresh.X), 2).reduce((a, b) => a + b, 0) / 2000;
    const trueShare = fresh.y.reduce((a, b) => a + b, 0) / 2000;
    const plain = await searchLinear({ X, y, nClasses: 2, positive: 1, seed: 1, Cs: [10], classWeights: ['none'], decision: 'argmax' });
    const cal = await searchLinear({ X, y, nClasses: 2, positive: 1, seed: 1, Cs: [10], classWeights: ['none'], decision: 'shares' });

    expect(Math.abs(share(cal.final.head) - trueShare)).toBeLessThan(Math.abs(share(plain.final.head) - trueShare));
  });
});
