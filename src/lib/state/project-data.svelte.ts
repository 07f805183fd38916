// What the Validate and Export steps read of a project's stored data, so that
// components never talk to the store themselves: the newest student's corpus
// predictions (the 'predictions' result a student writes when it labels the
// corpus), every stored teacher answer and the trained students. Read when
// their owners say they changed (a project opened, a teacher run ended or a
// Batch file came in, a student was trained, removed or labelled the corpus),
// never on each live rebuild of the labels during a run.
import { untrack } from 'svelte';
import * as store from '../store';
import type { PredictionsResult, StoredModel } from '../store';
import type { TeacherResponse } from '../teacher/types';
import { app, errorText, onStateStart } from './app.svelte';
import { student } from './student.svelte';
import { teacher } from './teacher.svelte';

export interface NewestPredictions extends Pick<PredictionsResult, 'data' | 'createdAt'> {
  /** The student's name, e.g. 'Student on 1000 LLM labels'. */
  name: string;
}

export class ProjectDataState {
  /** The most recently stored predictions of the open project; null when no student has labelled the corpus. */
  predictions = $state.raw<NewestPredictions | null>(null);
  /** Every stored teacher answer of the open project (all codebook versions and endpoints). */
  responses = $state.raw<TeacherResponse[]>([]);
  /** The open project's trained students as stored, oldest first. */
  models = $state.raw<StoredModel[]>([]);
  /** The newest stored answer's time (the methods paragraph's "labelled on"); null without answers. */
  labelledAt = $derived(this.responses.reduce<number | null>((m, r) => (m === null || r.at > m ? r.at : m), null));
  error = $state<string | null>(null);
  #seq = 0;

  /** Reads the three for `projectId` (null: none open); a newer call's answer wins. */
  async load(projectId: string | null): Promise<void> {
    const seq = ++this.#seq;
    if (projectId === null) return this.#set(seq, null, [], []);
    try {
      const [last, responses, models] = await Promise.all([
        store.latestPredictions(projectId),
        store.listResponsesByProject<TeacherResponse>(projectId),
        store.listModels(projectId),
      ]);
      // Damaged students are left out here; student.reload says which.
      const predictions = last && {
        data: last.data,
        name: models.items.find((m) => m.id === last.data.modelId)?.name ?? 'a deleted student',
        createdAt: last.createdAt,
      };
      this.#set(seq, predictions, responses, models.items);
    } catch (e) {
      if (seq === this.#seq) this.error = `Could not read the stored results: ${errorText(e)}`;
    }
  }

  #set(seq: number, predictions: NewestPredictions | null, responses: TeacherResponse[], models: StoredModel[]): void {
    if (seq !== this.#seq) return;
    this.predictions = predictions;
    this.responses = responses;
    this.models = models;
    this.error = null;
  }

  /** Nothing read, as on a fresh page (tests); a read in flight lands nowhere. */
  reset(): void {
    this.#seq++;
    this.predictions = null;
    this.responses = [];
    this.models = [];
    this.error = null;
  }
}

export const projectData = new ProjectDataState();

// Reread whenever an owner's own state says the stored data changed.
onStateStart(() => {
  $effect(() => {
    const id = app.project?.id ?? null;
    void [teacher.storedChanges, student.models, student.distributions];
    untrack(() => void projectData.load(id));
  });
});

// Storage, for the Export step and the encoder panel: the store's verbs as
// they are, so that components reach the store only through state/ (project
// files themselves go through the project-file worker, workers/project-file.ts).
export { embeddingsBytes, storageEstimate, vectorSpacePlan } from '../store';
