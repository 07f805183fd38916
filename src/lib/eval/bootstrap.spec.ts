import { describe, expect, it } from 'vitest';
import {
  accuracyStat,
  bootstrapCI,
  f1Stat,
  macroF1Stat,
  metricsWithCI,
  pairedDiffCI,
  precisionStat,
  quantileSorted,
  recallStat,
} from './bootstrap';
import { mulberry32 } from '../data/rng';

/** n items, ~30% positive, predictions right with probability `acc`. */
function synthetic(n: number, acc: number, seed: number) {
  const rand = mulberry32(seed);
  const yTrue = new Int32Array(n);
  const yPred = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    yTrue[i] = rand() < 0.3 ? 1 : 0;
    yPred[i] = rand() < acc ? yTrue[i] : 1 - yTrue[i];
  }
  return { yTrue, yPred };
}

describe('quantileSorted', () => {
  it('interpolates linearly like numpy', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5); // h = 3 * 0.5 = 1.5
    expect(quantileSorted([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 12); // h = 0.075
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });
});

describe('bootstrapCI', () => {
  const { yTrue, yPred } = synthetic(500, 0.8, 7);

  it('is deterministic under a seed and changes with it', () => {
    const a = bootstrapCI(yTrue, yPred, accuracyStat(2), { seed: 42, resamples: 300 });
    const b = bootstrapCI(yTrue, yPred, accuracyStat(2), { seed: 42, resamples: 300 });
    const c = bootstrapCI(yTrue, yPred, accuracyStat(2), { seed: 43, resamples: 300 });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('gives an interval that contains the estimate and has a plausible width', () => {
    const ci = bootstrapCI(yTrue, yPred, accuracyStat(2), { seed: 1 });
    expect(ci.lo).toBeLessThanOrEqual(ci.estimate);
    expect(ci.hi).toBeGreaterThanOrEqual(ci.estimate);
    // Binomial SE at p ~ 0.8, n = 500 is ~0.018: a 95% interval is ~0.07 wide.
    expect(ci.hi - ci.lo).toBeGreaterThan(0.04);
    expect(ci.hi - ci.lo).toBeLessThan(0.1);
  });

  it('narrows with alpha = 0.2 compared with 0.05', () => {
    const wide = bootstrapCI(yTrue, yPred, accuracyStat(2), { seed: 3 });
    const narrow = bootstrapCI(yTrue, yPred, accuracyStat(2), { seed: 3, alpha: 0.2 });
    expect(narrow.hi - narrow.lo).toBeLessThan(wide.hi - wide.lo);
  });

  it('returns NaN bounds for no items and rejects bad options', () => {
    const ci = bootstrapCI([], [], accuracyStat(2));
    expect(ci.estimate).toBe(0);
    expect(ci.lo).toBeNaN();
    expect(() => bootstrapCI(yTrue, yPred, accuracyStat(2), { resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapCI(yTrue, yPred, accuracyStat(2), { alpha: 1.5 })).toThrow(RangeError);
  });
});

describe('metricsWithCI', () => {
  const { yTrue, yPred } = synthetic(400, 0.75, 11);

  it('draws the same resamples as bootstrapCI, so its fast path matches the generic one', () => {
    const opts = { seed: 9, resamples: 200 };
    const { metrics, ci } = metricsWithCI(yTrue, yPred, 2, 1, opts);
    expect(ci.accuracy).toEqual(bootstrapCI(yTrue, yPred, accuracyStat(2), opts));
    expect(ci.f1).toEqual(bootstrapCI(yTrue, yPred, f1Stat(2, 1), opts));
    expect(ci.macroF1).toEqual(bootstrapCI(yTrue, yPred, macroF1Stat(2), opts));
    expect(ci.accuracy.estimate).toBe(metrics.accuracy);
    for (const c of [ci.accuracy, ci.precision, ci.recall, ci.f1, ci.macroF1]) {
      expect(c).not.toBeNull();
      expect(c!.lo).toBeLessThanOrEqual(c!.estimate);
      expect(c!.hi).toBeGreaterThanOrEqual(c!.estimate);
    }
  });

  it('has null positive-class CIs without a positive class', () => {
    const { ci } = metricsWithCI(yTrue, yPred, 2, null, { resamples: 50 });
    expect(ci.precision).toBeNull();
    expect(ci.recall).toBeNull();
    expect(ci.f1).toBeNull();
    expect(ci.macroF1.hi).toBeGreaterThanOrEqual(ci.macroF1.lo);
  });

  it('handles 1,000 resamples of 1,000 items', () => {
    const big = synthetic(1000, 0.8, 5);
    const { ci } = metricsWithCI(big.yTrue, big.yPred, 2, 1, { resamples: 1000, seed: 2 });
    expect(ci.f1!.hi).toBeGreaterThan(ci.f1!.lo);
  });
});

describe('pairedDiffCI', () => {
  const { yTrue, yPred } = synthetic(300, 0.7, 21);

  it('is positive when A is better and negative when it is worse', () => {
    const stat = f1Stat(2, 1);
    const better = pairedDiffCI(yTrue, yTrue, yPred, stat, { seed: 4 });
    expect(better.estimate).toBeGreaterThan(0);
    expect(better.lo).toBeGreaterThan(0);
    const worse = pairedDiffCI(yTrue, yPred, yTrue, stat, { seed: 4 });
    expect(worse.estimate).toBeCloseTo(-better.estimate, 12);
    expect(worse.hi).toBeLessThan(0);
    // The same resamples, so the interval is exactly mirrored.
    expect(worse.lo).toBeCloseTo(-better.hi, 12);
  });

  it('is exactly zero for identical classifiers', () => {
    const d = pairedDiffCI(yTrue, yPred, yPred, accuracyStat(2), { seed: 4, resamples: 100 });
    expect(d).toEqual({ estimate: 0, lo: 0, hi: 0 });
  });

  it('rejects misaligned inputs', () => {
    expect(() => pairedDiffCI([0, 1], [0, 1], [0], accuracyStat(2))).toThrow(RangeError);
  });
});

describe('undefined statistics in resamples', () => {
  // 20 items, 2 positive; the classifier predicts positive once (item 0, a true positive).
  const yTrue = Int32Array.from({ length: 20 }, (_, i) => (i < 2 ? 1 : 0));
  const once = Int32Array.from({ length: 20 }, (_, i) => (i === 0 ? 1 : 0));

  it('drops resamples where precision is undefined instead of counting them as 0', () => {
    const ci = bootstrapCI(yTrue, once, precisionStat(2, 1), { seed: 5, resamples: 400 });
    // Item 0 is missing from about (19/20)^20 ≈ 36% of resamples; whenever it is present, precision is 1.
    expect(ci.dropped).toBeGreaterThan(100);
    expect(ci.dropped).toBeLessThan(190);
    expect(ci).toMatchObject({ estimate: 1, lo: 1, hi: 1 });
    expect(ci.defined).toBeUndefined();
    const { ci: all } = metricsWithCI(yTrue, once, 2, 1, { seed: 5, resamples: 400 });
    expect(all.precision).toEqual(ci);
    // Recall is undefined where a resample has no positive item.
    expect(all.recall!.dropped).toBe(bootstrapCI(yTrue, once, recallStat(2, 1), { seed: 5, resamples: 400 }).dropped);
  });

  it('marks a statistic undefined on all items, with every resample dropped', () => {
    const never = new Int32Array(20);
    const { metrics, ci } = metricsWithCI(yTrue, never, 2, 1, { seed: 5, resamples: 300 });
    expect(metrics.precision).toBe(0); // computeMetrics keeps scikit-learn's zero_division=0
    expect(ci.precision).toMatchObject({ estimate: 0, defined: false, dropped: 300 });
    expect(ci.precision!.lo).toBeNaN();
    expect(ci.precision!.hi).toBeNaN();
    // F1 is defined (2TP / (2TP + FP + FN) = 0 with two positives) wherever a resample has a positive item.
    expect(ci.f1!.defined).toBeUndefined();
    expect(ci.f1).toMatchObject({ estimate: 0, lo: 0, hi: 0 });
    const generic = bootstrapCI(yTrue, never, precisionStat(2, 1), { seed: 5, resamples: 300 });
    expect(generic.estimate).toBeNaN();
    expect(generic).toMatchObject({ defined: false, dropped: 300 });
  });

  it('leaves intervals without undefined resamples exactly as before', () => {
    const { yTrue: t, yPred: p } = synthetic(300, 0.8, 2);
    const { ci } = metricsWithCI(t, p, 2, 1, { seed: 1, resamples: 200 });
    for (const c of [ci.accuracy, ci.precision!, ci.recall!, ci.f1!, ci.macroF1])
      expect(Object.keys(c).sort()).toEqual(['estimate', 'hi', 'lo']);
  });
});
