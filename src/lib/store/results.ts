// Saved evaluations and comparisons; `data` is opaque to the store.
import { STORES, tx } from './db';
import type { StoredResult } from './types';

/** Saves (or replaces) a result by id. */
export function putResult<R extends StoredResult>(result: R): Promise<void> {
  return tx([STORES.results], 'readwrite', 'save the result', async (t) => {
    await t.objectStore(STORES.results).put(result);
  });
}

/** The result with `id`, or undefined. */
export function getResult<R extends StoredResult = StoredResult>(id: string): Promise<R | undefined> {
  return tx([STORES.results], 'readonly', 'load the result', async (t) => {
    return (await t.objectStore(STORES.results).get(id)) as R | undefined;
  });
}

/** The results of `projectId`, oldest first. */
export function listResults<R extends StoredResult = StoredResult>(projectId: string): Promise<R[]> {
  return tx([STORES.results], 'readonly', 'list results', async (t) => {
    const all = (await t.objectStore(STORES.results).index('projectId').getAll(projectId)) as R[];
    return all.sort((a, b) => a.createdAt - b.createdAt);
  });
}

/** Deletes the result with `id` (no error if absent). */
export function deleteResult(id: string): Promise<void> {
  return tx([STORES.results], 'readwrite', 'delete the result', async (t) => {
    await t.objectStore(STORES.results).delete(id);
  });
}
