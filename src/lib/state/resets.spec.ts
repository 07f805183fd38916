// reset() of the small state classes: each returns to what a first start
// shows, so specs use the real classes instead of faking them.
import { describe, expect, it } from 'vitest';
import '../../../tests/unit/page-globals';

const { SettingsState, DEFAULT_ENDPOINT } = await import('./settings.svelte');
const { BackendState } = await import('./backend.svelte');
const { LocalTeacherState } = await import('./local-teacher.svelte');
const { OfflineState } = await import('./offline.svelte');
const { StepFacts } = await import('./facts.svelte');

describe('reset()', () => {
  it('SettingsState: the default endpoint, and the saved one and the key forgotten', () => {
    const s = new SettingsState();
    Object.assign(s, { baseURL: 'http://localhost:1234/v1', model: 'm', apiKey: 'sk-x', remember: true });
    s.save();
    expect(new SettingsState()).toMatchObject({ model: 'm', apiKey: 'sk-x' });
    s.reset();
    expect(s).toMatchObject({ ...DEFAULT_ENDPOINT, apiKey: '', remember: false });
    expect(new SettingsState()).toMatchObject({ ...DEFAULT_ENDPOINT, apiKey: '' });
  });

  it('BackendState: nothing detected; the encoder’s runtime is read from its owner', () => {
    const b = new BackendState();
    Object.assign(b, { tfjs: 'cpu', tfjsTried: [{ name: 'cpu', ok: true }], webgpu: true, tfjsRequested: true });
    expect(b.label).toBe('tfjs: cpu · transformers.js: webgpu'); // predicted before an encoder loads
    let runtime: { device: string; threads: number } | null = null;
    b.provideEmbedRuntime(() => runtime); // the encoder's owner reports where it runs
    runtime = { device: 'wasm', threads: 4 };
    expect([b.label, b.embedThreads]).toEqual(['tfjs: cpu · transformers.js: wasm', 4]);
    b.reset();
    runtime = null;
    expect(b.label).toBe('tfjs: not loaded yet · transformers.js: …');
    expect([b.tfjsTried, b.tfjsError, b.embedThreads]).toEqual([[], null, null]);
  });

  it('LocalTeacherState: switched off with the first preset, and the remembered choice forgotten', () => {
    const t = new LocalTeacherState();
    const first = { modelId: t.modelId, dtype: t.dtype };
    Object.assign(t, { enabled: true, modelId: 'someone/model', revision: 'v2', device: 'wasm' });
    t.save();
    expect(new LocalTeacherState()).toMatchObject({ enabled: true, modelId: 'someone/model' });
    expect(t.endpoint).not.toBeNull();
    t.error = 'x';
    t.reset();
    expect(t).toMatchObject({ ...first, enabled: false, revision: 'main', device: 'auto', status: 'idle', error: null });
    expect(t.endpoint).toBeNull();
    expect(new LocalTeacherState()).toMatchObject({ enabled: false, ...first });
  });

  it('OfflineState: off, nothing cached', () => {
    const o = new OfflineState();
    Object.assign(o, { status: 'ready', error: 'x', reloadForThreads: true, modelBusy: true, isolation: 'headers' });
    o.reset();
    expect(o).toMatchObject({ status: 'off', error: null, cache: null, reloadForThreads: false, modelBusy: false, isolation: 'none' });
  });

  it('StepFacts: sums what its owners provide, 0 without them', () => {
    const f = new StepFacts();
    let labeled = 3;
    f.provide(() => ({ teacherLabeled: labeled, validationLabeled: 1 }));
    f.provide(() => ({ models: 2 }));
    expect(f.counts).toEqual({ teacherLabeled: 3, validationLabeled: 1, models: 2, comparisons: 0 });
    labeled = 5; // read each time, never copied
    expect(f.counts.teacherLabeled).toBe(5);
    f.reset();
    expect(f.counts).toEqual({ teacherLabeled: 0, validationLabeled: 0, models: 0, comparisons: 0 });
  });
});
