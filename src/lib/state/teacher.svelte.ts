// The LLM teacher for the open project: labels rebuilt from the IndexedDB
// answer cache (so a reload shows them without a call), and the live run with
// pause, resume, cancel and a budget. Every answer is stored as it arrives;
// a second run over the same setup only asks for what is missing.
// queue.ts/cost.ts pull in gpt-tokenizer's large table, so they are loaded
// with import() when a run or an estimate is first wanted. The model profile
// of each (endpoint, model) is probed once, before the first run or Batch
// export, and remembered in the store. The openai SDK (teacher/client.ts) is
// likewise imported only when a probe or a run is about to send.

import { untrack } from 'svelte';
import * as store from '../store';
import type { StoredSendLogEntry } from '../store';
import type { DataRow } from '../data/types';
import type { CodebookVersion } from '../codebook/types';
import { knownCapabilities, rememberCapabilities } from '../teacher/known-profiles';
import { labelsFromResponses } from '../teacher/labels';
import { priceInfo, type Price, type PriceInfo } from '../teacher/prices';
import { asProfile, guessProfile, profileKey } from '../teacher/profile';
import type { TeacherJob } from '../teacher/tasks';
import { answeredItems, hashesById, setupAnswers } from '../teacher/stored-view';
import type { SendLogEntry, TeacherController, TeacherProgress, TeacherSummary, RunState } from '../teacher/queue';
import { usableBy, type Capabilities, type TeacherLabel, type TeacherResponse, type TeacherSettings } from '../teacher/types';
import { app, errorText, onStateStart } from './app.svelte';
import { stepFacts } from './facts.svelte';
import { makeJob, scopeIdsSteps, setupKey, toTeacherSettings, type TeacherRunSettingsX } from '../teacher/job';
import { runSliced } from '../store/yield';
import { batchExport, type BatchFileInfo, type BatchImportReport, type BatchIo } from '../teacher/batch-files';
import { importBatchFiles } from '../workers/project-file';
import { download } from '../ui/download';
import { buildPreview, type TeacherPreview } from '../teacher/preview';
import { runMarkers, settledCount, type Interrupted } from '../teacher/resume';
import { retryableCount, storedFailures, type StoredFailure } from '../teacher/failures';
import type { Resend } from '../teacher/attempts';
import { localTeacher } from './local-teacher.svelte';
import { localLabels } from '../teacher/local/labels';
import { isInBrowserEndpoint } from '../teacher/local/presets';
import { LOCAL_PROFILE } from '../teacher/local/run';

/** First version: only n/temperature/structured learned from 400s; read as a starting point. */
const CAPS_KV_V1 = 'teacher.capabilities.v1';
/** profileKey → ModelProfile (checked with asProfile on read). */
const PROFILES_KV = 'teacher.profiles.v2';
const PRICES_KV = 'teacher.prices.v1';
const markers = runMarkers(store);
/**
 * The stored answers for `keys` that project `projectId` may use: an answer
 * imported with another project's file is left out, so it never makes this
 * project's run skip a request as "already stored" (teacher/types.ts usableBy).
 */
async function cachedFor(projectId: string, keys: string[]): Promise<Map<string, TeacherResponse>> {
  const found = await store.getResponses<TeacherResponse>(keys);
  for (const [k, r] of found) if (!usableBy(projectId, r)) found.delete(k);
  return found;
}

/** The store and the download, as the Batch files need them. */
const batchIo: BatchIo = {
  getCached: cachedFor,
  putResponses: (rs) => store.putResponses(rs),
  kvGet: (key) => store.kvGet<unknown>(key),
  kvSet: (key, value) => store.kvSet(key, value),
  save: (name, file) => download(name, file),
};

