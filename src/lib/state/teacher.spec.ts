// TeacherState on a real (fake-indexeddb) store and the real AppState: labels
// are rebuilt from the answers stored under the current setup only, the
// stepper's counts are derived from them, the setup watcher reloads once per
// change, and reset() forgets everything loaded.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../../../tests/unit/page-globals';
import { openFixtureProject } from '../../../tests/unit/project-fixture';
import * as store from '../store';
import { parseCacheKey } from '../teacher/cache-key';
import { makeJob, toTeacherSettings, type TeacherRunSettingsX } from '../teacher/job';
import { guessProfile } from '../teacher/profile';
import { keyOf } from '../teacher/tasks';
import type { TeacherResponse } from '../teacher/types';

const { app } = await import('./app.svelte');
const { teacher } = await import('./teacher.svelte');
const { stepFacts } = await import('./facts.svelte');

/** Stored answers for the rows `ids`, every repeat answering `label`, under the app's current setup (or `model`). */
async function storeAnswers(ids: string[], label: string, model = app.settings.model): Promise<void> {
  const settings = toTeacherSettings({ ...app.settings, model }, app.projectSettings.teacher as TeacherRunSettingsX);
  const rows = ids.map((id) => app.rowById.get(id)!);
  const job = makeJob({ rows, version: app.activeVersion!, settings });
  const temperature = guessProfile(settings.baseURL, settings.model).temperature;
  const answers: TeacherResponse[] = job.items.flatMap((it) =>
    Array.from({ length: settings.repeats }, (_, r) => {
      const key = keyOf(job, it.textHash, r, temperature);
      return {
        key,
        ...parseCacheKey(key)!,
        raw: label,
        label,
        valid: true,
        usage: { prompt: 1, completion: 1 },
        at: 1,
        projectId: app.project!.id,
      };
    }),
  );
  await store.putResponses(answers);
}

beforeEach(async () => {
  await store.resetDbForTests();
  localStorage.clear();
  app.reset();
  teacher.reset();
  await openFixtureProject(app, { n: 20, validation: 4, test: 4 });
  app.loading = false;
});
afterEach(() => vi.useRealTimers());

describe('TeacherState', () => {
  it('rebuilds labels from the answers stored under the current setup, and derives the counts from them', async () => {
    const validation = app.splits!.validation;
    const pool = app.splits!.pool;
    await storeAnswers([validation[0], validation[1], pool[0]], 'pos');
    await storeAnswers([pool[1]], 'neg', 'another-model'); // another setup: not these labels
    expect(teacher.blocker()).toMatch(/Reading the answers/);
    await teacher.reload();
    expect(teacher.blocker()).toBeNull();
    expect([...teacher.labels.keys()].sort()).toEqual([validation[0], validation[1], pool[0]].sort());
    expect(teacher.labels.get(pool[0])).toMatchObject({ label: 'pos', n: 3, consistency: 1 });
    expect(teacher.answersOf(pool[0])).toEqual(['pos', 'pos', 'pos']);
    expect(teacher.counts).toEqual({ teacherLabeled: 3, validationLabeled: 2 });
    expect(stepFacts.counts).toMatchObject({ teacherLabeled: 3, validationLabeled: 2 });
    expect(stepFacts.of(app)).toMatchObject({ rows: 20, labeledRows: 20, validationSize: 4, teacherLabeled: 3 });

    // Switching the model is another setup: its one stored answer is the label now.
    app.settings.model = 'another-model';
    await teacher.reload();
    expect([...teacher.labels.keys()]).toEqual([pool[1]]);
    expect(teacher.counts).toEqual({ teacherLabeled: 1, validationLabeled: 0 });
  });

  it('watchKey() names the setup: the model and the codebook change it, a run setting that keys no answer does not', async () => {
    const before = teacher.watchKey();
    await app.updateSettings((s) => ({ teacher: { ...s.teacher, concurrency: 2 } }));
    expect(teacher.watchKey()).toBe(before);
    app.settings.model = 'gpt-4.1-mini';
    const other = teacher.watchKey();
    expect(other).not.toBe(before);
    await app.saveCodebook({ ...app.activeVersion!.codebook, instructions: 'Irony is negative.' });
    expect(teacher.watchKey()).not.toBe(other);
  });

  it('setupChanged() reloads once, after the setup stops changing', async () => {
    vi.useFakeTimers();
    const reload = vi.spyOn(teacher, 'reload').mockResolvedValue();
    teacher.setupChanged('a', app.rows);
    teacher.setupChanged('b', app.rows);
    teacher.setupChanged('b', app.rows); // the same setup again: nothing new
    vi.advanceTimersByTime(149);
    expect(reload).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(reload).toHaveBeenCalledTimes(1);
    teacher.setupChanged('b', [...app.rows]); // a new dataset under the same key reloads
    vi.advanceTimersByTime(150);
    expect(reload).toHaveBeenCalledTimes(2);
    reload.mockRestore();
  });

  it('reset() forgets the loaded labels and messages; the stored answers stay', async () => {
    await storeAnswers([app.splits!.pool[0]], 'neg');
    await teacher.reload();
    teacher.error = 'x';
    teacher.batch.message = { ok: true, text: 'y' };
    teacher.reset();
    expect([teacher.labels.size, teacher.counts.teacherLabeled, teacher.status, teacher.error, teacher.batch.message]).toEqual([
      0,
      0,
      'idle',
      null,
      null,
    ]);
    expect(teacher.blocker()).toMatch(/Reading the answers/); // the cache view must be read again
    await teacher.reload();
    expect(teacher.labels.size).toBe(1);
  });
});
