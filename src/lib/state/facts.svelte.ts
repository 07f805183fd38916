// Gathers the open project's facts for the stepper (see workflow.ts).
import type { AppState } from './app.svelte';
import type { WorkflowFacts } from '../project/workflow';

export function facts(app: AppState): WorkflowFacts {
  return {
    rows: app.rows.length,
    labeledRows: app.rows.reduce((n, r) => n + (r.human !== null ? 1 : 0), 0),
    codebookProblems: app.codebookProblems,
    endpointSet: app.settings.ready,
    validationSize: app.splits?.validation.length ?? 0,
    ...app.counts,
  };
}
