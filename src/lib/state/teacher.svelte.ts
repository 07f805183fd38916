// The LLM teacher for the open project: labels rebuilt from the IndexedDB
// answer cache (so a reload shows them without a call), and the live run with
// pause, resume, cancel and a budget. Every answer is stored as it arrives;
// a second run over the same setup only asks for what is missing.
// queue.ts/cost.ts pull in gpt-tokenizer's large table, so they are loaded
// with import() when a run or an estimate is first wanted. The model profile
// of each (endpoint, model) is probed once, before the first run or Batch
// export, and remembered in the store. The openai SDK (teacher/client.ts) is
// likewise imported only when a probe or a run is about to send.
// The jobs are plain modules in teacher/: the run (session.ts), the answers
// by text (answer-view.ts), profiles and prices (profile-store.ts), the
// privacy log's buffer (send-log.ts); this class holds their state for display.

import { untrack } from 'svelte';
import * as store from '../store';
import type { DataRow } from '../data/types';
import { priceInfo } from '../teacher/prices';
import { describeProfile } from '../teacher/profile-store';
import type { TeacherJob } from '../teacher/tasks';
import { hashesById, setupAnswers } from '../teacher/stored-view';
import type { TeacherController, TeacherProgress, TeacherSummary, RunState } from '../teacher/queue';
import { usableBy, type Capabilities, type TeacherLabel, type TeacherResponse, type TeacherSettings } from '../teacher/types';
import { app, errorText, onStateStart } from './app.svelte';
import { stepFacts } from './facts.svelte';
import { makeJob, scopeIdsSteps, type TeacherRunSettingsX } from '../teacher/job';
import { runSliced } from '../store/yield';
import { batchExport, type BatchFileInfo, type BatchImportReport, type BatchIo } from '../teacher/batch-files';
import { importBatchFiles } from '../workers/project-file';
import { download } from '../ui/download';
import { buildPreview, type TeacherPreview } from '../teacher/preview';
import { runMarkers, settledCount, type Interrupted } from '../teacher/resume';
import type { StoredFailure } from '../teacher/failures';
import type { Resend } from '../teacher/attempts';
import { localTeacher } from './local-teacher.svelte';
import { AnswerView, usableAnswers, viewLabels } from '../teacher/answer-view';
import { TeacherModels } from './teacher-models.svelte';
import { SendLogState } from './send-log.svelte';
import { runSession, teacherSetup, type SessionDeps, type TeacherSetup } from '../teacher/session';

const markers = runMarkers(store);
/** The stored answers for `keys` that project `projectId` may use (answer-view.ts usableAnswers). */
async function cachedFor(projectId: string, keys: string[]): Promise<Map<string, TeacherResponse>> {
  return usableAnswers(projectId, await store.getResponses<TeacherResponse>(keys));
}

/** The store and the download, as the Batch files need them. */
const batchIo: BatchIo = {
  getCached: cachedFor,
  putResponses: (rs) => store.putResponses(rs),
  kvGet: (key) => store.kvGet<unknown>(key),
  kvSet: (key, value) => store.kvSet(key, value),
  save: (name, file) => download(name, file),
};

export class TeacherState {
  /** rowId → teacher label, for rows with at least one stored answer under the current setup. */
  labels = $state.raw<Map<string, TeacherLabel>>(new Map());
  /** The live run's progress; null before the first run in this tab. */
  progress = $state.raw<TeacherProgress | null>(null);
  /** How the last run ended (failures included); null while none has ended. */
  summary = $state.raw<TeacherSummary | null>(null);
  /** Failures stored under the current setup (failed requests, empty or cut answers): shown after a reload too. */
  failures = $state.raw<StoredFailure[]>([]);
  /** Answers "Retry failed" would ask for again (failed requests; empty or cut answers need another cap). */
  retryable = $state(0);
  /** 'idle' when no run exists in this tab, else the run's state. */
  status = $state<RunState | 'idle'>('idle');
  error = $state<string | null>(null);
  /** Plain-words outcome of the last batch export/import. */
  batchMessage = $state<{ ok: boolean; text: string } | null>(null);
  /** The files of the last Batch export (requests, size, input tokens). */
  batchFiles = $state.raw<BatchFileInfo[]>([]);
  /** A run of this project that never ended (a reload or a closed tab); the Teacher step offers to continue it. */
  interrupted = $state.raw<Interrupted | null>(null);
  /**
   * Counts the changes to the stored answers made outside the live view (a
   * run that ended, a Batch import): a reader of every stored answer (the
   * Validate step's version table) rereads on it, not on each live rebuild.
   */
  storedChanges = $state(0);
  /** Model profiles and prices; a probe that learns one rereads the labels (the profile is part of the setup key). */
  readonly models = new TeacherModels(() => void this.reload());
  /** The privacy log of the open project. */
  readonly log = new SendLogState((message) => (this.error = message));

