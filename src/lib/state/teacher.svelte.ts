// The LLM teacher for the open project: labels rebuilt from the IndexedDB
// answer cache (so a reload shows them without a call), and the live run with
// pause, resume, cancel and a budget. Every answer is stored as it arrives;
// a second run over the same setup only asks for what is missing. The run is
// teacher/session.ts over this class's #deps(); the cache view, the model
// profiles, the privacy log and the Batch files are held parts (view,
// models, log, batch). queue.ts/cost.ts (gpt-tokenizer's large table) and
// the openai SDK are imported only when a run or a probe is about to send.

import { untrack } from 'svelte';
import * as store from '../store';
import type { DataRow } from '../data/types';
import { priceInfo } from '../teacher/prices';
import { describeProfile } from '../teacher/profile-store';
import type { TeacherJob } from '../teacher/tasks';
import type { TeacherController, TeacherProgress, TeacherSummary, RunState } from '../teacher/queue';
import type { Capabilities, TeacherLabel, TeacherResponse } from '../teacher/types';
import { app, errorText, onStateStart } from './app.svelte';
import { stepFacts } from './facts.svelte';
import { budgetOf, makeJob, ScopeIds, type TeacherRunSettingsX } from '../teacher/job';
import { buildPreview, type TeacherPreview } from '../teacher/preview';
import { checkMarker, runMarkers, type Interrupted } from '../teacher/resume';
import type { StoredFailure } from '../teacher/failures';
import type { Resend } from '../teacher/attempts';
import { localTeacher } from './local-teacher.svelte';
import { TeacherView } from './teacher-view.svelte';
import { TeacherModels } from './teacher-models.svelte';
import { SendLogState } from './send-log.svelte';
import { TeacherBatch } from './teacher-batch.svelte';
import { runSession, teacherSetup, type SessionDeps, type TeacherSetup } from '../teacher/session';

const markers = runMarkers(store);

export class TeacherState {
  /** The live run's progress; null before the first run in this tab. */
  progress = $state.raw<TeacherProgress | null>(null);
  /** How the last run ended (failures included); null while none has ended. */
  summary = $state.raw<TeacherSummary | null>(null);
  /** 'idle' when no run exists in this tab, else the run's state. */
  status = $state<RunState | 'idle'>('idle');
  error = $state<string | null>(null);
  /** A run of this project that never ended (a reload or a closed tab); the Teacher step offers to continue it. */
  interrupted = $state.raw<Interrupted | null>(null);
  /**
   * Counts the changes to the stored answers made outside the live view (a
   * run that ended, a Batch import): a reader of every stored answer (the
   * Validate step's version table) rereads on it, not on each live rebuild.
   */
  storedChanges = $state(0);
  /** The answers stored under the current setup, and the labels and failures rebuilt from them. */
  readonly view = new TeacherView();
  /** Model profiles and prices; a probe that learns one rereads the labels (the profile is part of the setup key). */
  readonly models = new TeacherModels(() => void this.reload());
  /** The privacy log of the open project. */
  readonly log = new SendLogState((message) => (this.error = message));
  /** Batch files out and in; an import changes the stored answers outside the live view. */
  readonly batch = new TeacherBatch({
    setup: () => this.#context(),
    job: (c, profile) => this.#job(c, profile),
    models: this.models,
    getCached: store.usableResponses,
    stored: async () => {
      await this.reload();
      this.storedChanges++;
    },
  });

  /** Answers the running run stored, kept for a reload that began before they landed. */
  #runAnswers: TeacherResponse[] = [];
  #controller: TeacherController | null = null;
  #runKey: string | null = null;
  #cancelledEarly = false;
  /** The setup the cache watcher last saw, and its pending (debounced) reload. */
  #watched: { key: string; rows: DataRow[] } | null = null;
  #watchTimer: ReturnType<typeof setTimeout> | null = null;
  #scope = new ScopeIds();

