import { describe, expect, it } from 'vitest';
import { paddingOf, paddingWaste, planBatches } from './batching';

describe('planBatches', () => {
  const lengths = [5, 40, 6, 38, 7, 41, 5, 39];

  it('in input order, cuts fixed counts and pads each batch to its longest (the old way)', () => {
    const plan = planBatches(lengths, { sort: false, maxBatch: 2 });
    expect(plan).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ]);
    expect(paddingOf(lengths, plan)).toEqual({ realTokens: 181, paddedTokens: 316, batches: 4 });
  });

  it('sorted, runs the longest first, keeps texts × longest within the budget and pads far less', () => {
    const plan = planBatches(lengths, { tokenBudget: 90, maxBatch: 8 });
    expect(plan).toEqual([
      [5, 1],
      [7, 3],
      [4, 2, 0, 6],
    ]);
    for (const b of plan) expect(b.length * Math.max(...b.map((i) => lengths[i]))).toBeLessThanOrEqual(90);
    const sorted = paddingOf(lengths, plan);
    expect(sorted).toEqual({ realTokens: 181, paddedTokens: 188, batches: 3 });
    expect(paddingWaste(sorted)).toBeLessThan(paddingWaste(paddingOf(lengths, planBatches(lengths, { sort: false, maxBatch: 2 }))));
  });

  it('does not let very different lengths share a batch, even when the budget would', () => {
    const mixed = [200, 20, 190, 15, 18, 150];
    expect(planBatches(mixed, { tokenBudget: 100_000 })).toEqual([
      [0, 2, 5],
      [1, 4, 3],
    ]);
    expect(planBatches(mixed, { tokenBudget: 100_000, minFill: 0 })).toEqual([[0, 2, 5, 1, 4, 3]]);
    expect(
      paddingOf(mixed, [
        [0, 2, 5],
        [1, 4, 3],
      ]).paddedTokens,
    ).toBe(660);
  });

  it('uses every index once, caps the count, and gives an over-budget text a batch of its own', () => {
    const many = Array.from({ length: 100 }, (_, i) => 3 + ((i * 37) % 50));
    const plan = planBatches([...many, 500], { tokenBudget: 256, maxBatch: 16 });
    expect(plan.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 101 }, (_, i) => i));
    expect(plan[0]).toEqual([100]);
    expect(Math.max(...plan.map((b) => b.length))).toBeLessThanOrEqual(16);
    expect(planBatches([])).toEqual([]);
    expect(paddingWaste({ realTokens: 0, paddedTokens: 0 })).toBe(1);
  });
});
