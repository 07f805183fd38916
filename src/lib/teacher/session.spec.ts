// The teacher session (Start to end) over fake deps and the real queue with a
// fake `send`: the order of its steps, the marker written and cleared around
// a run, and how each early end reads (no setup, nothing to label, a cancel
// during the probe, a probe that says the run cannot work, the local model).
import { describe, expect, it } from 'vitest';
import type { CodebookVersion } from '../codebook/types';
import type { DataRow } from '../data/types';
import { answer, makeJob } from './queue.fixture';
import type { TeacherController } from './queue';
import type { RunMarker } from './resume';
import { NOTHING_TO_LABEL, runSession, teacherSetup, type SessionDeps, type TeacherSetup } from './session';
import { guessProfile } from './profile';
import { startProgress } from './run-controls';
import type { TeacherResponse } from './types';

const job = makeJob(3);
const setupOf = (key: string, baseURL = 'http://mock.test/v1'): TeacherSetup => ({
  projectId: 'p1',
  projectName: 'P',
  rows: [],
  version: { version: 1 } as CodebookVersion,
  settings: { ...job.settings, baseURL },
  run: {} as TeacherSetup['run'],
  caps: guessProfile(baseURL, 'mock'),
  key,
});

/** Fake deps recording each step; `over` replaces any of them. */
function fake(over: Partial<SessionDeps> = {}) {
  const steps: string[] = [];
  const stored: TeacherResponse[] = [];
  const markers = new Map<string, RunMarker>();
  let setups = 0;
  const deps: SessionDeps = {
    ready: async () => void steps.push('ready'),
    // The probe teaches the profile: the second setup has another key.
    setup: () => setupOf(`key${++setups}`),
    profile: async (s) => (steps.push(`probe ${s.key}`), { profile: s.caps, note: null }),
    view: async (key) => void steps.push(`view ${key}`),
    job: async (s) => (steps.push(`job ${s.key}`), job),
    remote: async () => (steps.push('remote'), { send: async (req) => answer(req) }),
    local: {
      load: async () => void steps.push('local load'),
      prepare: async () => void steps.push('local prepare'),
      run: () => {
        throw new Error('not local');
      },
    },
    markers: {
      write: async (id, m) => void (steps.push(`marker ${m.key} ${m.total}`), markers.set(id, m)),
      clear: async (id) => void (steps.push('marker cleared'), markers.delete(id)),
    },
    effects: () => ({
      getCached: async () => new Map(),
      put: async (rs) => void stored.push(...rs),
      onProgress: () => {},
    }),
    cancelled: () => false,
    onRunning: () => void steps.push('running'),
    onNote: (text) => void steps.push(`note ${text}`),
    onBegin: (s) => void steps.push(`begin ${s.key}`),
    onController: () => void steps.push('controller'),
    now: () => 42,
    ...over,
  };
  return { deps, steps, stored, markers };
}

