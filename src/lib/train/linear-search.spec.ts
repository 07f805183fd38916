import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/rng';
import { searchLinear, pickOneSE, type LinearScore } from './linear-search';
import { predictLinear } from './linear';
import { type CsrMatrix } from './matrix';

/** Sparse rows of 12 of `cols` terms, a share `signal` of them cues of the row's label (prevalence `base`). */
function rows(n: number, cols: number, base: number, signal: number, seed: number) {
  const r = mulberry32(seed);
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = r() < base ? 1 : 0;
    const terms = new Set<number>();
    // Each term is, with probability `signal`, one of the 20 cue columns of the row's class.
    while (terms.size < 12) terms.add(r() < signal ? y[i] * 20 + Math.floor(r() * 20) : 40 + Math.floor(r() * (cols - 40)));
    const sorted = [...terms].sort((a, b) => a - b);
    indices.push(...sorted);
    indptr[i + 1] = indices.length;
  }
  const X: CsrMatrix = {
    kind: 'csr',
    rows: n,
    cols,
    indptr,
    indices: Int32Array.from(indices),
    values: new Float32Array(indices.length).fill(1 / Math.sqrt(12)),
  };
  return { X, y };
}
const share = (p: Int32Array) => p.filter((v) => v === 1).length / p.filter((v) => v >= 0).length;
const Cs = [0.1, 1, 10];

