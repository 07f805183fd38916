import { describe, expect, it } from 'vitest';
import { stepStatuses, type WorkflowFacts } from './workflow';

const empty: WorkflowFacts = {
  rows: 0,
  labeledRows: 0,
  codebookProblems: null,
  endpointSet: true,
  validationSize: 0,
  validationLabeled: 0,
  teacherLabeled: 0,
  models: 0,
  comparisons: 0,
};
const byId = (f: WorkflowFacts) => Object.fromEntries(stepStatuses(f).map((s) => [s.id, s]));

describe('stepStatuses', () => {
  it('lists the seven steps in the method order', () => {
    expect(stepStatuses(empty).map((s) => s.id)).toEqual(['data', 'codebook', 'teacher', 'validate', 'train', 'compare', 'export']);
  });

  it('a new project can only import data; later steps say what they need', () => {
    const s = byId(empty);
    expect(s.data.state).toBe('ready');
    expect(s.codebook.state).toBe('blocked');
    expect(s.codebook.missing).toContain('Import a dataset first');
    expect(s.teacher.missing).toContain('A saved, valid codebook');
  });

  it('codebook problems are the missing items until fixed', () => {
    const s = byId({ ...empty, rows: 10, codebookProblems: ['Label "a" has no definition.'] });
    expect(s.codebook.state).toBe('ready');
    expect(s.codebook.missing).toEqual(['Label "a" has no definition.']);
  });

  it('the teacher needs an endpoint', () => {
    const s = byId({ ...empty, rows: 10, codebookProblems: [], endpointSet: false });
    expect(s.teacher.state).toBe('blocked');
    expect(s.teacher.missing).toEqual(['An LLM endpoint in Settings']);
  });

  it('without human labels, validation and comparison are unavailable but training is not', () => {
    const s = byId({ ...empty, rows: 10, codebookProblems: [], teacherLabeled: 10 });
    expect(s.validate.state).toBe('blocked');
    expect(s.train.state).toBe('ready');
    expect(s.compare.missing).toContain('A human test set');
  });

  it('a finished run marks every step done', () => {
    const s = byId({
      rows: 100,
      labeledRows: 100,
      codebookProblems: [],
      endpointSet: true,
      validationSize: 20,
      validationLabeled: 20,
      teacherLabeled: 60,
      models: 2,
      comparisons: 1,
    });
    for (const id of ['data', 'codebook', 'teacher', 'validate', 'train', 'compare'] as const) expect(s[id].state).toBe('done');
  });
});
