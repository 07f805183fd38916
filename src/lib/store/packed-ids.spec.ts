import { describe, expect, it } from 'vitest';
import { idAt, idCount, idIs, idIndex, packedIdsProblem, packIdList, packIds, positionsOf, type PackedIds } from './packed-ids';
import { runNow } from './yield';
import { Slicer } from './yield';

const unpack = (p: PackedIds) => Array.from({ length: idCount(p) }, (_, i) => idAt(p, i));
const counting = () => {
  const s = { pauses: 0, slicer: new Slicer(async () => void s.pauses++, 0) };
  return s;
};

describe('packed ids', () => {
  it('round-trips any ids, empty and non-ASCII ones included, in order', async () => {
    const ids = ['r1', '', 'ünïcødé', '😀 two units', 'a,b\nc', '0'];
    const p = await packIds(ids, (s) => s);
    expect(idCount(p)).toBe(ids.length);
    expect(p).toEqual(packIdList(ids));
    expect(unpack(p)).toEqual(ids);
  });

  it('packs from any items a part at a time, yielding between slices', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => ({ id: `row-${i}` }));
    const packing = counting();
    const p = await packIds(rows, (r) => r.id, packing.slicer);
    expect(packing.pauses).toBeGreaterThan(0);
    const whole = packIdList(rows.map((r) => r.id));
    expect(p.text).toBe(whole.text);
    expect(p.ends.every((e, i) => e === whole.ends[i])).toBe(true);
  });

  it('survives a structured clone as one string and one typed array', async () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `row-${i}`);
    const cloned = structuredClone(await packIds(ids, (s) => s));
    expect(typeof cloned.text).toBe('string');
    expect(cloned.ends).toBeInstanceOf(Uint32Array);
    expect(unpack(cloned)).toEqual(ids);
  });

  it('tells whether the i-th id is a given one, out of range and prefixes included', () => {
    const p = packIdList(['ab', 'c', '', 'abc']);
    expect([idIs(p, 0, 'ab'), idIs(p, 0, 'a'), idIs(p, 0, 'abc'), idIs(p, 1, 'c'), idIs(p, 2, ''), idIs(p, 3, 'abc')]).toEqual([
      true,
      false,
      false,
      true,
      true,
      true,
    ]);
    expect([idIs(p, -1, 'ab'), idIs(p, 4, '')]).toEqual([false, false]);
  });

  it('names packed ids that are missing or garbled', () => {
    const p = packIdList(['a', 'bc']);
    expect(packedIdsProblem(p)).toBeNull();
    expect(packedIdsProblem(packIdList([]))).toBeNull();
    expect(packedIdsProblem(['a', 'bc'])).toBe('its row ids are missing');
    expect(packedIdsProblem({ text: 'abc', ends: [1, 3] })).toBe('its row ids are missing');
    expect(packedIdsProblem({ text: 'abc', ends: Uint32Array.from([2, 1]) })).toBe('its row ids are garbled');
    expect(packedIdsProblem({ text: 'abcd', ends: Uint32Array.from([1, 3]) })).toBe('its row ids are garbled');
  });
});

describe('idIndex and positionsOf', () => {
  const p = packIdList(['a', 'b', 'c']);
  const of = (ids: string[]) => (r: number) => ids[r];

  it('index each id by its place, the last of an id packed twice', () => {
    expect(runNow(idIndex(packIdList(['a', 'b', 'a'])))).toEqual(
      new Map([
        ['a', 2],
        ['b', 1],
      ]),
    );
  });

  it('is null when the rows are the packed ids in order', async () => {
    expect(await positionsOf(p, 3, of(['a', 'b', 'c']))).toBeNull();
  });

  it('maps each row to its entry otherwise (−1: none), for reordered, fewer or more rows', async () => {
    expect(Array.from((await positionsOf(p, 3, of(['c', 'a', 'b'])))!)).toEqual([2, 0, 1]);
    expect(Array.from((await positionsOf(p, 2, of(['a', 'b'])))!)).toEqual([0, 1]);
    expect(Array.from((await positionsOf(p, 4, of(['a', 'b', 'c', 'd'])))!)).toEqual([0, 1, 2, -1]);
  });

  it('yields between slices on a long corpus', async () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `${i}`);
    const packed = packIdList(ids);
    const same = counting();
    expect(await positionsOf(packed, ids.length, of(ids), same.slicer)).toBeNull();
    expect(same.pauses).toBeGreaterThan(0);
    const moved = counting();
    const reversed = [...ids].reverse();
    expect((await positionsOf(packed, ids.length, of(reversed), moved.slicer))![0]).toBe(ids.length - 1);
    expect(moved.pauses).toBeGreaterThan(same.pauses);
  });
});
