// Held-out splits as in Pangakis & Wolken (2024): human-labeled validation
// and test sets, stratified by the human label; everything else is the pool
// the LLM labels and the students train on.
import { mulberry32, shuffleInPlace } from './rng';
import type { DataRow, SplitSizes, Splits } from './types';
import { Slicer, STEP_ROWS, runNow, runSliced, type Steps } from '../store/yield';

/**
 * Proportional allocation of `n` items over groups (largest remainder), then
 * at least one per non-empty group when n allows. Never exceeds a group's size.
 */
export function allocate(counts: readonly number[], n: number): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  n = Math.max(0, Math.min(Math.floor(n), total));
  if (total === 0 || n === 0) return counts.map(() => 0);
  const exact = counts.map((c) => (n * c) / total);
  const out = exact.map(Math.floor);
  let left = n - out.reduce((a, b) => a + b, 0);
  const order = counts.map((_, i) => i).sort((a, b) => exact[b] - out[b] - (exact[a] - out[a]) || a - b);
  for (const i of order) {
    if (left === 0) break;
    if (out[i] < counts[i]) {
      out[i]++;
      left--;
    }
  }
  // Give each present class one item, taken from the largest allocation.
  const present = counts.filter((c) => c > 0).length;
  if (n >= present) {
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] > 0 && out[i] === 0) {
        let donor = -1;
        for (let j = 0; j < out.length; j++) if (out[j] > 1 && (donor === -1 || out[j] > out[donor])) donor = j;
        if (donor === -1) break;
        out[donor]--;
        out[i]++;
      }
    }
  }
  return out;
}

/** The ids grouped by label, each group sorted by id (sortSteps) so row order does not matter, labels sorted. */
function* groupSteps(ids: readonly string[], labels: readonly string[]): Steps<{ label: string; ids: string[] }[]> {
  const map = new Map<string, string[]>();
  for (let i = 0; i < ids.length; i++) {
    const g = map.get(labels[i]);
    if (g) g.push(ids[i]);
    else map.set(labels[i], [ids[i]]);
    if (i % STEP_ROWS === 0) yield;
  }
  const out: { label: string; ids: string[] }[] = [];
  for (const label of [...map.keys()].sort()) out.push({ label, ids: yield* sortSteps(map.get(label)!) });
  return out;
}

/**
 * Pick `n` of `ids` stratified by `labels` (aligned with ids), seeded. Used for
 * the human-label training subsets (e.g. 250 or 1000). Returns ids in input order.
 */
export function sampleStratified(ids: readonly string[], labels: readonly string[], n: number, seed: number): string[] {
  return runNow(sampleStratifiedSteps(ids, labels, n, seed));
}

/** sampleStratified as a Steps loop (store/yield.ts): the same sample, for a pool of a million ids in slices. */
export function* sampleStratifiedSteps(ids: readonly string[], labels: readonly string[], n: number, seed: number): Steps<string[]> {
  const rand = mulberry32(seed);
  const gs = yield* groupSteps(ids, labels);
  const quota = allocate(
    gs.map((g) => g.ids.length),
    n,
  );
  const chosen = new Set<string>();
  for (const [k, g] of gs.entries()) {
    shuffleInPlace(g.ids, rand);
    for (let i = 0; i < quota[k]; i++) {
      chosen.add(g.ids[i]);
      if (i % STEP_ROWS === 0) yield;
    }
  }
  const out: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (chosen.has(ids[i])) out.push(ids[i]);
    if (i % STEP_ROWS === 0) yield;
  }
  return out;
}

/**
 * Propose validation/test/pool splits. Only human-labeled rows enter validation
 * and test; both are stratified by label (test drawn first). If too few labeled
 * rows exist (validation + test over half of them), both sizes shrink so half the labeled rows stay in the pool for
 * human-label baselines. `notes` explain every adjustment in words.
 */
export function proposeSplits(rows: readonly DataRow[], sizes: SplitSizes, seed: number): { splits: Splits; notes: string[] } {
  return runNow(proposeSplitsSteps(rows, sizes, seed));
}

/**
 * proposeSplits for a corpus on the page: the same splits, computed in slices
 * that yield (Slicer), so a million rows never hold the page for a long task.
 * The group sort is a merge sort that yields between runs (sortSteps).
 */
export function proposeSplitsSliced(
  rows: readonly DataRow[],
  sizes: SplitSizes,
  seed: number,
  slicer = new Slicer(),
): Promise<{ splits: Splits; notes: string[] }> {
  return runSliced(proposeSplitsSteps(rows, sizes, seed), slicer);
}

/** proposeSplits as a Steps loop (store/yield.ts): the labelled rows grouped, the draw, then the pool (withPoolSteps). */
function* proposeSplitsSteps(rows: readonly DataRow[], sizes: SplitSizes, seed: number): Steps<{ splits: Splits; notes: string[] }> {
  const ids: string[] = [];
  const labels: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].human !== null) {
      ids.push(rows[i].id);
      labels.push(rows[i].human!);
    }
    if (i % STEP_ROWS === 0) yield;
  }
  const drawn = draw(yield* groupSteps(ids, labels), ids.length, sizes, seed);
  drawn.splits.pool = (yield* withPoolSteps(storedSplits(drawn.splits), rows)).pool;
  return drawn;
}

