// A project's dataset, stored ROW_CHUNK_SIZE rows per record so that
// 100,000 rows are ~50 structured clones instead of 100,000 requests.
import type { IDBPObjectStore } from 'idb';
import { ROW_CHUNK_SIZE, STORES, prefixRange, tx, type StoreName, type SurrogateDB } from './db';
import { NotFoundError } from './errors';
import { nextStamp } from './projects';
import type { StoredRow } from './types';
import { LabelInterner } from '../data/intern';

type RowsStore = IDBPObjectStore<SurrogateDB, StoreName[], 'rows', 'readwrite'>;

/** Called as chunks land: rows written so far and the total. */
export type RowProgress = (written: number, total: number) => void;

/**
 * Replaces the stored rows of `projectId` inside a caller's transaction
 * (shared by putRows and importProject).
 */
export async function writeRows(store: RowsStore, projectId: string, rows: readonly StoredRow[], onProgress?: RowProgress): Promise<void> {
  await store.delete(prefixRange(projectId));
  // A few puts in flight, not all at once: each put clones its chunk on the
  // spot, so queueing a million rows in one go would hold the page for seconds.
  let next = 0;
  let written = 0;
  const lane = async (): Promise<void> => {
    for (let index = next++; index * ROW_CHUNK_SIZE < rows.length; index = next++) {
      const chunk = rows.slice(index * ROW_CHUNK_SIZE, (index + 1) * ROW_CHUNK_SIZE);
      await store.put({ projectId, index, rows: chunk });
      written += chunk.length;
      onProgress?.(written, rows.length);
    }
  };
  await Promise.all([lane(), lane(), lane()]);
}

/**
 * Replaces the dataset of project `projectId` with `rows` (in order) and sets
 * the project's rowCount, all in one transaction: a failure keeps the old
 * dataset. Throws NotFoundError if the project does not exist.
 */
export function putRows(projectId: string, rows: readonly StoredRow[], onProgress?: RowProgress): Promise<void> {
  const op = 'save the dataset';
  return tx([STORES.projects, STORES.rows], 'readwrite', op, async (t) => {
    const projects = t.objectStore(STORES.projects);
    const project = await projects.get(projectId);
    if (!project) throw new NotFoundError(op, `project ${projectId}`);
    await writeRows(t.objectStore(STORES.rows), projectId, rows, onProgress);
    await projects.put({ ...project, rowCount: rows.length, updatedAt: nextStamp(project.updatedAt) });
  });
}

/** Chunks per read while loading a dataset: each answer is parsed in its own task. */
const READ_PAGE = 8;

/** The stored dataset of `projectId` in its original order ([] if none). */
export function getRows(projectId: string): Promise<StoredRow[]> {
  return tx([STORES.rows], 'readonly', 'load the dataset', async (t) => {
    const store = t.objectStore(STORES.rows);
    const parts: StoredRow[][] = [];
    const labels = new LabelInterner();
    // Keys [projectId, index] sort by index, so pages come in order.
    for (let from = 0; ;) {
      const page = await store.getAll(IDBKeyRange.bound([projectId, from], [projectId, Infinity]), READ_PAGE);
      for (const c of page) parts.push(labels.intern(c.rows));
      if (page.length < READ_PAGE) break;
      from = page[page.length - 1].index + 1;
    }
    return parts.flat();
  });
}

/** How many rows `projectId` has, without loading them (0 if none). */
export function countRows(projectId: string): Promise<number> {
  return tx([STORES.projects], 'readonly', 'count the dataset', async (t) => {
    const project = await t.objectStore(STORES.projects).get(projectId);
    return project?.rowCount ?? 0;
  });
}
