// The newest student's stored corpus predictions (a 'predictions' result the
// Train step writes when a student labels the corpus), for review and export.
import * as store from '../../lib/store';
import type { StoredResult } from '../../lib/store';
import type { PredictionsData } from '../../lib/state/student.svelte';

export interface NewestPredictions {
  data: PredictionsData;
  /** The student's name, e.g. 'Student on 1000 LLM labels'. */
  name: string;
  createdAt: number;
}

/** The most recently stored predictions of the project, or null when no student has labelled the corpus. */
export async function newestPredictions(projectId: string): Promise<NewestPredictions | null> {
  const all = (await store.listResults<StoredResult>(projectId)).filter((r) => r.kind === 'predictions');
  const last = all.at(-1);
  if (!last) return null;
  const data = last.data as PredictionsData;
  const model = await store.getModel(data.modelId);
  return { data, name: model?.name ?? 'a deleted student', createdAt: last.createdAt };
}
