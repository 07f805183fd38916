// AppState on a real (fake-indexeddb) store: opening a project loads what was
// stored, settings writes queue in order, and reset() returns to a first start.
import { beforeEach, describe, expect, it } from 'vitest';
import '../../../tests/unit/page-globals';
import { CODEBOOK, openFixtureProject } from '../../../tests/unit/project-fixture';
import * as store from '../store';

const { app, AppState } = await import('./app.svelte');

beforeEach(async () => {
  await store.resetDbForTests();
  localStorage.clear();
  app.reset();
});

describe('AppState', () => {
  it('opens a project with its rows, splits and codebook, and reopens it from the store', async () => {
    await openFixtureProject(app, { n: 20, validation: 4, test: 4 });
    const id = app.project!.id;
    expect(app.rows).toHaveLength(20);
    expect(app.rowById.get('r3')?.text).toBe('review number 3');
    expect([app.splits!.validation.length, app.splits!.test.length, app.splits!.pool.length]).toEqual([4, 4, 12]);
    const held = new Set([...app.splits!.validation, ...app.splits!.test]);
    expect(app.pool.map((r) => r.id)).toEqual(app.splits!.pool); // the training pool, derived from rows and split
    expect(app.pool.some((r) => held.has(r.id))).toBe(false);
    expect(app.activeVersion?.version).toBe(1);
    expect(app.codebookProblems).toEqual([]);

    // A second page (a fresh AppState) reads back exactly this.
    const other = new AppState();
    await other.open(id);
    expect(other.rows.map((r) => r.id)).toEqual(app.rows.map((r) => r.id));
    expect(other.splits).toEqual(app.splits);
    expect(other.activeVersion?.hash).toBe(app.activeVersion?.hash);
    expect(other.projectSettings.activeVersion).toBe(1);
  });

  it('saves a codebook only when it changed', async () => {
    await openFixtureProject(app);
    expect(await app.saveCodebook(CODEBOOK)).toMatchObject({ version: 1 });
    const v2 = await app.saveCodebook({ ...CODEBOOK, instructions: 'Sarcasm counts as negative.' });
    expect(v2?.version).toBe(2);
    expect(app.versions).toHaveLength(2);
    expect(app.activeVersion?.version).toBe(2);
  });

  it('applies queued settings patches in order, each on the settings the previous one left', async () => {
    await openFixtureProject(app);
    void app.updateSettings((s) => ({ teacher: { ...s.teacher, timeoutMs: 5000 } }));
    void app.updateSettings((s) => ({ teacher: { ...s.teacher, concurrency: 9 } }));
    await app.settingsSaved();
    expect(app.projectSettings.teacher).toMatchObject({ timeoutMs: 5000, concurrency: 9 });
    expect((await store.getProject(app.project!.id))?.settings).toMatchObject({ teacher: { timeoutMs: 5000, concurrency: 9 } });
  });

  it('reset() returns to a first start and leaves the database alone', async () => {
    await openFixtureProject(app);
    app.settings.model = 'some-model';
    app.settings.save();
    app.error = 'x';
    app.step = 'teacher';
    app.loading = false;
    app.reset();
    expect([app.project, app.rows, app.versions, app.projects, app.splitNotes]).toEqual([null, [], [], [], []]);
    expect([app.step, app.error, app.loading, app.settings.model, app.backend.tfjs]).toEqual(['data', null, true, 'gpt-4o-mini', null]);
    expect(new AppState().settings.model).toBe('gpt-4o-mini'); // the saved endpoint is forgotten too
    await app.init();
    expect(app.project?.name).toBe('Fixture'); // the stored project opens again
    expect(app.rows).toHaveLength(20);
  });

  it('refreshProjects() rereads the list', async () => {
    await openFixtureProject(app);
    await store.createProject('Imported');
    expect(app.projects).toHaveLength(1);
    await app.refreshProjects();
    expect(app.projects.map((p) => p.name).sort()).toEqual(['Fixture', 'Imported']);
  });
});
