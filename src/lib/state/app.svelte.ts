// The open project and everything loaded from IndexedDB for it. Components
// read these fields and call these verbs; every change is written through to
// the store first, so a reload returns to exactly this state.

import { untrack } from 'svelte';
import * as store from '../store';
import type { Project } from '../store';
import type { ColumnMapping, DataRow, Splits } from '../data/types';
import { proposeSplitsSliced, storedSplits } from '../data/split';
import { DatasetView } from '../train/dataset-view';
import type { Codebook, CodebookVersion } from '../codebook/types';
import { emptyCodebook, nextVersion, validateCodebook } from '../codebook/codebook';
import { SettingsState } from './settings.svelte';
import { BackendState, hasWebGPU, tfjsPreference } from './backend.svelte';
import { initTrainer } from '../workers/trainer';
import { withDefaults, type ProjectSettings } from '../project/settings';
import type { StepId } from '../project/workflow';

import { errorText } from '../ui/error-text';

// Components and state classes have long imported it from here.
export { errorText };

const LAST_PROJECT = 'surrogate.lastProject.v1';

export class AppState {
  settings = new SettingsState();
  backend = new BackendState();
  projects = $state.raw<Project[]>([]);
  project = $state.raw<Project | null>(null);
  rows = $state.raw<DataRow[]>([]);
  /** Indexes of the rows, prepared in slices by the verbs that load a dataset (train/dataset-view.ts). */
  #view = new DatasetView();
  /** Rows by id, built once per dataset and shared by every view. */
  rowById = $derived(this.#view.byId(this.rows));
  versions = $state.raw<CodebookVersion[]>([]);
  splitNotes = $state.raw<string[]>([]);
  step = $state<StepId>('data');
  error = $state<string | null>(null);
  loading = $state(true);

  /** The training pool's rows (train/training-rows.ts trainingPool), computed once per dataset or split. */
  pool = $derived(this.#view.pool(this.rows, this.splits));

  get projectSettings(): ProjectSettings {
    return withDefaults(this.project?.settings);
  }

  /** The project's splits; the record keeps only the held-out ids, the pool is every other row (see StoredSplits). */
  get splits(): Splits | null {
    return this.#view.splits(this.project?.splits ?? null, this.rows);
  }

  get mapping(): ColumnMapping | null {
    return this.project?.mapping ?? null;
  }

  /** The codebook version labels are made with: the chosen one, else the latest. */
  get activeVersion(): CodebookVersion | null {
    const want = this.projectSettings.activeVersion;
    return this.versions.find((v) => v.version === want) ?? this.versions.at(-1) ?? null;
  }

  get codebookProblems(): string[] | null {
    const v = this.activeVersion;
    return v ? validateCodebook(v.codebook) : null;
  }

  async init(): Promise<void> {
    // Only the cheap WebGPU check here: tfjs starts with the first step that needs it (App.svelte).
    void hasWebGPU().then((g) => (this.backend.webgpu = g));
    try {
      await store.cleanOnOpen(); // a project import a closed tab left half written is undone first
      this.projects = await store.listProjects();
      const last = localStorage.getItem(LAST_PROJECT);
      const pick = this.projects.find((p) => p.id === last) ?? this.projects[0];
      if (pick) await this.open(pick.id);
    } catch (e) {
      this.error = `Could not open this browser's local database: ${errorText(e)}`;
    } finally {
      this.loading = false;
    }
  }

  /** Finds which tfjs backend works (in the train worker) and whether WebGPU exists. */
  async detectBackends(): Promise<void> {
    if (this.backend.tfjsRequested) return;
    this.backend.tfjsRequested = true;
    this.backend.webgpu = await hasWebGPU();
    try {
      const r = await initTrainer(tfjsPreference());
      this.backend.tfjs = r.backend;
      this.backend.tfjsTried = r.tried;
    } catch (e) {
      this.backend.tfjsError = errorText(e);
    }
  }

  async open(id: string): Promise<void> {
    const p = await store.getProject(id);
    if (!p) throw new Error('That project no longer exists.');
    const [rows, versions] = await Promise.all([store.getRows(id), store.listCodebookVersions<CodebookVersion>(id)]);
    await this.#view.prepare(rows as DataRow[], p.splits);
    this.project = p;
    this.rows = rows as DataRow[];
    this.versions = versions;
    this.splitNotes = [];
    this.step = (p.step as StepId) || 'data';
    localStorage.setItem(LAST_PROJECT, id);
  }

  /** Rereads the project list (after a project file was imported). */
  async refreshProjects(): Promise<void> {
    this.projects = await store.listProjects();
  }

  async newProject(name: string): Promise<void> {
    const p = await store.createProject(name.trim() || 'Untitled project');
    this.projects = await store.listProjects();
    await this.open(p.id);
  }

  async deleteProject(): Promise<void> {
    if (!this.project) return;
    await store.deleteProject(this.project.id);
    this.project = null;
    this.rows = [];
    this.#view.clear();
    this.versions = [];
    localStorage.removeItem(LAST_PROJECT);
    this.projects = await store.listProjects();
    if (this.projects[0]) await this.open(this.projects[0].id);
  }

  async clearAll(): Promise<void> {
    await store.clearAllData();
    this.settings.reset();
    localStorage.removeItem(LAST_PROJECT);
    this.project = null;
    this.rows = [];
    this.#view.clear();
    this.versions = [];
    this.projects = [];
    this.step = 'data';
  }

  async setStep(step: StepId): Promise<void> {
    this.step = step;
    if (this.project) this.project = await store.updateProject(this.project.id, { step });
  }

  #settingsWrite: Promise<unknown> = Promise.resolve();

  /**
   * Merges `patch` into the project's settings. Writes are queued and a
   * function patch is applied to the settings as the previous write left
   * them: two quick edits (a timeout, then the requests at once) must not
   * write over each other with a stale copy, or a run starts with the old one.
   */
  updateSettings(patch: Partial<ProjectSettings> | ((s: ProjectSettings) => Partial<ProjectSettings>)): Promise<void> {
    const write = this.#settingsWrite.then(async () => {
      if (!this.project) return;
      const settings = { ...this.projectSettings, ...(typeof patch === 'function' ? patch(this.projectSettings) : patch) };
      this.project = await store.updateProject(this.project.id, { settings: settings as unknown as Record<string, unknown> });
    });
    this.#settingsWrite = write.catch(() => undefined);
    return write;
  }

