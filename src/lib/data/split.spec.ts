import { describe, expect, it } from 'vitest';
import { hashText } from './hash';
import { allocate, proposeSplits, proposeSplitsSliced, sampleStratified, sortSteps, storedSplits, withPool } from './split';
import { runSliced, Slicer } from '../store/yield';
import { mulberry32, shuffleInPlace } from './rng';
import type { DataRow } from './types';

function makeRows(counts: Record<string, number>, unlabeled = 0): DataRow[] {
  const rows: DataRow[] = [];
  for (const [label, n] of Object.entries(counts)) {
    for (let i = 0; i < n; i++) rows.push({ id: `${label}-${i}`, text: `${label} ${i}`, human: label, hash: hashText(`${label} ${i}`) });
  }
  for (let i = 0; i < unlabeled; i++) rows.push({ id: `u-${i}`, text: `u ${i}`, human: null, hash: hashText(`u ${i}`) });
  return rows;
}

const labelOf = (rows: DataRow[]) => new Map(rows.map((r) => [r.id, r.human]));
const count = (ids: string[], labels: Map<string, string | null>, l: string) => ids.filter((id) => labels.get(id) === l).length;

describe('allocate', () => {
  it('is proportional, sums to n and gives every class one where possible', () => {
    expect(allocate([700, 200, 100], 100)).toEqual([70, 20, 10]);
    expect(allocate([1, 1, 98], 3)).toEqual([1, 1, 1]);
    expect(allocate([5, 5], 20)).toEqual([5, 5]);
    expect(allocate([3, 0], 2)).toEqual([2, 0]);
  });
});

describe('proposeSplits', () => {
  const rows = makeRows({ a: 600, b: 300, c: 100 }, 500);
  const labels = labelOf(rows);

  it('stratifies validation and test by label within ±1', () => {
    const { splits, notes } = proposeSplits(rows, { validation: 200, test: 300 }, 7);
    expect(splits.test).toHaveLength(300);
    expect(splits.validation).toHaveLength(200);
    for (const [l, share] of [
      ['a', 0.6],
      ['b', 0.3],
      ['c', 0.1],
    ] as const) {
      expect(Math.abs(count(splits.test, labels, l) - 300 * share)).toBeLessThanOrEqual(1);
      expect(Math.abs(count(splits.validation, labels, l) - 200 * share)).toBeLessThanOrEqual(1);
    }
    expect(notes).toEqual([]);
  });

  it('is disjoint, covers every row and keeps unlabeled rows in the pool', () => {
    const { splits } = proposeSplits(rows, { validation: 200, test: 300 }, 7);
    const all = [...splits.validation, ...splits.test, ...splits.pool];
    expect(new Set(all).size).toBe(rows.length);
    expect(all).toHaveLength(rows.length);
    expect([...splits.validation, ...splits.test].every((id) => labels.get(id) !== null)).toBe(true);
    expect(splits.pool.filter((id) => labels.get(id) === null)).toHaveLength(500);
  });

  it('is reproducible from the seed and independent of row order', () => {
    const a = proposeSplits(rows, { validation: 50, test: 50 }, 42).splits;
    const b = proposeSplits([...rows].reverse(), { validation: 50, test: 50 }, 42).splits;
    expect(new Set(b.test)).toEqual(new Set(a.test));
    expect(new Set(b.validation)).toEqual(new Set(a.validation));
    expect(proposeSplits(rows, { validation: 50, test: 50 }, 42).splits).toEqual(a);
    expect(proposeSplits(rows, { validation: 50, test: 50 }, 43).splits.test).not.toEqual(a.test);
  });

  it('shrinks sizes when there are too few labeled rows, and says so', () => {
    const small = makeRows({ a: 12, b: 8 }, 30);
    const { splits, notes } = proposeSplits(small, { validation: 200, test: 500 }, 1);
    expect(splits.validation.length + splits.test.length).toBe(10);
    expect(splits.test.length).toBeGreaterThan(splits.validation.length);
    expect(notes.join(' ')).toMatch(/Only 20 rows have a human label/);
    expect(notes.join(' ')).toMatch(/wide confidence intervals/);
    const l = labelOf(small);
    expect(count(splits.test, l, 'a')).toBeGreaterThan(0);
    expect(count(splits.test, l, 'b')).toBeGreaterThan(0);
  });

  it('without human labels has no validation or test and explains why', () => {
    const { splits, notes } = proposeSplits(makeRows({}, 10), { validation: 5, test: 5 }, 1);
    expect(splits).toEqual({ seed: 1, validation: [], test: [], pool: makeRows({}, 10).map((r) => r.id) });
    expect(notes[0]).toMatch(/No rows have a human label/);
  });
});

