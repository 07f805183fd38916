// Importing a state module starts nothing: effects start from startStateEffects() (main.ts).
import { flushSync } from 'svelte';
import { describe, expect, it, vi } from 'vitest';

vi.mock('../store', async (importOriginal) => {
  const real = await importOriginal<typeof import('../store')>();
  return {
    ...real,
    listModels: vi.fn(real.listModels),
    eachPredictions: vi.fn(real.eachPredictions),
    latestComparison: vi.fn(real.latestComparison),
  };
});
vi.stubGlobal('location', { search: '' }); // tfjsPreference() reads ?tfjs=
const memory = new Map<string, string>();
vi.stubGlobal('localStorage', {
  getItem: (k: string) => memory.get(k) ?? null,
  setItem: (k: string, v: string) => void memory.set(k, v),
  removeItem: (k: string) => void memory.delete(k),
});

const store = await import('../store');
const { app, registeredStarters, startStateEffects, stateEffectsStarted } = await import('./app.svelte');
await import('./student.svelte');
await import('./compare.svelte');
await import('./teacher.svelte');
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('state effects', () => {
  // Svelte's server build (what Node resolves) never runs effects, so this spec checks the
  // import side only; the e2e suite sees the loaders run in the browser after startStateEffects.
  it('are registered on import but start nothing until startStateEffects', async () => {
    const project = await store.createProject('P');
    app.project = project;
    flushSync();
    await tick();
    expect(stateEffectsStarted()).toBe(false);
    expect(registeredStarters()).toBe(3); // student and compare loaders, the teacher's cache watcher
    expect(store.listModels).not.toHaveBeenCalled(); // student.reload
    expect(store.eachPredictions).not.toHaveBeenCalled(); // student.reload
    expect(store.latestComparison).not.toHaveBeenCalled(); // compare.load
    startStateEffects();
    startStateEffects(); // idempotent
    expect(stateEffectsStarted()).toBe(true);
  });
});
