import { describe, expect, it } from 'vitest';
import {
  accuracyStat,
  bootstrapCI,
  f1Stat,
  macroF1Stat,
  metricsWithCI,
  pairedDiffCI,
  quantileSorted,
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