describe('sampleStratified', () => {
  it('samples n ids stratified and seeded, in input order', () => {
    const rows = makeRows({ a: 800, b: 200 });
    const ids = rows.map((r) => r.id);
    const labels = rows.map((r) => r.human as string);
    const s = sampleStratified(ids, labels, 250, 3);
    expect(s).toHaveLength(250);
    expect(new Set(s).size).toBe(250);
    expect(s.filter((id) => id.startsWith('a-'))).toHaveLength(200);
    expect(sampleStratified(ids, labels, 250, 3)).toEqual(s);
    expect(s).toEqual(ids.filter((id) => s.includes(id)));
    expect(sampleStratified(ids, labels, 5000, 3)).toEqual(ids);
  });
});

describe('proposeSplitsSliced', () => {
  // sliceMs 0: every check point ends a slice, so the pauses really interleave with the work.
  const eager = () => {
    const s = new Slicer(async () => void s.pauses++, 0) as Slicer & { pauses: number };
    s.pauses = 0;
    return s;
  };

  it('draws exactly the splits and notes proposeSplits draws, yielding along the way', async () => {
    const rows = shuffleInPlace(makeRows({ a: 600, b: 300, c: 100 }, 500), mulberry32(3));
    for (const [sizes, seed] of [
      [{ validation: 200, test: 300 }, 7],
      [{ validation: 400, test: 500 }, 1],
      [{ validation: 0, test: 0 }, 2],
    ] as const) {
      const slicer = eager();
      expect(await proposeSplitsSliced(rows, sizes, seed, slicer)).toEqual(proposeSplits(rows, sizes, seed));
      expect(slicer.pauses).toBeGreaterThan(10);
    }
    const unlabeled = makeRows({}, 300);
    expect(await proposeSplitsSliced(unlabeled, { validation: 5, test: 5 }, 1, eager())).toEqual(
      proposeSplits(unlabeled, { validation: 5, test: 5 }, 1),
    );
  });

  it('sorts as Array.prototype.sort does, code unit by code unit', async () => {
    const ids = ['b', 'a', 'é', 'Z', '10', '9', '\u{1F600}', '\uFFFF', '', 'a', 'ab'];
    const many = Array.from({ length: 3_000 }, (_, i) => `id-${(i * 7919) % 3001}`);
    for (const list of [ids, many, [], ['x']]) {
      const before = [...list];
      expect(await runSliced(sortSteps(list), eager())).toEqual([...list].sort());
      expect(list).toEqual(before);
    }
  });
});

describe('stored splits', () => {
  it('leave the pool out and get the same pool back from the rows', () => {
    const rows = makeRows({ a: 60, b: 30 }, 20);
    const { splits } = proposeSplits(rows, { validation: 10, test: 10 }, 5);
    const stored = storedSplits(splits);
    expect(stored).not.toHaveProperty('pool');
    expect(withPool(structuredClone(stored), rows)).toEqual(splits);
    // Records written before keep their stored pool.
    expect(withPool({ ...stored, pool: ['x'] }, rows).pool).toEqual(['x']);
  });
});
