// A long list of row ids as one string plus its end offsets. IndexedDB (and
// postMessage) clone an array of a million strings one string at a time, in
// one task (~170 ms at a million ids), and hand back a million fresh strings;
// one string and one typed array clone as two blocks of bytes. Used for the
// row ids of stored corpus predictions: readers walk them by position
// (idIs) and build an id string only when they need one. The loops are Steps
// (yield.ts): run at once for a few ids, in slices for a corpus.
import type { Reason } from './guards';
import { runNow, runSliced, STEP_ROWS, Slicer, type Steps } from './yield';

export interface PackedIds {
  /** Every id, one after the other. */
  text: string;
  /** Where each id ends in `text` (UTF-16 units): id i is text.slice(ends[i-1] ?? 0, ends[i]). */
  ends: Uint32Array;
}

/** Packs the id of every item, in order, a step of ids joined at a time (joining a million at once held the page ~100 ms). */
function* packing<T>(items: readonly T[], idOf: (item: T) => string): Steps<PackedIds> {
  const ends = new Uint32Array(items.length);
  const parts: string[] = [];
  let at = 0;
  for (let from = 0; from < items.length; from += STEP_ROWS) {
    const part = items.slice(from, from + STEP_ROWS).map((item) => idOf(item));
    for (let k = 0; k < part.length; k++) ends[from + k] = at += part[k].length;
    parts.push(part.join(''));
    yield;
  }
  return { text: parts.join(''), ends };
}

/** Packs the id of every item (order kept), in slices. */
export function packIds<T>(items: readonly T[], idOf: (item: T) => string, slicer = new Slicer()): Promise<PackedIds> {
  return runSliced(packing(items, idOf), slicer);
}

/** Packs a short list at once (tests, fixtures). */
export function packIdList(ids: readonly string[]): PackedIds {
  return runNow(packing(ids, (id) => id));
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

/** Why `v` is not usable PackedIds, or null. */
export function packedIdsProblem(v: unknown): Reason {
  const p = v as Partial<PackedIds> | null;
  if (typeof p?.text !== 'string' || !(p.ends instanceof Uint32Array)) return 'its row ids are missing';
  const { text, ends } = p as PackedIds;
  // Offsets only grow and the last one closes the text (a typed-array pass: ~1 ms at a million ids).
  for (let i = 1; i < ends.length; i++) if (ends[i] < ends[i - 1]) return 'its row ids are garbled';
  return (ends.length === 0 ? 0 : ends[ends.length - 1]) === text.length ? null : 'its row ids are garbled';
}

/** Each id's place (an id packed twice: its last). */
export function* idIndex(p: PackedIds): Steps<Map<string, number>> {
  const byId = new Map<string, number>();
  for (let i = 0; i < p.ends.length; i++) {
    byId.set(idAt(p, i), i);
    if (i % STEP_ROWS === 0) yield;
  }
  return byId;
}

/** positionsOf's loop. */
function* placing(p: PackedIds, n: number, idOf: (r: number) => string): Steps<Int32Array | null> {
  if (n === p.ends.length) {
    let r = 0;
    for (; r < n && idIs(p, r, idOf(r)); r++) if (r % STEP_ROWS === 0) yield;
    if (r === n) return null;
  }
  const byId = yield* idIndex(p);
  const at = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    at[r] = byId.get(idOf(r)) ?? -1;
    if (r % STEP_ROWS === 0) yield;
  }
  return at;
}

/**
 * Where each of `n` rows (row r's id: `idOf(r)`) stands in `p`, in slices:
 * null when row r is entry r for every r (labelCorpus stores them in the
 * rows' order, so this is the usual answer, found without building a
 * string), else each row's place (−1: absent), through idIndex.
 */
export function positionsOf(p: PackedIds, n: number, idOf: (r: number) => string, slicer = new Slicer()): Promise<Int32Array | null> {
  return runSliced(placing(p, n, idOf), slicer);
}
