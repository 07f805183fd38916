import { describe, expect, it } from 'vitest';
import { hashText } from '../../src/lib/data/hash';
import type { DataRow } from '../../src/lib/data/types';
import { paperSplits } from './quality';

const rows = (n: number): DataRow[] =>
  Array.from({ length: n }, (_, i) => ({ id: `r${i}`, text: `t${i}`, human: i % 2 ? 'yes' : 'no', hash: hashText(`t${i}`) }));

describe('paperSplits', () => {
  it('keeps 250 / 250 when at least half of the labelled rows stay in the pool', () => {
    const { splits } = paperSplits(rows(2000), 1);
    expect([splits.validation.length, splits.test.length, splits.pool.length]).toEqual([250, 250, 1500]);
  });

  it('halves a 500-row dataset instead of leaving an empty pool', () => {
    const { splits, notes } = paperSplits(rows(500), 1);
    expect([splits.validation.length, splits.test.length, splits.pool.length]).toEqual([125, 125, 250]);
    expect(notes[0]).toMatch(/125 \/ 125/);
    const held = new Set([...splits.validation, ...splits.test]);
    expect(splits.pool.some((id) => held.has(id))).toBe(false);
  });

  it('matches proposeSplits’ own shrink for 434 rows', () => {
    const { splits } = paperSplits(rows(434), 1);
    expect(splits.validation.length + splits.test.length).toBe(217);
    expect(splits.pool.length).toBe(217);
  });
});
