import { describe, expect, it } from 'vitest';
import { consistencyHistogram, consistencyLevels, shareUnanimous } from './consistency-stats';

// Three repeats give scores 1/3, 2/3 or 1; null = not labelled; 1.5 is invalid.
const scores = [1, 1, 2 / 3, 1 / 3, null, 3 * (1 / 3), 2 / 3, 1.5, NaN];

describe('consistencyHistogram', () => {
  it('bins scores over [0, 1], last bin including 1', () => {
    const h = consistencyHistogram(scores, 3);
    expect(h.n).toBe(6);
    expect(h.missing).toBe(3);
    // bins [0, 1/3), [1/3, 2/3), [2/3, 1]: 1/3 -> bin 1, 2/3 -> bin 2, 1 -> bin 2
    expect(h.bins.map((b) => b.count)).toEqual([0, 1, 5]);
    expect(h.bins[2].share).toBeCloseTo(5 / 6, 12);
    expect(h.bins[0].lo).toBe(0);
    expect(h.bins[2].hi).toBe(1);
    expect(h.shareUnanimous).toBeCloseTo(3 / 6, 12);
    // mean = (1 + 1 + 2/3 + 1/3 + 1 + 2/3) / 6 = (14/3) / 6
    expect(h.mean).toBeCloseTo(14 / 18, 12);
  });

  it('handles no scores and rejects a bad bin count', () => {
    const h = consistencyHistogram([], 5);
    expect(h.bins).toHaveLength(5);
    expect(h.shareUnanimous).toBe(0);
    expect(h.mean).toBeNull();
    expect(() => consistencyHistogram(scores, 0)).toThrow(RangeError);
  });
});

describe('shareUnanimous / consistencyLevels', () => {
  it('counts consistency = 1 with a float tolerance', () => {
    expect(shareUnanimous(scores)).toBeCloseTo(0.5, 12);
    expect(shareUnanimous(Float32Array.from([1, 0.5]))).toBe(0.5);
  });

  it('counts each distinct level', () => {
    expect(consistencyLevels(scores)).toEqual([
      { value: 0.333333, count: 1, share: 1 / 6 },
      { value: 0.666667, count: 2, share: 2 / 6 },
      { value: 1, count: 3, share: 3 / 6 },
    ]);
  });
});