describe('runSession', () => {
  it('probes, reads the view of the setup the probe settled, writes the marker, runs the queue to its end and clears the marker', async () => {
    const f = fake();
    const end = await runSession({}, f.deps);
    expect(end).toMatchObject({ status: 'done', error: null, ran: true });
    expect(end.summary?.done).toBe(3 * job.settings.repeats);
    expect(f.steps).toEqual([
      'ready',
      'running',
      'probe key1',
      'view key2',
      'job key2',
      'remote',
      'begin key2',
      `marker key2 ${3 * job.settings.repeats}`,
      'controller',
      'marker cleared',
    ]);
    expect(f.stored).toHaveLength(3 * job.settings.repeats);
    expect(f.markers.size).toBe(0);
  });

  it('without a setup nothing runs and the status stays idle, with the reason', async () => {
    const f = fake({ setup: () => 'Import a dataset first.' });
    expect(await runSession({}, f.deps)).toEqual({ status: 'idle', summary: null, error: 'Import a dataset first.', ran: false });
    expect(f.steps).toEqual(['ready']);
  });

  it('an empty scope says so and writes no marker', async () => {
    const f = fake({ job: async () => ({ ...job, items: [] }) });
    expect(await runSession({}, f.deps)).toMatchObject({ status: 'idle', error: NOTHING_TO_LABEL, ran: false });
    expect(f.steps.some((s) => s.startsWith('marker'))).toBe(false);
  });

  it('Cancel during the probe ends it cancelled, without a marker or an error', async () => {
    let cancelled = false;
    const f = fake({ profile: async (s) => ((cancelled = true), { profile: s.caps, note: null }), cancelled: () => cancelled });
    expect(await runSession({}, f.deps)).toMatchObject({ status: 'cancelled', error: null, ran: false });
    expect(f.markers.size).toBe(0);
  });

  it('a probe that shows the run cannot work ends in error with its words; a busy server only leaves a note', async () => {
    const bad = fake({
      profile: async () => {
        throw new Error('Incorrect API key provided.');
      },
    });
    expect(await runSession({}, bad.deps)).toMatchObject({ status: 'error', error: 'Incorrect API key provided.', ran: false });
    const busy = fake({ profile: async (s) => ({ profile: s.caps, note: 'The model could not be checked (429).' }) });
    expect(await runSession({}, busy.deps)).toMatchObject({ status: 'done' });
    expect(busy.steps).toContain('note The model could not be checked (429).');
  });

  it('the resend mode reaches the job the queue runs', async () => {
    let sent = 0;
    const f = fake({ remote: async () => ({ send: async (req) => (sent++, answer(req)) }) });
    await runSession({ resend: 'failed' }, f.deps);
    expect(sent).toBe(0); // nothing is stored as failed, so nothing is sent again (a plain run sends every request)
  });

  it('the in-browser model is loaded and prepared instead of probed, and runs the job itself', async () => {
    const controller: TeacherController = {
      pause() {},
      resume() {},
      cancel() {},
      setBudget() {},
      done: Promise.resolve({ ...startProgress(1, true, 1), state: 'done', failures: [], capabilities: guessProfile('', '') }),
    };
    const f = fake({ setup: () => setupOf('local-key', 'local:smollm2') });
    f.deps.local.run = () => (f.steps.push('local run'), controller);
    expect(await runSession({}, f.deps)).toMatchObject({ status: 'done', ran: true });
    expect(f.steps.filter((s) => s.startsWith('local') || s.startsWith('probe') || s === 'remote')).toEqual([
      'local load',
      'local prepare',
      'local run',
    ]);
  });
});

describe('teacherSetup', () => {
  const version = { version: 1, hash: 'cb', codebook: { labels: [] } } as unknown as CodebookVersion;
  const inputs = {
    project: { id: 'p1', name: 'P' },
    rows: [{ id: 'r', text: 't', human: null, hash: 'h' }] as DataRow[],
    version,
    codebookProblems: [],
    local: null,
    endpoint: { baseURL: 'http://mock.test/v1', model: 'mock', apiKey: '', ready: true },
    run: { repeats: 3 } as TeacherSetup['run'],
  };
  it('names what is missing, in the order a user meets it', () => {
    expect(teacherSetup({ ...inputs, rows: [] })).toBe('Import a dataset first.');
    expect(teacherSetup({ ...inputs, version: null })).toMatch(/Save a codebook/);
    expect(teacherSetup({ ...inputs, codebookProblems: ['x'] })).toMatch(/needs fixes/);
    expect(teacherSetup({ ...inputs, endpoint: { ...inputs.endpoint, ready: false } })).toMatch(/Set the LLM endpoint/);
  });

  it('the in-browser model replaces the endpoint and answers once per text', () => {
    const remote = teacherSetup(inputs) as TeacherSetup;
    const local = teacherSetup({ ...inputs, local: { baseURL: 'local:smollm2', model: 'smollm2' } }) as TeacherSetup;
    expect([remote.settings.repeats, local.settings.repeats]).toEqual([3, 1]);
    expect(local.settings.baseURL).toBe('local:smollm2');
    expect(local.key).not.toBe(remote.key);
  });
});