  /** Texts with a valid label, and those of the validation sample: the stepper's counts. */
  counts = $derived.by(() => {
    let teacherLabeled = 0;
    for (const l of this.labels.values()) if (l.label !== null) teacherLabeled += 1;
    const validationLabeled = (app.splits?.validation ?? []).filter((id) => this.labels.get(id)?.label != null).length;
    return { teacherLabeled, validationLabeled };
  });

  #view = new AnswerView();
  // Reactive, so the start button waits for the cache view (blocker()).
  #loadedKey = $state<string | null>(null);
  #loadedRows = $state.raw<DataRow[] | null>(null);
  #reloads = $state(0);
  /** Answers the running run stored, kept for a reload that began before they landed. */
  #runAnswers: TeacherResponse[] = [];
  #reloadSeq = 0;
  #rebuildSeq = 0;
  #controller: TeacherController | null = null;
  #runKey: string | null = null;
  #rebuildTimer: ReturnType<typeof setTimeout> | null = null;
  #cancelledEarly = false;
  /** The setup the cache watcher last saw, and its pending (debounced) reload. */
  #watched: { key: string; rows: DataRow[] } | null = null;
  #watchTimer: ReturnType<typeof setTimeout> | null = null;
  #scope: { rows: DataRow[]; key: string; ids: string[] } | null = null;

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
    return this.#view.responsesOf(rowId, app.projectSettings.teacher.repeats);
  }

  /**
   * Where the labels come from: the in-browser model while it is switched on,
   * else the endpoint in Settings. `description` names the teacher in the
   * methods paragraph and the Compare step.
   */
  get endpoint(): { baseURL: string; model: string; host: string; description: string } {
    const local = localTeacher.endpoint;
    if (local) return { ...local, host: local.baseURL, description: localTeacher.description };
    return { baseURL: app.settings.baseURL, model: app.settings.model, host: app.settings.host, description: app.settings.model };
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
    if (!this.#viewLoaded(c.key)) return 'Reading the answers already stored for this setup…';
    return null;
  }

  #viewLoaded(key: string): boolean {
    return this.#reloads === 0 && this.#loadedKey === key && this.#loadedRows === app.rows;
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

  /** Rebuilds `labels` from the answer cache for the current setup. No network. */
  async reload(): Promise<void> {
    const seq = ++this.#reloadSeq;
    this.#reloads += 1;
    try {
      await this.models.load();
      const c = this.#context();
      if (typeof c === 'string') {
        if (seq !== this.#reloadSeq) return;
        this.#view = new AnswerView();
        this.#loadedKey = null;
        this.#loadedRows = null;
        this.interrupted = null;
        await this.#rebuild();
        return;
      }
      // The setup's key range: a reload costs the answers stored, not the rows.
      const job = makeJob({ rows: [], version: c.version, settings: c.settings });
      const found = await setupAnswers(job, c.caps.temperature, (prefix, after, count) =>
        store.listResponsesByKeyPrefix<TeacherResponse>(prefix, after, count),
      );
      const hashOf = await hashesById(c.rows);
      if (seq !== this.#reloadSeq) return; // a newer reload started meanwhile
      // Answers a running run stored while we read are kept (the read may predate them).
      const keep = this.#loadedKey === c.key ? this.#view.answers() : [];
      const ran = this.#runKey === c.key ? this.#runAnswers : [];
      const usable = found.filter((r) => usableBy(c.projectId, r));
      this.#view = new AnswerView(hashOf, [...usable, ...keep, ...ran]);
      this.#loadedKey = c.key;
      this.#loadedRows = c.rows;
      await this.#rebuild();
      await this.#checkInterrupted(c);
    } catch (e) {
      this.error = `Could not read the stored LLM answers: ${errorText(e)}`;
    } finally {
      this.#reloads -= 1;
    }
  }

  /** Sets `interrupted` from the project's run marker, unless a run is live in this tab (or the marker's run is complete). */
  async #checkInterrupted(c: TeacherSetup): Promise<void> {
    const marker = await markers.read(c.projectId);
    if (!marker || this.active || this.#controller) {
      this.interrupted = null;
      return;
    }
    const job = await this.#job(c);
    if (this.active || this.#controller) return; // a run started while the scope was drawn: it owns the marker now
    const total = job.items.length * job.settings.repeats;
    const stored = settledCount(
      job.items.map((it) => it.textHash),
      this.#view.byText,
      job.settings.repeats,
    );
    if (marker.key === c.key && stored >= total) {
      this.interrupted = null;
      await markers.clear(c.projectId); // it finished; only the marker's removal was lost
      return;
    }
    this.interrupted = { startedAt: marker.startedAt, stored, total, sameSetup: marker.key === c.key };
  }

  /** Forgets the interrupted run (the banner's "Dismiss"); its answers stay stored. */
  async dismissInterrupted(): Promise<void> {
    this.interrupted = null;
    const id = app.project?.id;
    if (id) await markers.clear(id);
  }

  /** Rebuilds `labels` and `failures` from the answers held (answer-view.ts); a newer rebuild supersedes this one. */
  async #rebuild(): Promise<void> {
    if (this.#rebuildTimer) clearTimeout(this.#rebuildTimer);
    this.#rebuildTimer = null;
    const seq = ++this.#rebuildSeq;
    const [rows, repeats, local] = untrack(() => [app.rows, app.projectSettings.teacher.repeats, !!localTeacher.endpoint] as const);
    const built = await viewLabels(rows, this.#view, repeats, local, () => seq !== this.#rebuildSeq);
    if (built) ({ labels: this.labels, failures: this.failures, retryable: this.retryable } = built);
  }

  /** Labels are rebuilt at most every half second while answers stream in. */
  #scheduleRebuild(): void {
    this.#rebuildTimer ??= setTimeout(() => void this.#rebuild(), 500);
  }

  /** The run's job: the scope's rows under the current settings and `caps`. */
  async #job(c: TeacherSetup, caps: Capabilities = c.caps): Promise<TeacherJob> {
    const ids = await this.#scopeIds(c);
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

  /**
   * The run's row ids (scopeIds), kept while the rows, splits and scope
   * settings stay: the pool sample walks the whole pool (a million ids),
   * and the estimate asks again on every settings change.
   */
  async #scopeIds(c: TeacherSetup): Promise<string[]> {
    const o = { scope: c.run.scope ?? 'paper', poolN: c.run.poolN, seed: app.projectSettings.seed };
    const splits = app.splits;
    // The pool is every row not held out, so the held-out ids name the splits (a reread project record is a new object).
    const key = JSON.stringify([o, splits?.validation ?? null, splits?.test ?? null]);
    if (this.#scope?.rows === c.rows && this.#scope.key === key) return this.#scope.ids;
    const ids = await runSliced(scopeIdsSteps(c.rows, splits, o, { byId: app.rowById, pool: app.pool }));
    this.#scope = { rows: c.rows, key, ids };
    return ids;
  }

  /** Estimate, cache coverage and the prompt exactly as sent, for the scope. */
  async preview(): Promise<TeacherPreview> {
    await this.models.load();
    const c = this.#context();
    if (typeof c === 'string') throw new Error(c);
    return buildPreview(await this.#job(c), c.caps, priceInfo(c.settings.baseURL, c.settings.model, this.models.prices), (keys) =>
      cachedFor(c.projectId, keys),
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
      if (this.#runKey === this.#loadedKey) await this.#rebuild();
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
        for (let i = 0; i < 5 && !this.#viewLoaded(key); i++) await this.reload();
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
        getCached: (keys) => cachedFor(c.projectId, keys),
        put: async (rs) => {
          await store.putResponses(rs);
          this.#runAnswers.push(...rs);
          if (this.#runKey === this.#loadedKey) {
            rs.forEach((r) => this.#view.add(r));
            this.#scheduleRebuild();
          }
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
    const b: TeacherSettings['budget'] = {};
    if (budgetTokens !== null && budgetTokens > 0) b.maxTokens = budgetTokens;
    if (budgetCost !== null && budgetCost > 0) b.maxCost = budgetCost;
    this.#controller?.setBudget(b);
  }

  /** Saves run settings on the project (a changed setup reloads the labels). */
  async updateRun(patch: Partial<TeacherRunSettingsX>): Promise<void> {
    await app.updateSettings((s) => ({ teacher: { ...s.teacher, ...patch } }));
  }

  /**
   * Downloads the scope's uncached requests as OpenAI Batch JSONL files, with
   * bodies built from the model profile (probed first if it is not known).
   */
  async exportBatch(): Promise<void> {
    this.batchMessage = null;
    this.batchFiles = [];
    try {
      await this.models.load();
      const c = this.#context();
      if (typeof c === 'string') throw new Error(c);
      let profile = c.caps;
      let note = '';
      try {
        const got = await this.models.ensure(c);
        profile = got.profile;
        if (got.note) note = ` ${got.note}`;
      } catch (e) {
        // The file goes to OpenAI's Batch API, not this endpoint: a failed check only means we guess.
        note = ` The model could not be checked (${errorText(e)}); the file follows its name's guess (${describeProfile(profile)}).`;
      }
      const report = await batchExport(batchIo, await this.#job(c, profile), c.projectName, {
        profile,
        queueTokens: c.run.batchQueueTokens ?? null,
      });
      this.batchFiles = report.files;
      this.batchMessage = { ok: true, text: report.text + note };
    } catch (e) {
      this.batchMessage = { ok: false, text: `Batch export failed: ${errorText(e)}` };
    }
  }

  /** Reads Batch API output files into the cache; their labels then count like live ones. */
  async importBatch(files: File[]): Promise<BatchImportReport | null> {
    this.batchMessage = null;
    try {
      const c = this.#context();
      if (typeof c === 'string') throw new Error(c);
      const report = await importBatchFiles(
        files,
        c.projectId,
        c.version.codebook.labels.map((l) => l.name),
        c.version.hash,
      );
      await this.reload();
      this.storedChanges++;
      this.batchMessage = { ok: report.failed.length === 0 && report.stored > 0, text: report.text };
      return report;
    } catch (e) {
      this.batchMessage = { ok: false, text: `Batch import failed: ${errorText(e)}` };
      return null;
    }
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
    for (const t of [this.#rebuildTimer, this.#watchTimer]) if (t) clearTimeout(t);
    this.#rebuildTimer = this.#watchTimer = null;
    this.log.reset();
    this.models.reset();
    this.#watched = null;
    this.#scope = null;
    this.#view = new AnswerView();
    this.#loadedKey = null;
    this.#loadedRows = null;
    this.#runAnswers = [];
    this.#reloadSeq++; // a reload in flight lands nowhere
    this.#rebuildSeq++; // so does a rebuild
    this.#runKey = null;
    this.#cancelledEarly = false;
    this.labels = new Map();
    this.progress = this.summary = this.error = this.batchMessage = this.interrupted = null;
    this.failures = [];
    this.retryable = 0;
    this.status = 'idle';
    this.batchFiles = [];
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
export type { TeacherPreview, BatchFileInfo };

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
