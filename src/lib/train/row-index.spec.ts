import { describe, expect, it } from 'vitest';
import { RowIndex } from './row-index';
import { runSliced, Slicer } from '../store/yield';

const rows = Array.from({ length: 3000 }, (_, i) => ({ id: i % 7 === 0 ? `é-${i}` : `row ${i}` }));

describe('RowIndex', () => {
  it('finds every row by id, and nothing else', () => {
    const index = RowIndex.of(rows);
    expect(index.size).toBe(rows.length);
    for (const [i, r] of rows.entries()) {
      expect(index.get(r.id)).toBe(r);
      expect(index.indexOf(r.id)).toBe(i);
    }
    expect(index.has('row 3000')).toBe(false);
    expect(index.get('')).toBeUndefined();
    expect(index.indexOf('nope')).toBe(-1);
  });

  it('answers as a Map would for a repeated id (the last row wins) and for no rows', () => {
    const dup = [
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
      { id: 'a', n: 3 },
    ];
    const index = RowIndex.of(dup);
    const map = new Map(dup.map((r) => [r.id, r]));
    expect(index.size).toBe(map.size);
    expect(index.get('a')).toBe(map.get('a'));
    expect(RowIndex.of([]).has('a')).toBe(false);
  });

  it('builds in slices to the same index', async () => {
    const many = Array.from({ length: 40_000 }, (_, i) => ({ id: `r${i}` }));
    let pauses = 0;
    const index = await runSliced(RowIndex.build(many), new Slicer(async () => void pauses++, 0));
    expect(pauses).toBeGreaterThan(0);
    expect(many.every((r) => index.get(r.id) === r)).toBe(true);
  });
});