  /** Resolves once every settings write queued so far has landed (a run reads the settings as saved). */
  settingsSaved(): Promise<void> {
    return this.#settingsWrite.then(() => undefined);
  }

  /** Replaces the project's dataset (one transaction) and proposes splits. */
  /**
   * Makes `rows` the project's dataset. `write` stores them instead of the
   * page (the mapping worker, which holds the same rows: Mapper.storeRows).
   */
  async importRows(
    rows: DataRow[],
    mapping: ColumnMapping,
    opts: { onProgress?: (done: number, total: number) => void; write?: (projectId: string) => Promise<void> } = {},
  ): Promise<void> {
    if (!this.project) await this.newProject('My project');
    const id = this.project!.id;
    await (opts.write ? opts.write(id) : store.putRows(id, rows, opts.onProgress));
    const { splits, notes } = await proposeSplitsSliced(rows, this.projectSettings.splitSizes, this.projectSettings.seed);
    const project = await store.updateProject(id, { mapping, splits: storedSplits(splits) });
    await this.#view.prepare(rows, project.splits);
    this.project = project;
    this.rows = rows;
    this.splitNotes = notes;
    this.projects = await store.listProjects();
  }

  async resplit(sizes: { validation: number; test: number }, seed: number): Promise<void> {
    if (!this.project) return;
    const { splits, notes } = await proposeSplitsSliced(this.rows, sizes, seed);
    await this.updateSettings({ splitSizes: sizes, seed });
    const project = await store.updateProject(this.project.id, { splits: storedSplits(splits) });
    await this.#view.prepare(this.rows, project.splits);
    this.project = project;
    this.splitNotes = notes;
  }

  /** Saves the codebook as a new version when it changed; returns that version. */
  async saveCodebook(cb: Codebook): Promise<CodebookVersion | null> {
    if (!this.project) return null;
    const v = nextVersion(this.versions, cb);
    if (!v) return this.versions.at(-1) ?? null;
    await store.saveCodebookVersion(this.project.id, v);
    this.versions = [...this.versions, v];
    await this.updateSettings({ activeVersion: v.version });
    return v;
  }

  /**
   * Back to a first start's state: no project open, nothing loaded, default
   * endpoint settings (their saved copy forgotten too) and nothing detected.
   * The database is not touched (clearAll empties it). For tests.
   */
  reset(): void {
    this.settings.reset();
    this.backend.reset();
    this.projects = [];
    this.project = null;
    this.rows = [];
    this.#view.clear();
    this.versions = [];
    this.splitNotes = [];
    this.step = 'data';
    this.error = null;
    this.loading = true;
    this.#settingsWrite = Promise.resolve();
  }

  draftCodebook(): Codebook {
    return structuredClone($state.snapshot(this.activeVersion?.codebook) ?? emptyCodebook());
  }
}

export const app = new AppState();

/*
 * State effects start in one place: `startStateEffects()`, called once by
 * main.ts. Modules only *register* what should run (a per-project loader, a
 * watcher); nothing starts when a module is imported, so a module can be
 * imported in a test, or lazily with its step, without side effects. A module
 * that registers after the start (a lazily loaded step) is started at once.
 */
type Starter = () => void;
const starters: Starter[] = [];
let started = false;

/** Registers effects to create inside the app's effect root (started by startStateEffects). */
export function onStateStart(start: Starter): void {
  starters.push(start);
  if (started) $effect.root(start);
}

/** Starts every registered effect; later registrations start as they come. Idempotent. */
export function startStateEffects(): void {
  if (started) return;
  started = true;
  $effect.root(() => {
    for (const start of starters) start();
  });
}

/** Whether startStateEffects has run, and how many starters are registered (tests). */
export function stateEffectsStarted(): boolean {
  return started;
}
export const registeredStarters = (): number => starters.length;

/**
 * Runs `load` on start and whenever another project opens (not on every
 * change of the open project), reporting failures through `fail`. For module
 * singletons that keep per-project data loaded from the store.
 */
export function onProjectOpen(load: () => Promise<void>, fail: (e: unknown) => void): void {
  let loadedFor: string | null | undefined;
  onStateStart(() => {
    $effect(() => {
      const id = app.project?.id ?? null;
      untrack(() => {
        if (id === loadedFor) return;
        loadedFor = id;
        load().catch(fail);
      });
    });
  });
}