/**
 * Sorts strings as Array.prototype.sort() does (UTF-16 code units) by a
 * bottom-up merge sort, as a Steps loop (store/yield.ts), so a group of a
 * million ids sorts in slices. Returns a new array; `ids` is left as it was.
 */
export function* sortSteps(ids: readonly string[]): Steps<string[]> {
  const n = ids.length;
  let from = ids.slice();
  let to = new Array<string>(n);
  let steps = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) {
        to[k] = i < mid && (j >= hi || from[i] <= from[j]) ? from[i++] : from[j++];
        if (++steps % STEP_ROWS === 0) yield;
      }
    }
    [from, to] = [to, from];
  }
  return from;
}

/**
 * The draw itself, from the labelled ids grouped by label (each group sorted,
 * groups by label): test first, then validation, stratified and seeded. The
 * pool is left empty for the caller to fill (every row not held out).
 */
function draw(
  gs: { label: string; ids: string[] }[],
  labeledCount: number,
  sizes: SplitSizes,
  seed: number,
): { splits: Splits; notes: string[] } {
  const notes: string[] = [];
  if (labeledCount === 0) {
    notes.push(
      'No rows have a human label, so there is no validation or test set: the LLM cannot be scored against people, ' +
        'students cannot be compared on a human test set, and no human-label baseline can be trained. ' +
        'Students can still be trained on LLM labels.',
    );
    return { splits: { seed, validation: [], test: [], pool: [] }, notes };
  }
  let v = Math.max(0, Math.floor(sizes.validation));
  let t = Math.max(0, Math.floor(sizes.test));
  // Keep at least half the labeled rows in the pool: without them there is no
  // human-label baseline to compare the LLM-label student with.
  if (v + t > labeledCount / 2) {
    const budget = Math.floor(labeledCount / 2);
    const scale = budget / (v + t);
    const nt = Math.max(t > 0 && budget > 0 ? 1 : 0, Math.round(t * scale));
    const nv = Math.max(0, budget - nt);
    notes.push(
      `Only ${labeledCount} rows have a human label: too few for the ${v + t} requested for validation (${v}) and test (${t}) while keeping half for training. ` +
        `Using ${nv} for validation and ${nt} for test, keeping the other ${labeledCount - nv - nt} labeled rows in the pool ` +
        'for human-label baselines.',
    );
    v = nv;
    t = nt;
  }
  const rand = mulberry32(seed);
  gs.forEach((g) => shuffleInPlace(g.ids, rand));
  const testQuota = allocate(
    gs.map((g) => g.ids.length),
    t,
  );
  const test = gs.flatMap((g, k) => g.ids.slice(0, testQuota[k]));
  const rest = gs.map((g, k) => g.ids.slice(testQuota[k]));
  const valQuota = allocate(
    rest.map((r) => r.length),
    v,
  );
  const validation = rest.flatMap((r, k) => r.slice(0, valQuota[k]));
  const labeledLeft = labeledCount - test.length - validation.length;
  const missing = gs.filter((_, k) => testQuota[k] === 0).map((g) => g.label);
  if (t > 0 && missing.length > 0) {
    notes.push(`The test set has no rows labeled ${missing.map((m) => `"${m}"`).join(', ')}: too few labeled rows for every class.`);
  }
  if (t > 0 && t < 100) notes.push(`The test set has only ${t} rows; its scores will have wide confidence intervals.`);
  if (labeledLeft < 100) {
    notes.push(`Only ${labeledLeft} human-labeled rows remain in the pool for training human-label baselines.`);
  }
  return { splits: { seed, validation, test, pool: [] }, notes };
}

/**
 * Splits as the project record keeps them: the held-out ids only. The pool is
 * every other row, in row order, so it is rebuilt from the rows (withPool)
 * instead of stored: at a million rows a stored pool made every write of the
 * project record (a settings change, a step change) clone a million ids.
 */
export type StoredSplits = Omit<Splits, 'pool'> & { pool?: string[] };

/** What the project record stores for `splits` (the pool left out). */
export function storedSplits(s: Splits): StoredSplits {
  return { seed: s.seed, validation: s.validation, test: s.test };
}

/** `stored` with its pool: every row of `rows` not held out, in order (a stored pool, from older records, is used as it is). */
export function withPool(stored: StoredSplits, rows: readonly DataRow[]): Splits {
  return runNow(withPoolSteps(stored, rows));
}

/** withPool as a Steps loop (store/yield.ts), for a dataset loaded in slices. */
export function* withPoolSteps(stored: StoredSplits, rows: readonly DataRow[]): Steps<Splits> {
  if (Array.isArray(stored.pool)) return stored as Splits;
  const held = new Set([...stored.validation, ...stored.test]);
  const pool: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (!held.has(rows[i].id)) pool.push(rows[i].id);
    if (i % STEP_ROWS === 0) yield;
  }
  return { seed: stored.seed, validation: stored.validation, test: stored.test, pool };
}

/** True when two stored splits hold the same split (the project record is read back as a new object on every write). */
export function sameStoredSplits(a: StoredSplits, b: StoredSplits): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    a.seed === b.seed &&
    Array.isArray(a.pool) === Array.isArray(b.pool) &&
    same(a.validation, b.validation) &&
    same(a.test, b.test) &&
    (!b.pool || same(a.pool!, b.pool))
  );
}