  /** rowId → teacher label, for rows with at least one stored answer under the current setup. */
  get labels(): Map<string, TeacherLabel> {
    return this.view.labels;
  }

  get failures(): StoredFailure[] {
    return this.view.failures;
  }

  get retryable(): number {
    return this.view.retryable;
  }

  /** Texts with a valid label, and those of the validation sample: the stepper's counts. */
  get counts(): { teacherLabeled: number; validationLabeled: number } {
    return this.view.counts;
  }

  /** True while a run exists (running, paused, waiting or over budget). */
  get active(): boolean {
    return this.status === 'running' || this.status === 'paused' || this.status === 'waiting-retry' || this.status === 'budget';
  }

  /** Parsed answers of a row in repeat order (null = invalid answer); repeats never answered are left out. */
  answersOf(rowId: string): (string | null)[] {
    return this.responsesOf(rowId).map((r) => (r.valid ? r.label : null));
  }

  /** The stored answers of a row under the current setup, in repeat order (raw text, reason if invalid); never more than the repeats asked for. */
  responsesOf(rowId: string): TeacherResponse[] {
    return this.view.responsesOf(rowId, app.projectSettings.teacher.repeats);
  }

  /** Where the labels come from (TeacherModels.endpoint). */
  get endpoint(): TeacherModels['endpoint'] {
    return this.models.endpoint;
  }

  /**
   * Why labeling cannot start, or null when it can. Besides the setup, the
   * project's splits and the cache view of its setup must be loaded: a run
   * started before them would label the wrong scope or show nothing it stored.
   */
  blocker(): string | null {
    const c = this.#context();
    if (typeof c === 'string') return c;
    if (app.loading || !app.splits) return 'Loading the project…';
    if (!this.view.loaded(c.key, app.rows)) return 'Reading the answers already stored for this setup…';
    return null;
  }

