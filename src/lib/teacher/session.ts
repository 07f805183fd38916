// One teacher run from Start to its end, as a plain job: the setup checked,
// the in-browser model loaded or the endpoint's profile probed, the cache
// view of the (possibly new) setup read, the scope's job built, the run
// marker written, the queue (remote) or the model in this tab (local) run to
// its end, the marker cleared. Inputs are values; every effect (store,
// probe, network, the owner's live view) comes in `deps`, so a Node spec
// runs it with fakes. TeacherState (state/teacher.svelte.ts) owns the deps.
import type { CodebookVersion } from '../codebook/types';
import type { DataRow } from '../data/types';
import type { Resend } from './attempts';
import { setupKey, toTeacherSettings, type TeacherRunSettingsX } from './job';
import { knownCapabilities } from './known-profiles';
import { isInBrowserEndpoint } from './local/presets';
import { LOCAL_PROFILE } from './local/run';
import { guessProfile } from './profile';
import type { TeacherController, TeacherDeps, TeacherSummary, RunState } from './queue';
import type { RunMarker } from './resume';
import type { TeacherJob } from './tasks';
import type { Capabilities, TeacherSettings } from './types';
import { errorText } from '../ui/error-text';

/** Everything a reload or a run needs. */
export interface TeacherSetup {
  projectId: string;
  projectName: string;
  rows: DataRow[];
  version: CodebookVersion;
  settings: TeacherSettings;
  run: TeacherRunSettingsX;
  /** The remembered profile, else the names' guess. */
  caps: Capabilities;
  /** setupKey: the cache view and the run marker are keyed by it. */
  key: string;
}

export interface SetupInputs {
  project: { id: string; name: string } | null;
  rows: DataRow[];
  version: CodebookVersion | null;
  codebookProblems: readonly string[] | null;
  /** The in-browser teacher while it is switched on: it replaces the endpoint. */
  local: { baseURL: string; model: string } | null;
  endpoint: { baseURL: string; model: string; apiKey: string; ready: boolean };
  run: TeacherRunSettingsX;
}

/** The setup of these inputs, or why labeling cannot happen yet. */
export function teacherSetup(i: SetupInputs): TeacherSetup | string {
  if (!i.project || i.rows.length === 0) return 'Import a dataset first.';
  if (!i.version) return 'Save a codebook first (Codebook step).';
  if ((i.codebookProblems ?? []).length > 0) return 'The codebook needs fixes before labeling (Codebook step).';
  if (!i.local && !i.endpoint.ready) return 'Set the LLM endpoint and model in Settings.';
  const { baseURL, model, apiKey } = i.local ? { ...i.local, apiKey: '' } : i.endpoint;
  let settings = toTeacherSettings({ baseURL, model, apiKey }, i.run);
  // A model in this tab scores each text once: deterministic, so no repeats.
  if (i.local) settings = { ...settings, repeats: 1 };
  const caps = i.local ? LOCAL_PROFILE : (knownCapabilities(baseURL, model) ?? guessProfile(baseURL, model));
  const key = setupKey(i.project.id, i.version, settings, caps.temperature);
  return { projectId: i.project.id, projectName: i.project.name, rows: i.rows, version: i.version, settings, run: i.run, caps, key };
}

/** The queue's effects on the store and the owner's live view (teacher/queue.ts TeacherDeps, less the network). */
export type RunEffects = Pick<TeacherDeps, 'getCached' | 'put' | 'onProgress' | 'onLog' | 'onCapabilities'>;

