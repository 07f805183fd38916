// Trained students. `weights` (a SerializedHead) is stored by structured
// clone, so typed arrays inside it are kept as they are.
import { STORES, tx } from './db';
import type { StoredModel } from './types';

/** Saves (or replaces) a model by id. */
export function saveModel<M extends StoredModel>(model: M): Promise<void> {
  return tx([STORES.models], 'readwrite', 'save the trained model', async (t) => {
    await t.objectStore(STORES.models).put(model);
  });
}

/** The model with `id`, or undefined. */
export function getModel<M extends StoredModel = StoredModel>(id: string): Promise<M | undefined> {
  return tx([STORES.models], 'readonly', 'load the trained model', async (t) => {
    return (await t.objectStore(STORES.models).get(id)) as M | undefined;
  });
}

/** The models of `projectId`, oldest first. */
export function listModels<M extends StoredModel = StoredModel>(projectId: string): Promise<M[]> {
  return tx([STORES.models], 'readonly', 'list trained models', async (t) => {
    const all = (await t.objectStore(STORES.models).index('projectId').getAll(projectId)) as M[];
    return all.sort((a, b) => a.createdAt - b.createdAt);
  });
}

/** Deletes the model with `id` (no error if absent). */
export function deleteModel(id: string): Promise<void> {
  return tx([STORES.models], 'readwrite', 'delete the trained model', async (t) => {
    await t.objectStore(STORES.models).delete(id);
  });
}
