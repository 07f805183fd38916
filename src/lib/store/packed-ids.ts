// A long list of row ids as one string plus its end offsets. IndexedDB (and
// postMessage) clone an array of a million strings one string at a time, in
// one task (~170 ms at a million ids) and hand back a million fresh strings;
// one string and one typed array clone as two blocks of bytes. Used for the
// row ids of stored corpus predictions: readers walk them by position
// (idIs) and materialise an id only when they need one.
import type { Reason } from './guards';
import { Slicer } from './yield';

export interface PackedIds {
  /** Every id, one after the other. */
  text: string;
  /** Where each id ends in `text` (UTF-16 units): id i is text.slice(ends[i-1] ?? 0, ends[i]). */
  ends: Uint32Array;
}

/**
 * Ids per joined part while packing: joining a million ids at once held the
 * page for ~100 ms. Small, since the Slicer reads its clock every 64 steps.
 */
const PART = 512;

/** Packs a short list at once (one part of packIds; tests and fixtures). */
export function packIdList(ids: readonly string[]): PackedIds {
  const ends = new Uint32Array(ids.length);
  let at = 0;
  for (let i = 0; i < ids.length; i++) ends[i] = at += ids[i].length;
  return { text: ids.join(''), ends };
}

/** Packs the id of every item (order kept) a part at a time, yielding between slices. */
export async function packIds<T>(items: readonly T[], idOf: (item: T) => string, slicer = new Slicer()): Promise<PackedIds> {
  const ends = new Uint32Array(items.length);
  const texts: string[] = [];
  let at = 0;
  for (let from = 0; from < items.length; from += PART) {
    const part = packIdList(items.slice(from, from + PART).map((item) => idOf(item)));
    for (let k = 0; k < part.ends.length; k++) ends[from + k] = at + part.ends[k];
    at += part.text.length;
    texts.push(part.text);
    if (slicer.due()) await slicer.next();
  }
  return { text: texts.join(''), ends };
}

/** How many ids are packed. */
export const idCount = (p: PackedIds): number => p.ends.length;

const startOf = (p: PackedIds, i: number): number => (i === 0 ? 0 : p.ends[i - 1]);

/** The i-th id. */
export function idAt(p: PackedIds, i: number): string {
  return p.text.slice(startOf(p, i), p.ends[i]);
}

/** Whether the i-th id is `id`, without building a string. */
export function idIs(p: PackedIds, i: number, id: string): boolean {
  if (i < 0 || i >= p.ends.length) return false;
  const from = startOf(p, i);
  return p.ends[i] - from === id.length && p.text.startsWith(id, from);
}

/** The ids `packIds` packed, in order, yielding between slices (for callers that need them as a list). */
export async function unpackIds(p: PackedIds, slicer = new Slicer()): Promise<string[]> {
  const ids = new Array<string>(p.ends.length);
  for (let i = 0; i < ids.length; i++) {
    ids[i] = idAt(p, i);
    if (slicer.due()) await slicer.next();
  }
  return ids;
}

/** Why `v` is not usable PackedIds, or null. */
export function packedIdsProblem(v: unknown): Reason {
  const p = v as Partial<PackedIds> | null;
  if (typeof p?.text !== 'string' || !(p.ends instanceof Uint32Array)) return 'its row ids are missing';
  const { text, ends } = p as PackedIds;
  // Offsets only grow and the last one closes the text (a typed-array pass: ~1 ms at a million ids).
  for (let i = 1; i < ends.length; i++) if (ends[i] < ends[i - 1]) return 'its row ids are garbled';
  return (ends.length === 0 ? 0 : ends[ends.length - 1]) === text.length ? null : 'its row ids are garbled';
}

/**
 * Where each of `n` rows (row r's id: `idOf(r)`) stands in `p`, for a reader
 * walking rows that must find each row's entry: null when row r is entry r
 * for every r (labelCorpus stores them in the rows' order, so this is the
 * usual answer, found by one sliced pass that builds no string), else each
 * row's position (−1: absent), through a map built in slices.
 */
export async function positionsOf(p: PackedIds, n: number, idOf: (r: number) => string, slicer = new Slicer()): Promise<Int32Array | null> {
  if (n === p.ends.length) {
    let r = 0;
    for (; r < n && idIs(p, r, idOf(r)); r++) if (slicer.due()) await slicer.next();
    if (r === n) return null;
  }
  const byId = new Map<string, number>();
  for (let i = 0; i < p.ends.length; i++) {
    byId.set(idAt(p, i), i);
    if (slicer.due()) await slicer.next();
  }
  const at = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    at[k] = byId.get(idOf(k)) ?? -1;
    if (slicer.due()) await slicer.next();
  }
  return at;
}