export interface SessionDeps {
  /** What must be settled before a run (a setting saved just before Start, the remembered profiles). */
  ready(): Promise<void>;
  /** The setup now: asked before the probe and after it (a probed profile can change the keys). */
  setup(): TeacherSetup | string;
  /** The endpoint's probed profile, or the names' guess with a note when the server is only busy; throws when a run cannot work. */
  profile(s: TeacherSetup): Promise<{ profile: Capabilities; note: string | null }>;
  /** Reads the cache view of the setup `key` to the end. */
  view(key: string): Promise<void>;
  job(s: TeacherSetup, profile: Capabilities): Promise<TeacherJob>;
  /** The endpoint's sender, and the token count the queue paces TPM limits with (loaded when a run first sends). */
  remote(settings: TeacherSettings): Promise<Pick<TeacherDeps, 'send' | 'countTokens'>>;
  local: {
    /** Loads the model (a CPU fallback runs other weights, which name other keys). */
    load(): Promise<void>;
    prepare(job: TeacherJob): Promise<unknown>;
    run(job: TeacherJob, effects: Omit<RunEffects, 'onCapabilities'>): TeacherController;
  };
  markers: { write(projectId: string, m: RunMarker): Promise<void>; clear(projectId: string): Promise<void> };
  /** The run's effects, given the setup it runs under. */
  effects(s: TeacherSetup): RunEffects;
  /** True once Cancel came before the first request. */
  cancelled(): boolean;
  /** 'running' once the setup is there; a probe's note; the run's key before it sends, its controller once it does. */
  onRunning(): void;
  onNote(text: string): void;
  onBegin(s: TeacherSetup): void;
  onController(c: TeacherController): void;
  now?: () => number;
}

export interface SessionEnd {
  /** 'idle' when nothing ran (no setup, nothing to label). */
  status: RunState | 'idle';
  summary: TeacherSummary | null;
  error: string | null;
  /** Whether a run sent (so the marker was cleared and the answers may have changed). */
  ran: boolean;
}

export const NOTHING_TO_LABEL =
  'Nothing to label: the run\'s scope has no texts. Choose "Label all texts", or raise the number of training texts to label (Run settings).';

/** One run over the scope; never throws: how it ended is in the result. */
export async function runSession(opts: { resend?: Resend }, deps: SessionDeps): Promise<SessionEnd> {
  let running = false;
  let controller: TeacherController | null = null;
  let projectId: string | null = null;
  const end: SessionEnd = { status: 'idle', summary: null, error: null, ran: false };
  try {
    await deps.ready();
    const c = deps.setup();
    if (typeof c === 'string') throw new Error(c);
    running = true;
    deps.onRunning();
    const inBrowser = isInBrowserEndpoint(c.settings.baseURL);
    if (inBrowser) await deps.local.load();
    const { profile, note } = inBrowser ? { profile: LOCAL_PROFILE, note: null } : await deps.profile(c);
    if (note) deps.onNote(note);
    const setup = deps.setup();
    if (typeof setup === 'string') throw new Error(setup);
    await deps.view(setup.key);
    const job = { ...(await deps.job(setup, profile)), ...(opts.resend ? { resend: opts.resend } : {}) };
    if (job.items.length === 0) return { ...end, error: NOTHING_TO_LABEL };
    const remote = inBrowser ? null : await deps.remote(c.settings);
    if (inBrowser) await deps.local.prepare(job);
    if (deps.cancelled()) throw new Error('cancelled');
    deps.onBegin(setup);
    projectId = c.projectId;
    const now = deps.now ?? Date.now;
    await deps.markers.write(c.projectId, { v: 1, key: setup.key, startedAt: now(), total: job.items.length * job.settings.repeats });
    const effects = deps.effects(c);
    if (remote) {
      const { runTeacher } = await import('./queue');
      controller = runTeacher(job, { ...effects, ...remote });
    } else controller = deps.local.run(job, effects);
    deps.onController(controller);
    const summary = await controller.done;
    Object.assign(end, { status: summary.state, summary, error: summary.error ?? null });
  } catch (e) {
    if (deps.cancelled()) Object.assign(end, { status: 'cancelled', error: null });
    else Object.assign(end, { status: running ? 'error' : 'idle', error: errorText(e) });
  } finally {
    end.ran = controller !== null;
    // The run ended in this tab (done, cancelled or stopped): nothing to continue after a reload.
    if (end.ran && projectId) await deps.markers.clear(projectId).catch((e: unknown) => (end.error ??= errorText(e)));
  }
  return end;
}
