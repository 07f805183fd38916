import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/rng';
import { decide, degenerateWarnings, f1Offset, nestedDecisions, shareOffsets, sharesOf } from './decision';
import { stratifiedKFold } from './split';

const scores = (n: number, seed: number) => {
  const r = mulberry32(seed);
  return Float64Array.from({ length: n }, () => (r() - 0.5) * 4);
};

describe('shareOffsets', () => {
  it('puts a binary threshold where the decisions give the target share', () => {
    const U = scores(500, 1);
    for (const t of [0.05, 0.23, 0.5, 0.9]) {
      const off = shareOffsets(U, 1, [1 - t, t]);
      expect(sharesOf(decide(U, 1, off), 1)[1]).toBeCloseTo(t, 2);
    }
  });
  it('reaches three-class shares to within a row or two', () => {
    const U = scores(900, 2);
    const target = [0.6, 0.3, 0.1];
    const off = shareOffsets(U, 3, target);
    expect(off[0]).toBe(0);
    sharesOf(decide(U, 3, off), 3).forEach((s, c) => expect(Math.abs(s - target[c])).toBeLessThan(3 / 300));
  });
});

describe('f1Offset', () => {
  it('finds the F1-maximising threshold for either positive class', () => {
    // Scores separate the classes perfectly at 0.
    const U = Float64Array.from([-3, -2, -1, 1, 2, 3]);
    const hard = [0, 0, 0, 1, 1, 1];
    expect(Array.from(decide(U, 1, [f1Offset(U, hard, 1)]))).toEqual(hard);
    expect(Array.from(decide(U, 1, [f1Offset(U, hard, 0)]))).toEqual(hard);
  });
  it('predicts more positives than the labels hold when the scores are weak (why it is not the default)', () => {
    const r = mulberry32(3);
    const hard = Int32Array.from({ length: 2000 }, () => (r() < 0.2 ? 1 : 0));
    const U = Float64Array.from(hard, (y) => 0.3 * y + (r() - 0.5) * 4);
    const share = sharesOf(decide(U, 1, [f1Offset(U, hard, 1)]), 1)[1];
    expect(share).toBeGreaterThan(0.5);
  });
});

describe('nestedDecisions', () => {
  it('decides each fold with a threshold fitted on the other folds only', () => {
    const r = mulberry32(4);
    const hard = Int32Array.from({ length: 300 }, () => (r() < 0.3 ? 1 : 0));
    const U = Float64Array.from(hard, (y) => y + (r() - 0.5) * 3);
    const folds = stratifiedKFold(hard, 5, 1);
    const pred = nestedDecisions('shares', U, 1, hard, 1, folds);
    expect(pred.every((p) => p === 0 || p === 1)).toBe(true);
    expect(Math.abs(sharesOf(pred, 1)[1] - sharesOf(hard, 1)[1])).toBeLessThan(0.05);
    // A fold's decisions do not change when only that fold's labels change.
    const flipped = hard.slice();
    for (const i of folds[0].val) flipped[i] = 1 - flipped[i];
    const again = nestedDecisions('shares', U, 1, flipped, 1, folds);
    for (const i of folds[0].val) expect(again[i]).toBe(pred[i]);
  });
});

describe('degenerateWarnings', () => {
  const base = { macroF1: 0.5, f1: 0.5 };
  it('names a student without signal or near-constant, in words', () => {
    const w = degenerateWarnings({ ...base, kappa: 0.01, auc: 0.52, shares: [0.04, 0.96], teacherShares: [0.4, 0.6] }, ['no', 'yes']);
    expect(w.join(' ')).toMatch(/No usable signal in these labels/);
    expect(w.join(' ')).toMatch(/“yes” 96 % of texts .* 60 %/);
  });
  it('stays quiet for a sound student, and for a rare class the teacher also finds rare', () => {
    expect(degenerateWarnings({ ...base, kappa: 0.5, auc: 0.8, shares: [0.95, 0.05], teacherShares: [0.94, 0.06] }, ['a', 'b'])).toEqual(
      [],
    );
  });
});
