// What the Validate and Export steps read of a project's stored data, so that
// components never talk to the store themselves: the newest student's corpus
// predictions (the 'predictions' result a student writes when it labels the
// corpus), every stored teacher answer and the trained students.
import * as store from '../store';
import type { StoredModel, StoredResult } from '../store';
import type { TeacherResponse } from '../teacher/types';
import type { PredictionsData } from './student.svelte';

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

/** Every stored teacher answer of the project (all codebook versions and endpoints). */
export function projectResponses(projectId: string): Promise<TeacherResponse[]> {
  return store.listResponsesByProject<TeacherResponse>(projectId);
}

/** The project's trained students as stored, oldest first. */
export function projectModels(projectId: string): Promise<StoredModel[]> {
  return store.listModels(projectId);
}

// Storage, for the Export step and the encoder panel: the store's verbs as
// they are, so that components reach the store only through state/ (project
// files themselves go through the project-file worker, state/project-file.ts).
export { embeddingsBytes, listProjects, storageEstimate, vectorSpacePlan } from '../store';
