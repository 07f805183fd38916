import { describe, expect, it } from 'vitest';
import { aucOf, binaryAuc } from './auc';

describe('binaryAuc', () => {
  it('is 1 for a perfect ranking, 0 for an inverted one and 0.5 for all ties', () => {
    expect(binaryAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], 1)).toBe(1);
    expect(binaryAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1], 1)).toBe(0);
    expect(binaryAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], 1)).toBe(0.5);
  });
  it('matches scikit-learn roc_auc_score on a small case with ties', () => {
    // roc_auc_score([0,1,1,0,1,0], [0.1,0.4,0.35,0.4,0.8,0.2]) = 0.8333…
    expect(binaryAuc([0, 1, 1, 0, 1, 0], [0.1, 0.4, 0.35, 0.4, 0.8, 0.2], 1)).toBeCloseTo(0.8333333, 6);
  });
  it('is null when one side is empty, and skips rows without a label', () => {
    expect(binaryAuc([1, 1], [0.2, 0.3], 1)).toBeNull();
    expect(binaryAuc([0, -1, 1], [0.1, 0.9, 0.8], 1)).toBe(1);
  });
});

describe('aucOf', () => {
  it('reads the positive column, or averages one-vs-rest without a positive class', () => {
    const probs = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4];
    expect(aucOf([0, 1, 0], probs, 2, 1)).toBe(1);
    const p3 = [0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8];
    expect(aucOf([0, 1, 2], p3, 3, null)).toBe(1);
  });
});
