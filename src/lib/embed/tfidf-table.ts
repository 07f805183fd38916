// A string → id hash table looked up by a range of another string, so the
// millions of n-gram lookups of a fit or transform never allocate a substring.
// About 3× faster than a Map<string, number> at a million terms (measured on
// 100k synthetic tweets), and smaller. Plain arrays only, so a model holding
// one stays structured-cloneable.

export interface TermTable {
  /** Term text by id (ids are dense, in insertion order). */
  readonly terms: string[];
  /** Open addressing, linear probing: pairs [hash, id + 1]; id + 1 === 0 marks an empty slot. */
  slots: Int32Array;
  /** Hash by id, for rehashing on growth. */
  hashes: Int32Array;
}

/** FNV-1a over UTF-16 code units, then a murmur3 finaliser so the low bits (the slot) are well mixed. */
function hashRange(s: string, a: number, b: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = a; i < b; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** A table sized for about `expected` terms without growing. */
export function newTermTable(expected = 1 << 15): TermTable {
  let cap = 1 << 10;
  while (cap < 2 * expected) cap *= 2;
  return { terms: [], slots: new Int32Array(2 * cap), hashes: new Int32Array(Math.max(16, expected)) };
}

/** A table holding `terms`, with id = position. Throws on a duplicate. */
export function termTableOf(terms: readonly string[]): TermTable {
  const t = newTermTable(terms.length);
  for (const term of terms) {
    if (addTerm(t, term, 0, term.length) !== t.terms.length - 1) throw new RangeError(`Duplicate term "${term}".`);
  }
  return t;
}

/** Id of s[a, b) in t, or -1. */
export function findTerm(t: TermTable, s: string, a: number, b: number): number {
  const h = hashRange(s, a, b);
  const { slots, terms } = t;
  const mask = (slots.length >> 1) - 1;
  for (let j = h & mask; ; j = (j + 1) & mask) {
    const v = slots[2 * j + 1];
    if (v === 0) return -1;
    if (slots[2 * j] === h && sameText(terms[v - 1], s, a, b)) return v - 1;
  }
}

/** Id of s[a, b) in t, adding it (as a new string) when absent. */
export function addTerm(t: TermTable, s: string, a: number, b: number): number {
  const h = hashRange(s, a, b);
  const { slots, terms } = t;
  const mask = (slots.length >> 1) - 1;
  let j = h & mask;
  for (; ; j = (j + 1) & mask) {
    const v = slots[2 * j + 1];
    if (v === 0) break;
    if (slots[2 * j] === h && sameText(terms[v - 1], s, a, b)) return v - 1;
  }
  const id = terms.length;
  terms.push(s.slice(a, b));
  if (id === t.hashes.length) {
    const hashes = new Int32Array(2 * id);
    hashes.set(t.hashes);
    t.hashes = hashes;
  }
  t.hashes[id] = h;
  slots[2 * j] = h;
  slots[2 * j + 1] = id + 1;
  if (4 * terms.length > slots.length) rehash(t, slots.length); // keep the load under 1/2: double the capacity
  return id;
}

function sameText(term: string, s: string, a: number, b: number): boolean {
  if (term.length !== b - a) return false;
  for (let k = 0; k < term.length; k++) if (term.charCodeAt(k) !== s.charCodeAt(a + k)) return false;
  return true;
}

function rehash(t: TermTable, cap: number): void {
  const slots = new Int32Array(2 * cap);
  const mask = cap - 1;
  for (let id = 0; id < t.terms.length; id++) {
    const h = t.hashes[id];
    let j = h & mask;
    while (slots[2 * j + 1] !== 0) j = (j + 1) & mask;
    slots[2 * j] = h;
    slots[2 * j + 1] = id + 1;
  }
  t.slots = slots;
}