describe('searchLinear, honest by default', () => {
  it('selects by out-of-fold log loss with the one-standard-error rule, and labels like the teacher', async () => {
    const { X, y } = rows(300, 2000, 0.2, 0.15, 1);
    const res = await searchLinear({ X, y, nClasses: 2, positive: 1, seed: 1, Cs, labelNames: ['no', 'yes'] });
    expect(res.score).toBe('logloss');
    expect(res.decision).toMatchObject({ rule: 'shares', applied: 'shares', weightedCalibration: false });
    for (const s of res.scores) expect(s.score).toBeCloseTo(-s.logLoss, 12);
    expect(res.best.C).toBe(pickOneSE(res.scores, true)!.C);
    // Out of fold (thresholds nested) the student gives "yes" to the teacher's share, within 5 points.
    expect(Math.abs(share(res.oofPreds) - share(y))).toBeLessThan(0.05);
    expect(res.diagnostics!.kappa).toBeGreaterThan(0.1);
    expect(res.warnings).toEqual([]);
  });

  it('maximising F1 of the positive class is a recorded choice that predicts more positives', async () => {
    const { X, y } = rows(300, 2000, 0.2, 0.05, 2);
    const shares = await searchLinear({ X, y, nClasses: 2, positive: 1, seed: 1, Cs });
    const f1 = await searchLinear({ X, y, nClasses: 2, positive: 1, seed: 1, Cs, decision: 'f1' });
    expect(f1.decision.applied).toBe('f1');
    expect(share(f1.oofPreds)).toBeGreaterThan(share(shares.oofPreds));
  });

  it('says "no usable signal" on labels unrelated to the texts, and never deploys a slope ≤ 0', async () => {
    const { X } = rows(240, 2000, 0.3, 0, 3);
    const r = mulberry32(9);
    const y = Int32Array.from({ length: 240 }, () => (r() < 0.3 ? 1 : 0));
    const res = await searchLinear({ X, y, nClasses: 2, positive: 1, seed: 1, Cs, labelNames: ['no', 'yes'] });
    expect(res.warnings.join(' ')).toMatch(/No usable signal in these labels/);
    if (res.decision.fallback) {
      // The slope is not used; the threshold still gives "yes" to the training labels' share.
      expect(res.decision).toMatchObject({ rule: 'shares', applied: 'shares', calibration: null });
      expect(res.calibration.a).toBe(1);
      expect(Math.abs(share(res.oofPreds) - share(y))).toBeLessThan(0.05);
    } else expect(res.decision.calibration!.a).toBeGreaterThan(0);
  });

  it('deploys the mean of the fold models, whose shares on new texts are the ones the threshold was set for', async () => {
    // Strong regularisation and a weak cue: each model's logits barely spread, so a refit's shift from the fold models
    // moves many texts across a threshold set on the fold models' out-of-fold logits.
    const { X: all, y: yAll } = rows(1400, 2000, 0.3, 0.02, 11);
    const n = 200;
    const head = (X: CsrMatrix, from: number, to: number): CsrMatrix => {
      const indptr = Int32Array.from(X.indptr.subarray(from, to + 1), (v) => v - X.indptr[from]);
      const [a, b] = [X.indptr[from], X.indptr[to]];
      return { ...X, rows: to - from, indptr, indices: X.indices.slice(a, b), values: X.values.slice(a, b) };
    };
    const X = head(all, 0, n);
    const y = yAll.slice(0, n);
    const fresh = head(all, n, all.rows);
    const newShare = async (deploy: 'bagged' | 'refit') => {
      const res = await searchLinear({ X, y, nClasses: 2, positive: 1, seed: 3, Cs: [0.01], classWeights: ['none'], deploy });
      expect(res.deploy).toBe(deploy);
      const p = predictLinear(res.final.head, fresh);
      return share(Int32Array.from({ length: fresh.rows }, (_, i) => (p[i * 2 + 1] > p[i * 2] ? 1 : 0)));
    };
    const bagged = await newShare('bagged');
    const refit = await newShare('refit');
    expect(Math.abs(bagged - share(y))).toBeLessThan(0.05);
    // The refit labels almost no text "yes" (measured: none, where the labels say 39 %).
    expect(Math.abs(refit - share(y))).toBeGreaterThan(0.2);
  });

  it("the prior-shift rule labels at the validation sample's prevalence, not the teacher's; without one it labels like the teacher", async () => {
    // The teacher over-calls "yes": 20 % of its labels where the validation sample says 35 %.
    const { X, y } = rows(300, 2000, 0.2, 0.15, 1);
    const res = await searchLinear({ X, y, nClasses: 2, positive: 1, seed: 1, Cs, decision: 'prior', priorShares: [0.65, 0.35] });
    expect(res.decision).toMatchObject({ rule: 'prior', applied: 'prior', fallback: null });
    expect(Math.abs(share(res.oofPreds) - 0.35)).toBeLessThan(0.05);
    const none = await searchLinear({ X, y, nClasses: 2, positive: 1, seed: 1, Cs, decision: 'prior' });
    expect(none.decision).toMatchObject({ rule: 'prior', applied: 'shares' });
    expect(none.warnings.join(' ')).toMatch(/No human validation labels/);
    expect(Math.abs(share(none.oofPreds) - share(y))).toBeLessThan(0.05);
    await expect(searchLinear({ X, y, nClasses: 2, positive: 1, seed: 1, Cs, decision: 'prior', priorShares: [1] })).rejects.toThrow(
      /validation sample's shares/,
    );
  });

  it('weights the calibrator only when equal priors were asked for', async () => {
    const { X, y } = rows(300, 2000, 0.12, 0.15, 4);
    const mixed = await searchLinear({
      X,
      y,
      nClasses: 2,
      positive: 1,
      seed: 1,
      Cs,
      decision: 'argmax',
      classWeights: ['none', 'balanced'],
    });
    expect(mixed.decision.weightedCalibration).toBe(false);
    const equal = await searchLinear({ X, y, nClasses: 2, positive: 1, seed: 1, Cs: [1], classWeights: ['balanced'] });
    expect(equal.decision.weightedCalibration).toBe(true);
  });

  it('macro F1 is the other selection score', async () => {
    const { X, y } = rows(200, 1500, 0.3, 0.15, 5);
    const res = await searchLinear({ X, y, nClasses: 2, positive: 1, seed: 1, Cs, score: 'macroF1' });
    expect(res.score).toBe('macroF1');
    for (const s of res.scores) expect(s.score).toBeGreaterThan(0);
  });
});

describe('pickOneSE', () => {
  const sc = (C: number, score: number, se: number) => ({ C, classWeight: 'none', score, se }) as LinearScore;
  it('takes the smallest C within one standard error of the best', () => {
    const s = [sc(0.1, -0.6, 0.02), sc(1, -0.55, 0.03), sc(10, -0.54, 0.03)];
    expect(pickOneSE(s, true)!.C).toBe(1);
    expect(pickOneSE(s, false)!.C).toBe(10);
  });
});
