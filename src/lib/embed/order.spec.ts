import { describe, expect, it } from 'vitest';
import { byLength, distinctRows, storageOrder } from './order';
import { VECTOR_CHUNK } from '../store/db';
import { hashText } from '../data/hash';

describe('corpus passes', () => {
  it('distinctRows keeps the first row of each hash, in row order', async () => {
    const rows = ['a', 'b', 'a', 'c', 'b', 'd'].map((t) => ({ hash: hashText(t) }));
    expect(Array.from(await distinctRows(rows))).toEqual([0, 1, 3, 5]);
    const many = Array.from({ length: 50_000 }, (_, i) => ({ hash: hashText(String(i % 30_000)) }));
    const d = await distinctRows(many);
    expect(d.length).toBe(30_000);
    expect(d[29_999]).toBe(29_999);
  });

  it('byLength sorts by length, stably, capping long ones', async () => {
    const items = Int32Array.from([10, 11, 12, 13, 14]);
    const len: Record<number, number> = { 10: 5, 11: 2, 12: 5, 13: 0, 14: 1e9 };
    expect(Array.from(await byLength(items, (i) => len[i], 100))).toEqual([13, 11, 10, 12, 14]);
  });

  it('storageOrder groups rows by stored chunk, rows without a vector last', async () => {
    const C = VECTOR_CHUNK;
    const slots = Int32Array.from([2 * C + 5, -1, 3, C, 2 * C, 7, -1]);
    expect(Array.from(await storageOrder(slots))).toEqual([2, 5, 3, 0, 4, 1, 6]);
  });
});
