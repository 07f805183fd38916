import { describe, expect, it } from 'vitest';
import { binomialCdf, chiSquare1Sf, erfc, mcnemar, mcnemarFromCounts } from './mcnemar';

/** Test items with b discordant A-right/B-wrong, c the reverse, plus concordant ones. */
function items(b: number, c: number, bothRight: number, bothWrong: number) {
  const yTrue: number[] = [];
  const a: number[] = [];
  const bb: number[] = [];
  const push = (t: number, pa: number, pb: number, k: number) => {
    for (let i = 0; i < k; i++) {
      yTrue.push(t);
      a.push(pa);
      bb.push(pb);
    }
  };
  push(1, 1, 0, b);
  push(0, 1, 0, c);
  push(1, 1, 1, bothRight);
  push(0, 1, 1, bothWrong);
  return { yTrue, a, b: bb };
}

describe('special functions (reference values from scipy 1.17)', () => {
  it('erfc', () => {
    expect(erfc(0)).toBe(1);
    expect(erfc(0.1)).toBeCloseTo(0.8875370839817152, 14);
    expect(erfc(1.5) / 0.03389485352468927).toBeCloseTo(1, 12);
    expect(erfc(2.5) / 0.00040695201744495886).toBeCloseTo(1, 12);
    expect(erfc(4) / 1.541725790028002e-8).toBeCloseTo(1, 12);
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 14);
  });

  it('chi-square(1) survival function at textbook critical values', () => {
    expect(chiSquare1Sf(3.841458820694124)).toBeCloseTo(0.05, 12);
    expect(chiSquare1Sf(6.634896601021214)).toBeCloseTo(0.01, 12);
    expect(chiSquare1Sf(10.827566170662733)).toBeCloseTo(0.001, 12);
    expect(chiSquare1Sf(1)).toBeCloseTo(0.31731050786291115, 12);
    expect(chiSquare1Sf(0.5)).toBeCloseTo(0.47950012218695337, 12);
    expect(chiSquare1Sf(50) / 1.537459794428033e-12).toBeCloseTo(1, 10);
    expect(chiSquare1Sf(0)).toBe(1);
  });

  it('binomial CDF', () => {
    // P(X <= 2), X ~ Bin(12, 1/2) = (1 + 12 + 66) / 4096
    expect(binomialCdf(2, 12, 0.5)).toBeCloseTo(79 / 4096, 14);
    expect(binomialCdf(12, 12, 0.5)).toBe(1);
    expect(binomialCdf(-1, 12, 0.5)).toBe(0);
    // P(X <= 1), X ~ Bin(3, 0.2) = 0.8^3 + 3 * 0.2 * 0.8^2 = 0.512 + 0.384
    expect(binomialCdf(1, 3, 0.2)).toBeCloseTo(0.896, 14);
  });
});

describe('mcnemar', () => {
  it('uses the exact test for b = 10, c = 2: p = 2 * 79/4096 = 0.0386', () => {
    const { yTrue, a, b } = items(10, 2, 30, 5);
    const r = mcnemar(yTrue, a, b);
    expect(r.b).toBe(10);
    expect(r.c).toBe(2);
    expect(r.exact).toBe(true);
    expect(r.statistic).toBe(2);
    expect(r.pValue).toBeCloseTo(0.03857421875, 12);
    expect(r.pValue.toFixed(4)).toBe('0.0386');
  });

  it('is symmetric in A and B', () => {
    const { yTrue, a, b } = items(10, 2, 30, 5);
    const r = mcnemar(yTrue, b, a);
    expect([r.b, r.c]).toEqual([2, 10]);
    expect(r.pValue).toBeCloseTo(0.03857421875, 12);
  });

  it('exact two-sided p for b = 5, c = 19 (scipy binomtest: 0.006610751152038574)', () => {
    expect(mcnemarFromCounts(5, 19).pValue).toBeCloseTo(0.006610751152038574, 14);
  });

  it('gives p = 1 without discordant items or with b = c', () => {
    expect(mcnemarFromCounts(0, 0)).toEqual({ b: 0, c: 0, statistic: 0, pValue: 1, exact: true });
    expect(mcnemarFromCounts(6, 6).pValue).toBe(1);
  });

  it('uses the continuity-corrected chi-square from b + c = 25', () => {
    // (|15 - 10| - 1)^2 / 25 = 16/25 = 0.64; scipy chi2.sf(0.64, 1) = 0.4237107971667936
    const r = mcnemarFromCounts(15, 10);
    expect(r.exact).toBe(false);
    expect(r.statistic).toBeCloseTo(0.64, 14);
    expect(r.pValue).toBeCloseTo(0.4237107971667936, 12);
  });

  it('matches the textbook example b = 121, c = 59', () => {
    // (|121 - 59| - 1)^2 / 180 = 3721 / 180 = 20.672; p = 5.450094825427117e-06
    const { yTrue, a, b } = items(121, 59, 101, 33);
    const r = mcnemar(yTrue, a, b);
    expect(r.statistic).toBeCloseTo(3721 / 180, 12);
    expect(r.pValue / 5.450094825427117e-6).toBeCloseTo(1, 10);
  });

  it('rejects misaligned predictions', () => {
    expect(() => mcnemar([0, 1], [0, 1], [0])).toThrow(/same 2 test items/);
  });
});
