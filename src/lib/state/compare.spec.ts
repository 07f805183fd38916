// CompareState and ProjectDataState on a real (fake-indexeddb) store and the
// real AppState: what they load for the open project, the stepper's count of
// comparisons derived from it, and reset().
import { beforeEach, describe, expect, it } from 'vitest';
import '../../../tests/unit/page-globals';
import { openFixtureProject } from '../../../tests/unit/project-fixture';
import * as store from '../store';
import { comparison, model, predictions } from '../store/fixtures';
import type { TeacherResponse } from '../teacher/types';

const { app } = await import('./app.svelte');
const { compare } = await import('./compare.svelte');
const { projectData } = await import('./project-data.svelte');
const { stepFacts } = await import('./facts.svelte');

beforeEach(async () => {
  await store.resetDbForTests();
  localStorage.clear();
  app.reset();
  compare.reset();
  projectData.reset();
  await openFixtureProject(app);
});

describe('CompareState', () => {
  it('loads the newest stored comparison of the open project and counts them for the stepper', async () => {
    const id = app.project!.id;
    await store.putComparison(id, comparison(2));
    await store.putComparison(id, comparison(5));
    await store.putPredictions(id, predictions('m', ['r0']), 9);
    await store.putComparison('another-project', comparison(7));
    await compare.load();
    expect(compare.result?.run.finishedAt).toBe(5);
    expect(compare.saved).toBe(2);
    expect(stepFacts.counts.comparisons).toBe(2);
    app.project = null;
    await compare.load();
    expect([compare.result, compare.saved, stepFacts.counts.comparisons]).toEqual([null, 0, 0]);
  });

  it('names what is missing before a run', () => {
    expect(compare.problems).toEqual(['Label texts with the teacher first.']);
    app.project = null;
    expect(compare.problems).toEqual(['Import a dataset first.']);
  });

  it('reset() returns to a fresh page: no result, the paper grid', async () => {
    await store.putComparison(app.project!.id, comparison(3));
    await compare.load();
    compare.grid = 'quick';
    compare.error = 'x';
    compare.reset();
    expect([compare.result, compare.saved, compare.grid, compare.error, compare.status]).toEqual([null, 0, 'paper', null, 'idle']);
  });
});

describe('ProjectDataState', () => {
  it('reads the newest predictions (named by their student), every answer and the students; a newer read wins', async () => {
    const id = app.project!.id;
    const answer = (key: string, at: number) => ({ key, projectId: id, at, textHash: key, repeat: 0 }) as unknown as TeacherResponse;
    await store.putResponses([answer('a', 10), answer('b', 30)]);
    await store.saveModel({ ...model('m1', id), name: 'Student on 20 labels' });
    await store.putPredictions(id, predictions('m1', ['r0']), 4);
    await store.putPredictions(id, predictions('gone', ['r0']), 6);
    const stale = projectData.load('another-project');
    await projectData.load(id);
    await stale;
    expect(projectData.predictions).toMatchObject({ name: 'a deleted student', createdAt: 6 });
    expect(projectData.responses).toHaveLength(2);
    expect(projectData.labelledAt).toBe(30);
    expect(projectData.models.map((m) => m.name)).toEqual(['Student on 20 labels']);
    projectData.reset();
    expect([projectData.predictions, projectData.responses, projectData.models, projectData.labelledAt]).toEqual([null, [], [], null]);
  });
});
