// Rows by id for a dataset of up to millions of rows. A Map of a million ids
// costs ~27 MiB of entries on the page heap and leaves as much garbage behind
// while it grows; this index is one Int32Array of row positions (open
// addressing, linear probing, at most half full): ~8 MiB at a million rows,
// allocated once. It answers only what the views ask: get, has, size.
import { STEP_ROWS, runNow, type Steps } from '../store/yield';

/** What readers of rows by id need (a Map of rows is one too). */
export interface RowLookup<R> {
  get(id: string): R | undefined;
  has(id: string): boolean;
  readonly size: number;
}

/** FNV-1a over UTF-16 units: ids are short, and this needs no allocation. */
function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class RowIndex<R extends { id: string }> implements RowLookup<R> {
  /** Position in `rows` + 1 per slot; 0 = empty. */
  readonly #slots: Int32Array;
  readonly #mask: number;
  #size = 0;

  private constructor(readonly rows: readonly R[]) {
    let cap = 16;
    while (cap < rows.length * 2) cap *= 2;
    this.#slots = new Int32Array(cap);
    this.#mask = cap - 1;
  }

  /** Builds the index as a Steps loop (store/yield.ts); a repeated id keeps its last row, as Map.set would. */
  static *build<R extends { id: string }>(rows: readonly R[]): Steps<RowIndex<R>> {
    const index = new RowIndex(rows);
    for (let i = 0; i < rows.length; i++) {
      index.#insert(i);
      if (i % STEP_ROWS === 0) yield;
    }
    return index;
  }

  /** Builds it at once. */
  static of<R extends { id: string }>(rows: readonly R[]): RowIndex<R> {
    return runNow(RowIndex.build(rows));
  }

  get size(): number {
    return this.#size;
  }

  #slotOf(id: string): number {
    for (let s = hashId(id) & this.#mask; ; s = (s + 1) & this.#mask) {
      const at = this.#slots[s];
      if (at === 0 || this.rows[at - 1].id === id) return s;
    }
  }

  #insert(i: number): void {
    const s = this.#slotOf(this.rows[i].id);
    if (this.#slots[s] === 0) this.#size++;
    this.#slots[s] = i + 1;
  }

  /** The row's position in `rows`, or -1. */
  indexOf(id: string): number {
    return this.#slots[this.#slotOf(id)] - 1;
  }

  get(id: string): R | undefined {
    const at = this.indexOf(id);
    return at < 0 ? undefined : this.rows[at];
  }

  has(id: string): boolean {
    return this.indexOf(id) >= 0;
  }
}
