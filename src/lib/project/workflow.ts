// The method's steps and what each needs before the next. Pure: the UI feeds
// it facts about the open project and shows the result.

export const STEPS = [
  { id: 'data', title: 'Data' },
  { id: 'codebook', title: 'Codebook' },
  { id: 'teacher', title: 'Teacher' },
  { id: 'validate', title: 'Validate' },
  { id: 'train', title: 'Train' },
  { id: 'compare', title: 'Compare' },
  { id: 'export', title: 'Export' },
] as const;

export type StepId = (typeof STEPS)[number]['id'];

export interface WorkflowFacts {
  rows: number;
  labeledRows: number;
  codebookProblems: string[] | null; // null: no codebook saved yet
  endpointSet: boolean;
  validationSize: number;
  validationLabeled: number; // validation texts with a teacher label
  teacherLabeled: number; // all texts with a teacher label
  models: number; // trained students
  comparisons: number;
}

export type StepState = 'done' | 'ready' | 'blocked';

export interface StepStatus {
  id: StepId;
  title: string;
  state: StepState;
  summary: string;
  missing: string[];
}

const plural = (n: number, one: string, many = one + 's') => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** One status per step, in order, each with what is missing in plain words. */
export function stepStatuses(f: WorkflowFacts): StepStatus[] {
  const hasData = f.rows > 0;
  const codebookOk = f.codebookProblems !== null && f.codebookProblems.length === 0;
  const out: StepStatus[] = [];
  const add = (id: StepId, state: StepState, summary: string, missing: string[] = []) =>
    out.push({ id, title: STEPS.find((s) => s.id === id)!.title, state, summary, missing });

  add(
    'data',
    hasData ? 'done' : 'ready',
    hasData ? `${plural(f.rows, 'text')}, ${plural(f.labeledRows, 'human label')}` : 'Import texts or try an example',
  );

  const cbMissing = !hasData ? ['Import a dataset first'] : (f.codebookProblems ?? ['Write and save a codebook']);
  add(
    'codebook',
    codebookOk ? 'done' : hasData ? 'ready' : 'blocked',
    codebookOk ? 'Saved' : f.codebookProblems === null ? 'Not written yet' : 'Needs fixes',
    codebookOk ? [] : cbMissing,
  );

  const tMissing = [...(codebookOk ? [] : ['A saved, valid codebook']), ...(f.endpointSet ? [] : ['An LLM endpoint in Settings'])];
  add(
    'teacher',
    f.teacherLabeled > 0 ? 'done' : tMissing.length ? 'blocked' : 'ready',
    f.teacherLabeled > 0 ? `${plural(f.teacherLabeled, 'text')} labeled` : 'No LLM labels yet',
    tMissing,
  );

  const vMissing =
    f.validationSize === 0
      ? ['Human labels for a validation sample']
      : f.validationLabeled < f.validationSize
        ? ['Teacher labels on the validation sample']
        : [];
  add(
    'validate',
    vMissing.length ? (f.validationSize === 0 ? 'blocked' : f.teacherLabeled > 0 ? 'ready' : 'blocked') : 'done',
    f.validationSize === 0 ? 'Unavailable without human labels' : `${f.validationLabeled}/${f.validationSize} validation texts labeled`,
    vMissing,
  );

  const trMissing = f.teacherLabeled > 0 || f.labeledRows > 0 ? [] : ['Teacher labels or human labels to train on'];
  add(
    'train',
    f.models > 0 ? 'done' : trMissing.length ? 'blocked' : 'ready',
    f.models > 0 ? plural(f.models, 'student') + ' trained' : 'No student yet',
    trMissing,
  );

  const cMissing = [...(f.validationSize === 0 ? ['A human test set'] : []), ...(f.models > 0 ? [] : ['A trained student'])];
  add(
    'compare',
    f.comparisons > 0 ? 'done' : cMissing.length ? 'blocked' : 'ready',
    f.comparisons > 0 ? 'Comparison ready' : 'Not run yet',
    cMissing,
  );

  add(
    'export',
    hasData ? 'ready' : 'blocked',
    hasData ? 'Labels, results, methods' : 'Nothing to export yet',
    hasData ? [] : ['Import a dataset first'],
  );
  return out;
}
