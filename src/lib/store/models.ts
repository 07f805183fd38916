// Trained students. `weights` (a SerializedHead) is stored by structured
// clone, so typed arrays inside it are kept as they are. Reads run the
// student guard (records.ts).
import { STORES, tx } from './db';
import { DamagedRecordError } from './errors';
import { modelProblem } from './records';
import type { Checked } from './guards';
import type { StoredModel } from './types';

/** Saves (or replaces) a model by id. */
export function saveModel(model: StoredModel): Promise<void> {
  return tx([STORES.models], 'readwrite', 'save the trained model', async (t) => {
    await t.objectStore(STORES.models).put(model);
  });
}

/** The model with `id`, or undefined; a damaged one throws DamagedRecordError. */
export function getModel(id: string): Promise<StoredModel | undefined> {
  const op = 'load the trained model';
  return tx([STORES.models], 'readonly', op, async (t) => {
    const m = await t.objectStore(STORES.models).get(id);
    const why = m && modelProblem(m);
    if (why) throw new DamagedRecordError(op, `student ${id}`, why);
    return m;
  });
}

/** The models of `projectId`, oldest first; damaged ones are skipped with their reason. */
export function listModels(projectId: string): Promise<Checked<StoredModel>> {
  return tx([STORES.models], 'readonly', 'list trained models', async (t) => {
    const all = await t.objectStore(STORES.models).index('projectId').getAll(projectId);
    const out: Checked<StoredModel> = { items: [], skipped: [] };
    for (const m of all.sort((a, b) => a.createdAt - b.createdAt)) {
      const why = modelProblem(m);
      if (why) out.skipped.push(`student ${String(m.name ?? m.id)} (${why})`);
      else out.items.push(m);
    }
    return out;
  });
}

/** Deletes the model with `id` (no error if absent). */
export function deleteModel(id: string): Promise<void> {
  return tx([STORES.models], 'readwrite', 'delete the trained model', async (t) => {
    await t.objectStore(STORES.models).delete(id);
  });
}
