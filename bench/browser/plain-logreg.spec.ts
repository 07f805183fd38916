import { describe, expect, it } from 'vitest';
import { makeBlobs } from '../../src/lib/train/synthetic';
import { fitPlainLogreg, predictPlain } from './plain-logreg';

describe('fitPlainLogreg', () => {
  it('learns separable blobs and lowers the loss with more epochs', () => {
    const { X, y } = makeBlobs({ n: 300, dim: 16, nClasses: 3, separation: 4, seed: 3 });
    const short = fitPlainLogreg({ X, dim: 16, y, nClasses: 3, lr: 1e-2, batchSize: 16, epochs: 1, seed: 1 });
    const long = fitPlainLogreg({ X, dim: 16, y, nClasses: 3, lr: 1e-2, batchSize: 16, epochs: 20, seed: 1 });
    expect(long.loss).toBeLessThan(short.loss);
    const pred = predictPlain(long.model, X);
    const acc = pred.reduce((s, p, i) => s + (p === y[i] ? 1 : 0), 0) / y.length;
    expect(acc).toBeGreaterThan(0.95);
  });

  it('is deterministic for a seed and rejects misshapen input', () => {
    const { X, y } = makeBlobs({ n: 50, dim: 4, nClasses: 2, separation: 3, seed: 9 });
    const a = fitPlainLogreg({ X, dim: 4, y, nClasses: 2, lr: 1e-2, batchSize: 8, epochs: 3, seed: 5 });
    const b = fitPlainLogreg({ X, dim: 4, y, nClasses: 2, lr: 1e-2, batchSize: 8, epochs: 3, seed: 5 });
    expect(Array.from(a.model.W)).toEqual(Array.from(b.model.W));
    expect(() => fitPlainLogreg({ X: X.subarray(1), dim: 4, y, nClasses: 2, lr: 1e-2, batchSize: 8, epochs: 1, seed: 5 })).toThrow(
      RangeError,
    );
  });
});