/** Everything a reload or a run needs, or the reason it cannot happen yet. */
interface Context {
  projectId: string;
  projectName: string;
  rows: DataRow[];
  version: CodebookVersion;
  settings: TeacherSettings;
  run: TeacherRunSettingsX;
  /** The remembered profile, else the names' guess. */
  caps: Capabilities;
  key: string;
}

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
  sendLog = $state.raw<StoredSendLogEntry[]>([]);
  sendLogCount = $state(0);
  /** The files of the last Batch export (requests, size, input tokens). */
  batchFiles = $state.raw<BatchFileInfo[]>([]);
  /** User prices per model (USD per 1M tokens), overriding DEFAULT_PRICES. */
  prices = $state.raw<Record<string, Price>>({});
  /** Every remembered model profile by profileKey (a mirror of the store, for display). */
  profiles = $state.raw<Record<string, Capabilities>>({});
  /** True while a probe request is out. */
  probing = $state(false);
  /** Plain-words outcome of the last model check. */
  probeMessage = $state<{ ok: boolean; text: string } | null>(null);
  /** A run of this project that never ended (a reload or a closed tab); the Teacher step offers to continue it. */
  interrupted = $state.raw<Interrupted | null>(null);
  /**
   * Counts the changes to the stored answers made outside the live view (a
   * run that ended, a Batch import): a reader of every stored answer (the
   * Validate step's version table) rereads on it, not on each live rebuild.
   */
  storedChanges = $state(0);

  /** Texts with a valid label, and those of the validation sample: the stepper's counts. */
  counts = $derived.by(() => {
    let teacherLabeled = 0;
    for (const l of this.labels.values()) if (l.label !== null) teacherLabeled += 1;
    const validationLabeled = (app.splits?.validation ?? []).filter((id) => this.labels.get(id)?.label != null).length;
    return { teacherLabeled, validationLabeled };
  });

  #byText = new Map<string, Map<number, TeacherResponse>>();
  #hashOf = new Map<string, string>();
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
  #runProject: string | null = null;
  #rebuildTimer: ReturnType<typeof setTimeout> | null = null;
  #logBuffer: store.SendLogEntry[] = [];
  #logTimer: ReturnType<typeof setTimeout> | null = null;
  #prefs: Promise<void> | null = null;
  /** Aborts the probe a starting run waits for (Cancel before the first request). */
  #probeAbort: AbortController | null = null;
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
    const slots = this.#byText.get(this.#hashOf.get(rowId) ?? '');
    const repeats = app.projectSettings.teacher.repeats;
    return slots ? [...slots.values()].filter((r) => r.repeat < repeats).sort((a, b) => a.repeat - b.repeat) : [];
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

  /** The profile of the endpoint and model in Settings: remembered (probed) or guessed from the names. */
  get profile(): { profile: Capabilities; probed: boolean } {
    if (localTeacher.endpoint) return { profile: LOCAL_PROFILE, probed: true };
    const { baseURL, model } = app.settings;
    const known = this.profiles[profileKey(baseURL, model)];
    return known ? { profile: known, probed: known.probed } : { profile: guessProfile(baseURL, model), probed: false };
  }

  /** The price runs of the current model are costed at, and where it comes from. */
  get priceInfo(): PriceInfo {
    const { baseURL, model } = localTeacher.endpoint ?? app.settings;
    return priceInfo(baseURL, model, this.prices);
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

  #context(): Context | string {
    const p = app.project;
    if (!p || app.rows.length === 0) return 'Import a dataset first.';
    const version = app.activeVersion;
    if (!version) return 'Save a codebook first (Codebook step).';
    if ((app.codebookProblems ?? []).length > 0) return 'The codebook needs fixes before labeling (Codebook step).';
    // The in-browser teacher (teacher/local) replaces the endpoint while it is switched on.
    const local = localTeacher.endpoint;
    if (!local && !app.settings.ready) return 'Set the LLM endpoint and model in Settings.';
    const run = app.projectSettings.teacher as TeacherRunSettingsX;
    const { baseURL, model, apiKey } = local ? { ...local, apiKey: '' } : app.settings;
    let settings = toTeacherSettings({ baseURL, model, apiKey }, run);
    // A model in this tab scores each text once: deterministic, so no repeats.
    if (local) settings = { ...settings, repeats: 1 };
    const caps = local
      ? LOCAL_PROFILE
      : (knownCapabilities(settings.baseURL, settings.model) ?? guessProfile(settings.baseURL, settings.model));
    const key = setupKey(p.id, version, settings, caps.temperature);
    return { projectId: p.id, projectName: p.name, rows: app.rows, version, settings, run, caps, key };
  }

  /** Capabilities learned earlier and the price table, from the store (once). */
  #loadPrefs(): Promise<void> {
    return (this.#prefs ??= (async () => {
      const v1 = (await store.kvGet<Record<string, unknown>>(CAPS_KV_V1)) ?? {};
      const v2 = (await store.kvGet<Record<string, unknown>>(PROFILES_KV)) ?? {};
      const all: Record<string, Capabilities> = {};
      for (const [k, raw] of [...Object.entries(v1), ...Object.entries(v2)]) {
        const cut = k.lastIndexOf('|');
        const [baseURL, model] = [k.slice(0, cut), k.slice(cut + 1)];
        // v1 rows knew only what a 400 taught; the names' guess fills in the rest, and a probe still runs.
        const profile = asProfile(raw && typeof raw === 'object' ? { ...guessProfile(baseURL, model), ...raw } : raw);
        if (!profile) continue;
        all[profileKey(baseURL, model)] = profile;
        if (!knownCapabilities(baseURL, model)?.probed) rememberCapabilities(baseURL, model, profile);
      }
      this.profiles = all;
      this.prices = (await store.kvGet<Record<string, Price>>(PRICES_KV)) ?? {};
    })().catch((e) => {
      this.#prefs = null;
      throw e;
    }));
  }

  async #rememberCaps(settings: TeacherSettings, caps: Capabilities): Promise<void> {
    rememberCapabilities(settings.baseURL, settings.model, caps);
    const key = profileKey(settings.baseURL, settings.model);
    this.profiles = { ...this.profiles, [key]: { ...caps } };
    const all = (await store.kvGet<Record<string, unknown>>(PROFILES_KV)) ?? {};
    all[key] = { ...caps };
    await store.kvSet(PROFILES_KV, all);
  }

  /**
   * The probed profile of the context's endpoint and model: remembered, or
   * probed now with one cheap request. Throws when the probe shows a run
   * cannot work (no quota, bad key, unknown model); falls back to the names'
   * guess when the server is only busy (429, 5xx, timeout).
   */
  async #ensureProfile(c: Context, force = false): Promise<{ profile: Capabilities; note: string | null }> {
    const known = knownCapabilities(c.settings.baseURL, c.settings.model);
    if (known?.probed && !force) return { profile: known, note: null };
    this.probing = true;
    const abort = (this.#probeAbort = new AbortController());
    try {
      const { createClient, probeCapabilities } = await import('../teacher/client');
      const res = await probeCapabilities(createClient(c.settings), c.settings, { force: true, signal: abort.signal });
      if (res.ok) {
        await this.#rememberCaps(c.settings, res.capabilities);
        // The profile is part of the setup key (a model that takes no temperature): read its cache view.
        void this.reload();
        return { profile: res.capabilities, note: null };
      }
      if (res.kind !== 'transient') throw new Error(res.message);
      return { profile: c.caps, note: `The model could not be checked (${res.message}); its name's guess is used.` };
    } finally {
      this.probing = false;
      if (this.#probeAbort === abort) this.#probeAbort = null;
    }
  }

  /** Probes the current endpoint and model again (the "Check model" button). */
  async checkModel(): Promise<void> {
    this.probeMessage = null;
    try {
      await this.#loadPrefs();
      const c = this.#context();
      if (typeof c === 'string') throw new Error(c);
      const { profile, note } = await this.#ensureProfile(c, true);
      this.probeMessage = { ok: note === null, text: note ?? `Checked ${c.settings.model}: ${describeProfile(profile)}.` };
    } catch (e) {
      this.probeMessage = { ok: false, text: errorText(e) };
    }
  }

  /** Saves the user's price for a model (USD per 1M input/output tokens). */
  async setPrice(model: string, price: Price): Promise<void> {
    this.prices = { ...this.prices, [model]: price };
    await store.kvSet(PRICES_KV, $state.snapshot(this.prices));
  }

  /** The price a run is costed at: the user's, else the list price, else free on a local server, else null (unknown). */
  priceOf(baseURL: string, model: string): Price | null {
    return priceInfo(baseURL, model, this.prices).price;
  }

  /** Rebuilds `labels` from the answer cache for the current setup. No network. */
  async reload(): Promise<void> {
    const seq = ++this.#reloadSeq;
    this.#reloads += 1;
    try {
      await this.#loadPrefs();
      const c = this.#context();
      if (typeof c === 'string') {
        if (seq !== this.#reloadSeq) return;
        this.#byText = new Map();
        this.#hashOf = new Map();
        this.#loadedKey = null;
        this.#loadedRows = null;
        this.interrupted = null;
        await this.#rebuild();
        return;
      }
      // The setup's key range: a reload costs the answers stored, not the rows.
      const job = makeJob({ rows: [], version: c.version, settings: c.settings });
      const found = (
        await setupAnswers(job, c.caps.temperature, (prefix, after, count) =>
          store.listResponsesByKeyPrefix<TeacherResponse>(prefix, after, count),
        )
      ).filter((r) => usableBy(c.projectId, r));
      const hashOf = await hashesById(c.rows);
      if (seq !== this.#reloadSeq) return; // a newer reload started meanwhile
      // Answers a running run stored while we read are kept (the read may predate them).
      const keep = this.#loadedKey === c.key ? [...this.#byText.values()].flatMap((m) => [...m.values()]) : [];
      const ran = this.#runKey === c.key ? this.#runAnswers : [];
      this.#byText = new Map();
      for (const r of [...found, ...keep, ...ran]) this.#add(r);
      this.#hashOf = hashOf;
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
  async #checkInterrupted(c: Context): Promise<void> {
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
      this.#byText,
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

  #add(r: TeacherResponse): void {
    if (!Number.isInteger(r.repeat) || r.repeat < 0) return;
    let slots = this.#byText.get(r.textHash);
    if (!slots) this.#byText.set(r.textHash, (slots = new Map()));
    const prev = slots.get(r.repeat);
    if (!prev || prev.at <= r.at) slots.set(r.repeat, r);
  }

  /** Rebuilds `labels` and `failures` from the answers held; the rows are scanned in slices, and a newer rebuild supersedes this one. */
  async #rebuild(): Promise<void> {
    if (this.#rebuildTimer) clearTimeout(this.#rebuildTimer);
    this.#rebuildTimer = null;
    const seq = ++this.#rebuildSeq;
    const repeats = untrack(() => app.projectSettings.teacher.repeats);
    const byText = this.#byText;
    // Only rows whose text has an answer can get a label or a failure.
    const items =
      byText.size === 0
        ? []
        : await answeredItems(
            untrack(() => app.rows),
            byText,
          );
    if (seq !== this.#rebuildSeq) return;
    const all = [...byText.values()].flatMap((m) => [...m.values()]);
    const labels = new Map<string, TeacherLabel>();
    // A local model's one answer per text carries probabilities: they stand in for consistency.
    const list = untrack(() => localTeacher.endpoint) ? localLabels(items, all) : labelsFromResponses(items, all, repeats);
    for (const l of list) if (l.n > 0) labels.set(l.rowId, l);
    this.labels = labels;
    this.failures = storedFailures(items, all, repeats);
    this.retryable = retryableCount(this.failures);
  }

  /** Labels are rebuilt at most every half second while answers stream in. */
  #scheduleRebuild(): void {
    this.#rebuildTimer ??= setTimeout(() => void this.#rebuild(), 500);
  }

  /** The run's job: the scope's rows under the current settings and `caps`. */
  async #job(c: Context, caps: Capabilities = c.caps): Promise<TeacherJob> {
    const ids = await this.#scopeIds(c);
    const rows = ids.map((id) => app.rowById.get(id)).filter((r): r is DataRow => r !== undefined);
    return makeJob({
      rows,
      version: c.version,
      settings: c.settings,
      capabilities: caps,
      price: this.priceOf(c.settings.baseURL, c.settings.model),
      projectId: c.projectId,
    });
  }

  /**
   * The run's row ids (scopeIds), kept while the rows, splits and scope
   * settings stay: the pool sample walks the whole pool (a million ids),
   * and the estimate asks again on every settings change.
   */
  async #scopeIds(c: Context): Promise<string[]> {
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
    await this.#loadPrefs();
    const c = this.#context();
    if (typeof c === 'string') throw new Error(c);
    return buildPreview(await this.#job(c), c.caps, priceInfo(c.settings.baseURL, c.settings.model, this.prices), (keys) =>
      cachedFor(c.projectId, keys),
    );
  }

  /** Sends again exactly the requests stored as failed (after all their retries) under the current setup. */
  retryFailed(): Promise<void> {
    return this.start({ resend: 'failed' });
  }

  /** Starts a run over the scope; resolves when it ends (done, cancelled or error). */
  async start(opts: { resend?: Resend } = {}): Promise<void> {
    if (this.active) return;
    this.error = null;
    this.summary = null;
    this.#cancelledEarly = false;
    try {
      // A setting changed just before Start (requests at once, repeats) must be the one the run uses.
      await app.settingsSaved();
      await this.#loadPrefs();
      const c = this.#context();
      if (typeof c === 'string') throw new Error(c);
      this.status = 'running';
      const inBrowser = isInBrowserEndpoint(c.settings.baseURL);
      // A local model loads first: a CPU fallback runs other weights, which name other keys.
      if (inBrowser) await localTeacher.load();
      const { profile, note } = inBrowser ? { profile: LOCAL_PROFILE, note: null } : await this.#ensureProfile(c);
      if (note) this.probeMessage = { ok: false, text: note };
      // The probe may have changed what the keys are (a model that takes no temperature).
      const setup = this.#context();
      if (typeof setup === 'string') throw new Error(setup);
      // The cache view must be the one of this setup, read to the end (a reload in flight may predate it).
      for (let i = 0; i < 5 && !this.#viewLoaded(setup.key); i++) await this.reload();
      const job = { ...(await this.#job(setup, profile)), ...(opts.resend ? { resend: opts.resend } : {}) };
      if (job.items.length === 0) {
        this.status = 'idle';
        this.error =
          'Nothing to label: the run\'s scope has no texts. Choose "Label all texts", or raise the number of training texts to label (Run settings).';
        return;
      }
      // cost.ts brings gpt-tokenizer: the queue paces estimated tokens with it (TPM limits, token headers).
      const remote = inBrowser
        ? null
        : await Promise.all([import('../teacher/queue'), import('../teacher/client'), import('../teacher/cost')]);
      const client = remote ? remote[1].createClient(c.settings) : null;
      if (inBrowser) await localTeacher.prepare(job);
      if (this.#cancelledEarly) throw new Error('cancelled');
      this.#runKey = setup.key;
      this.#runProject = c.projectId;
      this.#runAnswers = [];
      this.interrupted = null;
      await markers.write(c.projectId, { v: 1, key: setup.key, startedAt: Date.now(), total: job.items.length * job.settings.repeats });
      const deps = {
        getCached: (keys: string[]) => cachedFor(c.projectId, keys),
        put: async (rs: TeacherResponse[]) => {
          await store.putResponses(rs);
          this.#runAnswers.push(...rs);
          if (this.#runKey === this.#loadedKey) {
            rs.forEach((r) => this.#add(r));
            this.#scheduleRebuild();
          }
        },
        onProgress: (p: TeacherProgress) => {
          this.progress = p;
          this.status = p.state;
        },
        onLog: (e: SendLogEntry) => this.#log({ ...e, projectId: c.projectId }),
      };
      this.#controller =
        remote && client
          ? remote[0].runTeacher(job, {
              ...deps,
              send: remote[1].sendWith(client),
              countTokens: remote[2].estimateTokens,
              onCapabilities: (caps) => void this.#rememberCaps(c.settings, caps).catch((e) => (this.error = errorText(e))),
            })
          : localTeacher.run(job, deps);
      const summary = await this.#controller.done;
      this.summary = summary;
      this.status = summary.state;
      if (summary.error) this.error = summary.error;
    } catch (e) {
      if (this.#cancelledEarly)
        this.status = 'cancelled'; // Cancel while the model was being checked
      else {
        this.error = errorText(e);
        if (this.status !== 'idle') this.status = 'error';
      }
    } finally {
      const ran = this.#controller !== null;
      this.#controller = null;
      await this.#flushLog();
      // The run ended in this tab (done, cancelled or stopped): nothing to continue after a reload.
      if (ran && this.#runProject) await markers.clear(this.#runProject).catch((e) => (this.error ??= errorText(e)));
      if (this.#runKey === this.#loadedKey) await this.#rebuild();
      else if (ran) void this.reload();
      this.#runKey = null;
      this.#runProject = null;
      this.#runAnswers = [];
      this.storedChanges++;
    }
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
    this.#probeAbort?.abort();
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

  // The privacy log is written in small batches; pagehide and the end of a run flush it.
  #log(e: store.SendLogEntry): void {
    this.#logBuffer.push(e);
    if (this.#logBuffer.length >= 50) void this.#flushLog();
    else this.#logTimer ??= setTimeout(() => void this.#flushLog(), 250);
  }

  async #flushLog(): Promise<void> {
    if (this.#logTimer) clearTimeout(this.#logTimer);
    this.#logTimer = null;
    const entries = this.#logBuffer;
    this.#logBuffer = [];
    if (entries.length === 0) return;
    try {
      await store.appendSendLog(entries);
      await this.loadSendLog();
    } catch (e) {
      this.error = `Could not record what was sent: ${errorText(e)}`;
    }
  }

  flushLogNow(): void {
    void this.#flushLog();
  }

  /** The newest `limit` send-log entries of the open project, and their total. */
  async loadSendLog(limit = 200): Promise<void> {
    const id = app.project?.id;
    if (!id) {
      this.sendLog = [];
      this.sendLogCount = 0;
      return;
    }
    const [log, count] = await Promise.all([store.getSendLog(id, limit), store.countSendLog(id)]);
    this.sendLog = log;
    this.sendLogCount = count;
  }

  /**
   * Downloads the scope's uncached requests as OpenAI Batch JSONL files, with
   * bodies built from the model profile (probed first if it is not known).
   */
  async exportBatch(): Promise<void> {
    this.batchMessage = null;
    this.batchFiles = [];
    try {
      await this.#loadPrefs();
      const c = this.#context();
      if (typeof c === 'string') throw new Error(c);
      let profile = c.caps;
      let note = '';
      try {
        const got = await this.#ensureProfile(c);
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
    for (const t of [this.#rebuildTimer, this.#logTimer, this.#watchTimer]) if (t) clearTimeout(t);
    this.#rebuildTimer = this.#logTimer = this.#watchTimer = null;
    this.#watched = null;
    this.#scope = null;
    this.#byText = new Map();
    this.#hashOf = new Map();
    this.#loadedKey = null;
    this.#loadedRows = null;
    this.#runAnswers = [];
    this.#reloadSeq++; // a reload in flight lands nowhere
    this.#rebuildSeq++; // so does a rebuild
    this.#runKey = this.#runProject = null;
    this.#logBuffer = [];
    this.#prefs = null;
    this.#probeAbort = null;
    this.#cancelledEarly = false;
    this.labels = new Map();
    this.progress = this.summary = this.error = this.batchMessage = this.probeMessage = this.interrupted = null;
    this.failures = [];
    this.retryable = 0;
    this.status = 'idle';
    this.sendLog = [];
    this.sendLogCount = 0;
    this.batchFiles = [];
    this.prices = {};
    this.profiles = {};
    this.probing = false;
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

/** A profile in a few words: "reasoning model; no temperature, no n; JSON schema". */
export function describeProfile(p: Capabilities): string {
  const parts = [
    p.reasoning ? `reasoning model${p.reasoningEffort ? ' (reasoning_effort accepted)' : ''}` : 'not a reasoning model',
    p.temperature ? 'temperature accepted' : 'default temperature only',
    p.n ? 'several answers per request (n)' : 'one answer per request (no n)',
    p.structured ? 'JSON schema output' : 'no JSON schema',
    p.logprobs ? 'label probabilities (logprobs)' : 'no label probabilities (consistency comes from repeats)',
    `cap sent as ${p.maxTokensParam}`,
  ];
  return parts.join('; ');
}

export type { SendLogEntry, TeacherPreview, BatchFileInfo };

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
  addEventListener('pagehide', () => teacher.flushLogNow());
  addEventListener('beforeunload', () => teacher.holdForUnload());
}
