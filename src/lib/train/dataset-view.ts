// What the page's views read of a dataset besides its rows: the rows by id,
// the splits with their pool, and the pool's rows. Svelte derivations cannot
// yield, and over a million rows each of these is one long task, so the verbs that load or replace a dataset
// `prepare` them in slices before the rows reach state, and the derivations
// then find them ready. Unprepared (a test setting rows directly, a project
// record read back after a write), the same values are computed on the spot:
// prepare only fills the caches the synchronous reads use.
import type { DataRow, Splits } from '../data/types';
import { sameStoredSplits, withPoolSteps, type StoredSplits } from '../data/split';
import { trainingPoolSteps } from './training-rows';
import { RowIndex } from './row-index';
import { Slicer, runNow, runSliced } from '../store/yield';

type Rows = readonly DataRow[];

export class DatasetView {
  #index: { rows: Rows; byId: RowIndex<DataRow> } | null = null;
  #splits: { rows: Rows; stored: StoredSplits; splits: Splits } | null = null;
  #pool: { rows: Rows; splits: Splits | null; pool: DataRow[] } | null = null;

  /** `rows` by id. */
  byId(rows: Rows): RowIndex<DataRow> {
    if (this.#index?.rows !== rows) this.#index = { rows, byId: RowIndex.of(rows) };
    return this.#index.byId;
  }

  /** The splits `stored` describes over `rows`, pool included (the same object while neither changes). */
  splits(stored: StoredSplits | null, rows: Rows): Splits | null {
    if (!stored) return null;
    const last = this.#splits;
    if (last && last.rows === rows && sameStoredSplits(last.stored, stored)) return last.splits;
    this.#splits = { rows, stored, splits: runNow(withPoolSteps(stored, rows)) };
    return this.#splits.splits;
  }

  /** The training pool's rows (trainingPool) for `splits` as `splits()` returned them. */
  pool(rows: Rows, splits: Splits | null): DataRow[] {
    const last = this.#pool;
    if (last && last.rows === rows && last.splits === splits) return last.pool;
    this.#pool = { rows, splits, pool: runNow(trainingPoolSteps(rows, splits, this.byId(rows))) };
    return this.#pool.pool;
  }

  /** Computes all three for `rows` and `stored`, yielding to the page between slices. */
  async prepare(rows: Rows, stored: StoredSplits | null, slicer = new Slicer()): Promise<void> {
    const byId = this.#index?.rows === rows ? this.#index.byId : await runSliced(RowIndex.build(rows), slicer);
    const splits = stored ? await runSliced(withPoolSteps(stored, rows), slicer) : null;
    const pool = await runSliced(trainingPoolSteps(rows, splits, byId), slicer);
    this.#index = { rows, byId };
    this.#splits = stored && splits ? { rows, stored, splits } : null;
    this.#pool = { rows, splits, pool };
  }

  /** Forgets everything (the dataset is gone), so nothing keeps its rows alive. */
  clear(): void {
    this.#index = this.#splits = this.#pool = null;
  }
}
