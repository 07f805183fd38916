import { describe, expect, it } from 'vitest';
import { searchRows } from './search';
import { Slicer } from '../store/yield';
import type { DataRow } from './types';

const rows: DataRow[] = Array.from({ length: 500 }, (_, i) => ({
  id: String(i),
  text: i % 50 === 0 ? `The CHARGER broke (${i})` : `text ${i}`,
  human: null,
  hash: String(i),
}));

describe('searchRows', () => {
  it('finds texts case-insensitively, in order, and every row for a blank query', async () => {
    expect((await searchRows(rows, '  Charger '))!.map((r) => r.id)).toEqual([
      '0',
      '50',
      '100',
      '150',
      '200',
      '250',
      '300',
      '350',
      '400',
      '450',
    ]);
    expect(await searchRows(rows, ' ')).toHaveLength(500);
  });

  it('gives up when a newer search supersedes it between slices', async () => {
    let pauses = 0;
    const slicer = new Slicer(async () => void pauses++, 0);
    expect(await searchRows(rows, 'charger', () => pauses >= 2, slicer)).toBeNull();
    expect(pauses).toBe(2);
  });
});