  #context(): TeacherSetup | string {
    return teacherSetup({
      project: app.project,
      rows: app.rows,
      version: app.activeVersion,
      codebookProblems: app.codebookProblems,
      local: localTeacher.endpoint,
      endpoint: app.settings,
      run: app.projectSettings.teacher as TeacherRunSettingsX,
    });
  }

  /** Probes the current endpoint and model again (the "Check model" button). */
  checkModel(): Promise<void> {
    return this.models.check(() => this.#context());
  }

  /** Rebuilds `labels` from the answer cache for the current setup (teacher.view). No network. */
  async reload(): Promise<void> {
    const setup = async () => {
      await this.models.load();
      return this.#context();
    };
    try {
      const c = await this.view.read(setup, (key) => (this.#runKey === key ? this.#runAnswers : []));
      if (typeof c === 'string') this.interrupted = null;
      else if (c) await this.#checkInterrupted(c);
    } catch (e) {
      this.error = `Could not read the stored LLM answers: ${errorText(e)}`;
    }
  }

  /** Sets `interrupted` from the project's run marker, unless a run is live in this tab (or the marker's run is complete). */
  async #checkInterrupted(c: TeacherSetup): Promise<void> {
    const live = () => this.active || this.#controller !== null;
    const found = await checkMarker(markers, c, () => this.#job(c), this.view.byText, live);
    if (found !== 'live') this.interrupted = found;
  }

  /** Forgets the interrupted run (the banner's "Dismiss"); its answers stay stored. */
  async dismissInterrupted(): Promise<void> {
    this.interrupted = null;
    const id = app.project?.id;
    if (id) await markers.clear(id);
  }

  /** The run's job: the scope's rows under the current settings and `caps`. */
  async #job(c: TeacherSetup, caps: Capabilities = c.caps): Promise<TeacherJob> {
    const o = { scope: c.run.scope ?? 'paper', poolN: c.run.poolN, seed: app.projectSettings.seed };
    const ids = await this.#scope.of(c.rows, app.splits, o, { byId: app.rowById, pool: app.pool });
    const rows = ids.map((id) => app.rowById.get(id)).filter((r): r is DataRow => r !== undefined);
    return makeJob({
      rows,
      version: c.version,
      settings: c.settings,
      capabilities: caps,
      price: this.models.priceOf(c.settings.baseURL, c.settings.model),
      projectId: c.projectId,
    });
  }

  /** Estimate, cache coverage and the prompt exactly as sent, for the scope. */
  async preview(): Promise<TeacherPreview> {
    await this.models.load();
    const c = this.#context();
    if (typeof c === 'string') throw new Error(c);
    return buildPreview(await this.#job(c), c.caps, priceInfo(c.settings.baseURL, c.settings.model, this.models.prices), (keys) =>
      store.usableResponses(c.projectId, keys),
    );
  }

  /** Sends again exactly the requests stored as failed (after all their retries) under the current setup. */
  retryFailed(): Promise<void> {
    return this.start({ resend: 'failed' });
  }

  /** Starts a run over the scope (teacher/session.ts); resolves when it ends (done, cancelled or error). */
  async start(opts: { resend?: Resend } = {}): Promise<void> {
    if (this.active) return;
    this.error = null;
    this.summary = null;
    this.#cancelledEarly = false;
    try {
      const end = await runSession(opts, this.#deps());
      if (end.summary) this.summary = end.summary;
      this.status = end.status;
      if (end.error) this.error = end.error;
    } finally {
      const ran = this.#controller !== null;
      this.#controller = null;
      await this.log.flush();
      if (this.#runKey === this.view.key) await this.view.rebuild();
      else if (ran) void this.reload();
      this.#runKey = null;
      this.#runAnswers = [];
      this.storedChanges++;
    }
  }

  /** The session's effects: this tab's store, probe, models and live view. */
  #deps(): SessionDeps {
    return {
      ready: async () => {
        // A setting changed just before Start (requests at once, repeats) must be the one the run uses.
        await app.settingsSaved();
        await this.models.load();
      },
      setup: () => this.#context(),
      profile: (c) => this.models.ensure(c),
      // The cache view must be the one of this setup, read to the end (a reload in flight may predate it).
      view: async (key) => {
        for (let i = 0; i < 5 && !this.view.loaded(key, app.rows); i++) await this.reload();
      },
      job: (c, profile) => this.#job(c, profile),
      // cost.ts brings gpt-tokenizer: the queue paces estimated tokens with it (TPM limits, token headers).
      remote: async (settings) => {
        const [client, cost] = await Promise.all([import('../teacher/client'), import('../teacher/cost')]);
        return { send: client.sendWith(client.createClient(settings)), countTokens: cost.estimateTokens };
      },
      local: {
        load: () => localTeacher.load(),
        prepare: (job) => localTeacher.prepare(job),
        run: (job, effects) => localTeacher.run(job, effects),
      },
      markers,
      effects: (c) => ({
        getCached: (keys) => store.usableResponses(c.projectId, keys),
        put: async (rs) => {
          await store.putResponses(rs);
          this.#runAnswers.push(...rs);
          this.view.add(this.#runKey, rs);
        },
        onProgress: (p) => {
          this.progress = p;
          this.status = p.state;
        },
        onLog: (e) => this.log.push({ ...e, projectId: c.projectId }),
        onCapabilities: (caps) => void this.models.remember(c.settings, caps).catch((e) => (this.error = errorText(e))),
      }),
      cancelled: () => this.#cancelledEarly,
      onRunning: () => (this.status = 'running'),
      onNote: (text) => (this.models.probeMessage = { ok: false, text }),
      onBegin: (c) => {
        this.#runKey = c.key;
        this.#runAnswers = [];
        this.interrupted = null;
      },
      onController: (c) => (this.#controller = c),
    };
  }

  pause(): void {
    this.#controller?.pause();
  }

  resume(): void {
    this.#controller?.resume();
  }

  /**
   * The page is about to go (reload, closed tab): send nothing new. The old
   * page runs on until the next one commits, and whatever it sends then is
   * never answered here and asked again after the reload. Should the page
   * stay after all, the run goes on after a few seconds.
   */
  holdForUnload(): void {
    const c = this.#controller;
    if (!c || this.status !== 'running') return;
    c.pause();
    setTimeout(() => {
      if (this.#controller === c && this.status === 'paused') c.resume();
    }, 3000);
  }

  /** Stops sending at once: in-flight requests are aborted, nothing new goes out. */
  cancel(): void {
    if (!this.#controller && this.active) this.#cancelledEarly = true;
    this.models.abortProbe();
    this.#controller?.cancel();
  }

  /** New budget for the running run and the project; resumes when it is no longer exceeded. */
  async setBudget(budgetTokens: number | null, budgetCost: number | null): Promise<void> {
    await app.updateSettings((s) => ({ teacher: { ...s.teacher, budgetTokens, budgetCost } }));
    this.#controller?.setBudget(budgetOf(budgetTokens, budgetCost));
  }

  /** Saves run settings on the project (a changed setup reloads the labels). */
  async updateRun(patch: Partial<TeacherRunSettingsX>): Promise<void> {
    await app.updateSettings((s) => ({ teacher: { ...s.teacher, ...patch } }));
  }

  /**
   * Called by the cache watcher with the current watchKey() and rows: a new
   * setup (or a new dataset of the same size) reloads the labels, debounced,
   * since the endpoint fields change per keystroke.
   */
  setupChanged(key: string, rows: DataRow[]): void {
    if (this.#watched?.key === key && this.#watched.rows === rows) return;
    this.#watched = { key, rows };
    if (this.#watchTimer) clearTimeout(this.#watchTimer);
    this.#watchTimer = setTimeout(() => {
      this.#watchTimer = null;
      void this.reload();
    }, 150);
  }

  /**
   * Back to a fresh page's state: nothing loaded, no run, no message; a run
   * in flight is cancelled and pending timers are dropped (tests; the stored
   * answers stay).
   */
  reset(): void {
    this.#controller?.cancel();
    this.#controller = null;
    if (this.#watchTimer) clearTimeout(this.#watchTimer);
    this.#watchTimer = null;
    this.view.reset();
    this.log.reset();
    this.models.reset();
    this.#watched = null;
    this.#scope = new ScopeIds();
    this.#runAnswers = [];
    this.#runKey = null;
    this.#cancelledEarly = false;
    this.progress = this.summary = this.error = this.interrupted = null;
    this.status = 'idle';
    this.batch.reset();
    this.storedChanges = 0;
  }

  /**
   * What decides the labels, read inside an effect so a change reloads them:
   * the setup's key (setupKey, the same one a reload reads the cache under),
   * or the reason there is none yet; and the validation sample, which decides
   * the run's scope (the interrupted-run banner counts it).
   */
  watchKey(): string {
    const c = this.#context();
    return JSON.stringify([app.loading, typeof c === 'string' ? c : c.key, app.splits?.validation.length ?? 0]);
  }
}

export { describeProfile };
export type { SendLogEntry } from '../teacher/queue';
export type { TeacherPreview };
export type { BatchFileInfo } from '../teacher/batch-files';

export const teacher = new TeacherState();
stepFacts.provide(() => teacher.counts);

// Reload the labels from the cache on startup, project open, codebook version
// or settings change.
onStateStart(() => {
  $effect(() => {
    const key = teacher.watchKey();
    const rows = app.rows; // a new dataset of the same size still reloads
    untrack(() => teacher.setupChanged(key, rows));
  });
});
if (typeof addEventListener === 'function') {
  addEventListener('pagehide', () => void teacher.log.flush());
  addEventListener('beforeunload', () => teacher.holdForUnload());
}
