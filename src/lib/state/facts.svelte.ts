// The open project's facts for the stepper (see project/workflow.ts). Each
// count is derived by the state class that owns it; the later steps' classes
// load with their steps, so each one registers its counts here when its
// module loads, and a count is 0 until then.
import type { AppState } from './app.svelte';
import type { WorkflowFacts } from '../project/workflow';
import { labeledCount } from '../data/labels';

/** The counts the later steps own: the teacher's labels, the students, the comparisons. */
export type StepCounts = Pick<WorkflowFacts, 'teacherLabeled' | 'validationLabeled' | 'models' | 'comparisons'>;

const NONE: StepCounts = { teacherLabeled: 0, validationLabeled: 0, models: 0, comparisons: 0 };

export class StepFacts {
  #sources = $state.raw<(() => Partial<StepCounts>)[]>([]);

  /** Registers an owner's counts, read (reactively) each time the facts are. */
  provide(counts: () => Partial<StepCounts>): void {
    this.#sources = [...this.#sources, counts];
  }

  /** Every count the registered owners derive, 0 for the rest. */
  get counts(): StepCounts {
    return Object.assign({ ...NONE }, ...this.#sources.map((read) => read()));
  }

  /** The stepper's facts about `app`'s open project. */
  of(app: AppState): WorkflowFacts {
    return {
      rows: app.rows.length,
      labeledRows: labeledCount(app.rows),
      codebookProblems: app.codebookProblems,
      endpointSet: app.settings.ready,
      validationSize: app.splits?.validation.length ?? 0,
      ...this.counts,
    };
  }

  /** Forgets every registered owner (tests). */
  reset(): void {
    this.#sources = [];
  }
}

export const stepFacts = new StepFacts();
