// Stratified, seeded validation splits carved from the *training* labels.
import { mulberry32, shuffleInPlace } from '../data/rng';

export interface Fold {
  /** Row indices used to fit, ascending. */
  train: Int32Array;
  /** Row indices used to score, ascending. */
  val: Int32Array;
}

function byClass(y: ArrayLike<number>, rand: () => number): number[][] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < y.length; i++) {
    const g = groups.get(y[i]);
    if (g) g.push(i);
    else groups.set(y[i], [i]);
  }
  // Iterate classes in label order so the split does not depend on row order of first appearance.
  return [...groups.keys()].sort((a, b) => a - b).map((c) => shuffleInPlace(groups.get(c) as number[], rand));
}

const sorted = (xs: number[]) => Int32Array.from(xs).sort();

/**
 * Hold out round(fraction · count) rows of each class for validation; a class
 * with ≥ 2 rows keeps at least one row on each side.
 */
export function stratifiedHoldout(y: ArrayLike<number>, fraction: number, seed: number): Fold {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`Validation fraction must be between 0 and 1 (got ${fraction}).`);
  const train: number[] = [];
  const val: number[] = [];
  for (const rows of byClass(y, mulberry32(seed))) {
    let k = Math.round(fraction * rows.length);
    if (rows.length >= 2) k = Math.min(Math.max(k, 1), rows.length - 1);
    val.push(...rows.slice(0, k));
    train.push(...rows.slice(k));
  }
  if (val.length === 0 || train.length === 0) {
    throw new RangeError(`Too few labelled examples (${y.length}) to hold out a validation set.`);
  }
  return { train: sorted(train), val: sorted(val) };
}

/**
 * k stratified folds: each class's shuffled rows are dealt round-robin,
 * continuing where the previous class stopped so fold sizes stay balanced.
 */
export function stratifiedKFold(y: ArrayLike<number>, k: number, seed: number): Fold[] {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k-fold needs an integer k ≥ 2 (got ${k}).`);
  if (y.length < k) throw new RangeError(`Too few labelled examples (${y.length}) for ${k} folds.`);
  const assignment = new Int32Array(y.length);
  let next = 0;
  for (const rows of byClass(y, mulberry32(seed))) {
    for (const r of rows) {
      assignment[r] = next;
      next = (next + 1) % k;
    }
  }
  return Array.from({ length: k }, (_, f) => {
    const train: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < y.length; i++) (assignment[i] === f ? val : train).push(i);
    return { train: Int32Array.from(train), val: Int32Array.from(val) };
  });
}

/** Rows `idx` of an n × width row-major matrix. */
export function takeRows(M: Float32Array, width: number, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * width);
  for (let i = 0; i < idx.length; i++) out.set(M.subarray(idx[i] * width, (idx[i] + 1) * width), i * width);
  return out;
}

/** Entries `idx` of a label vector. */
export function takeLabels(y: Int32Array, idx: ArrayLike<number>): Int32Array {
  return Int32Array.from({ length: idx.length }, (_, i) => y[idx[i]]);
}
