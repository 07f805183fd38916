// Per-row passes the page makes over a whole corpus before and after
// embedding it: distinct texts, shortest-first order, storage order. Each is
// O(n) on typed arrays and gives the page back its thread every few thousand
// rows, so a million rows never freeze it (a comparator sort or a Set of a
// million strings would, for a second or more).
import { HashSlots } from '../store/slots';
import { VECTOR_CHUNK } from '../store/db';
import { yieldToPage } from '../store/yield';

export { yieldToPage } from '../store/yield';

/** Rows handled between two yields to the page. */
export const SLICE = 20_000;

/** Indices of the first row of each distinct hash, in row order. */
export async function distinctRows(hashes: { length: number; [i: number]: { hash: string } }): Promise<Int32Array> {
  const seen = new HashSlots();
  const out = new Int32Array(hashes.length);
  let n = 0;
  for (let i = 0; i < hashes.length; i++) {
    const h = hashes[i].hash;
    if (!seen.has(h)) {
      seen.set(h, 0);
      out[n++] = i;
    }
    if (i % SLICE === SLICE - 1) await yieldToPage();
  }
  return out.slice(0, n);
}

/** `items` reordered by `lengthOf` ascending (stable), by counting sort; lengths above `cap` count as `cap`. */
export async function byLength(items: Int32Array, lengthOf: (item: number) => number, cap = 1 << 16): Promise<Int32Array> {
  const len = new Int32Array(items.length);
  const counts = new Int32Array(cap + 2);
  for (let i = 0; i < items.length; i++) {
    len[i] = Math.min(cap, Math.max(0, Math.floor(lengthOf(items[i]))));
    counts[len[i] + 1]++;
    if (i % SLICE === SLICE - 1) await yieldToPage();
  }
  for (let l = 1; l < counts.length; l++) counts[l] += counts[l - 1];
  const out = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) out[counts[len[i]]++] = items[i];
  return out;
}

/**
 * Row indices grouped by the chunk their vector is stored in (chunk order,
 * row order within a chunk), rows without a vector (slot -1) last: reading
 * rows in this order reads each stored chunk about once.
 */
export async function storageOrder(slots: Int32Array): Promise<Int32Array> {
  const rows = Int32Array.from({ length: slots.length }, (_, i) => i);
  let top = 0;
  for (const s of slots) if (s >= 0) top = Math.max(top, Math.floor(s / VECTOR_CHUNK) + 1);
  // Missing rows sort as chunk `top`, after every stored one.
  return byLength(rows, (i) => (slots[i] < 0 ? top : Math.floor(slots[i] / VECTOR_CHUNK)), top);
}
