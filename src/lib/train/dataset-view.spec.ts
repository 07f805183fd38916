import { describe, expect, it } from 'vitest';
import { DatasetView } from './dataset-view';
import { trainingPool } from './training-rows';
import { withPool, type StoredSplits } from '../data/split';
import type { DataRow } from '../data/types';
import { Slicer, runNow, runSliced, type Steps } from '../store/yield';

const rows: DataRow[] = Array.from({ length: 40_000 }, (_, i) => ({ id: `r${i}`, text: `t${i}`, human: i % 3 ? 'a' : 'b', hash: `h${i}` }));
const stored: StoredSplits = { seed: 1, validation: ['r3', 'r10'], test: ['r7'] };
const pausing = () => {
  const s = new Slicer(async () => void s.pauses++, 0) as Slicer & { pauses: number };
  s.pauses = 0;
  return s;
};

describe('DatasetView', () => {
  it('reads what withPool and trainingPool compute, on the spot when unprepared', () => {
    const v = new DatasetView();
    const splits = v.splits(stored, rows)!;
    expect(splits).toEqual(withPool(stored, rows));
    expect(v.pool(rows, splits)).toEqual(trainingPool(rows, splits));
    expect(v.byId(rows).get('r42')).toBe(rows[42]);
    expect(v.splits(null, rows)).toBeNull();
    expect(v.pool(rows, null)).toEqual(rows);
  });

  it('keeps one answer while the rows and the held-out ids stay the same (a record read back is a new object)', () => {
    const v = new DatasetView();
    const a = v.splits(stored, rows);
    expect(v.splits(structuredClone(stored), rows)).toBe(a);
    expect(v.pool(rows, a)).toBe(v.pool(rows, a));
    expect(v.splits({ ...stored, test: ['r8'] }, rows)).not.toBe(a);
    expect(v.splits(stored, [...rows])).not.toBe(a);
  });

  it('prepare computes the same values in slices, and the reads then find them ready', async () => {
    const v = new DatasetView();
    const slicer = pausing();
    await v.prepare(rows, stored, slicer);
    expect(slicer.pauses).toBeGreaterThan(3);
    const splits = v.splits(structuredClone(stored), rows)!;
    expect(splits).toEqual(withPool(stored, rows));
    expect(v.pool(rows, splits)).toBe(v.pool(rows, splits));
    expect(v.pool(rows, splits)).toEqual(trainingPool(rows, splits));
    expect(v.byId(rows).size).toBe(rows.length);
  });

  it('an older record with its own pool keeps it (ids the rows lack are dropped from the pool rows)', async () => {
    const v = new DatasetView();
    const old = { ...stored, pool: ['r1', 'gone', 'r0'] };
    await v.prepare(rows, old, pausing());
    const splits = v.splits(old, rows)!;
    expect(splits.pool).toEqual(['r1', 'gone', 'r0']);
    expect(v.pool(rows, splits).map((r) => r.id)).toEqual(['r1', 'r0']);
  });
});

describe('Steps loops', () => {
  function* count(n: number): Steps<number> {
    let s = 0;
    for (let i = 0; i < n; i++) {
      s += i;
      yield;
    }
    return s;
  }
  it('run to the same value at once or in slices', async () => {
    const slicer = pausing();
    expect(runNow(count(1000))).toBe(499500);
    expect(await runSliced(count(1000), slicer)).toBe(499500);
    expect(slicer.pauses).toBeGreaterThan(0);
  });
});
