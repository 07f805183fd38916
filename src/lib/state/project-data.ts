// What the Validate and Export steps read of a project's stored data, so that
// components never talk to the store themselves: the newest student's corpus
// predictions (the 'predictions' result a student writes when it labels the
// corpus), every stored teacher answer and the trained students.
import * as store from '../store';
import type { PredictionsResult, StoredModel } from '../store';
import type { TeacherResponse } from '../teacher/types';

export interface NewestPredictions extends Pick<PredictionsResult, 'data' | 'createdAt'> {
  /** The student's name, e.g. 'Student on 1000 LLM labels'. */
  name: string;
}

/** The most recently stored predictions of the project, or null when no student has labelled the corpus. */
export async function newestPredictions(projectId: string): Promise<NewestPredictions | null> {
  const last = await store.latestPredictions(projectId);
  if (!last) return null;
  const model = await store.getModel(last.data.modelId);
  return { data: last.data, name: model?.name ?? 'a deleted student', createdAt: last.createdAt };
}

/** Every stored teacher answer of the project (all codebook versions and endpoints). */
export function projectResponses(projectId: string): Promise<TeacherResponse[]> {
  return store.listResponsesByProject<TeacherResponse>(projectId);
}

/** The project's trained students as stored, oldest first (damaged ones left out; student.reload says which). */
export async function projectModels(projectId: string): Promise<StoredModel[]> {
  return (await store.listModels(projectId)).items;
}

// Storage, for the Export step and the encoder panel: the store's verbs as
// they are, so that components reach the store only through state/ (project
// files themselves go through the project-file worker, state/project-file.ts).
export { embeddingsBytes, listProjects, storageEstimate, vectorSpacePlan } from '../store';
