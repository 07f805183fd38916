// The in-browser teacher: which model, from where, and its worker. When it
// is switched on, the Teacher step's endpoint is `local:<model>@<revision>`
// (TeacherState reads `endpoint`), runs go through teacher/local/run.ts, and
// no text leaves the tab. The choice is remembered in localStorage; a picked
// folder is kept in this tab's memory only and must be picked again after a
// reload (the stored answers show without it).
import { filesFromPicker, type ModelSource } from '../embed/model-files';
import type { LocalDevice } from '../teacher/local/model';
import { LOCAL_PRESETS, localEndpoint, localModelName, localOnnxFile, presetOf, type LocalDtype } from '../teacher/local/presets';
import type { LocalReply, LocalRequest } from '../teacher/local/protocol';
import { runLocalTeacher, type LocalRunDeps } from '../teacher/local/run';
import type { ScoreMode } from '../teacher/local/score';
import type { TeacherController } from '../teacher/queue';
import { promptOf, labelNames, type TeacherJob } from '../teacher/tasks';
import { userMessage } from '../teacher/prompt';
import { ortBase } from '../workers/embed-client';
import { WorkerClient } from '../workers/worker-client';
import { offline } from './offline.svelte';
import { errorText } from '../ui/error-text';

const PREFS_KEY = 'surrogate.localTeacher.v1';

export type SourceKind = 'hub' | 'url' | 'files';

interface Prefs {
  enabled: boolean;
  modelId: string;
  revision: string;
  dtype: LocalDtype;
  device: 'auto' | 'wasm';
  sourceKind: SourceKind;
  baseUrl: string;
  /** A mirror's URL layout: a folder copy, or the hub's `<model>/resolve/<revision>/` (scripts/models/serve-hub.mjs). */
  layout: 'plain' | 'hub';
  /** Where the model last ran, for the methods paragraph after a reload. */
  lastDevice: LocalDevice | null;
}

const DEFAULTS: Prefs = {
  enabled: false,
  modelId: LOCAL_PRESETS[0].id,
  revision: 'main',
  dtype: LOCAL_PRESETS[0].dtype,
  device: 'auto',
  sourceKind: 'hub',
  baseUrl: '',
  layout: 'plain',
  lastDevice: null,
};

type Ready = Extract<LocalReply, { type: 'ready' }>;
type Prepared = Extract<LocalReply, { type: 'prepared' }>;

export class LocalTeacherState {
  enabled = $state(DEFAULTS.enabled);
  modelId = $state(DEFAULTS.modelId);
  revision = $state(DEFAULTS.revision);
  dtype = $state<LocalDtype>(DEFAULTS.dtype);
  device = $state<Prefs['device']>(DEFAULTS.device);
  sourceKind = $state<SourceKind>(DEFAULTS.sourceKind);
  baseUrl = $state(DEFAULTS.baseUrl);
  layout = $state<Prefs['layout']>(DEFAULTS.layout);
  lastDevice = $state<LocalDevice | null>(null);
  /** A picked model folder (this tab only). */
  picked = $state.raw<{ name: string; files: Map<string, Blob> } | null>(null);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  /** Download bytes while loading. */
  progress = $state.raw<{ done: number; total: number; file?: string } | null>(null);
  /** What the loaded model runs on (device, precision, a warning). */
  ready = $state.raw<Ready | null>(null);
  /** How the current prompt is scored (with the cache or whole sequences). */
  prepared = $state.raw<Prepared | null>(null);
  error = $state<string | null>(null);
  /** Texts per second of the last scored batch, and ms per text. */
  speed = $state.raw<{ textsPerSec: number; msPerText: number } | null>(null);

  #client: WorkerClient<LocalRequest, LocalReply> | null = null;
  #loadedKey = $state<string | null>(null);
  #preparedKey: string | null = null;
  #loading: Promise<void> | null = null;

  constructor() {
    try {
      const raw = typeof localStorage !== 'undefined' ? localStorage.getItem(PREFS_KEY) : null;
      const p = raw ? { ...DEFAULTS, ...(JSON.parse(raw) as Partial<Prefs>) } : DEFAULTS;
      this.enabled = p.enabled === true;
      this.modelId = String(p.modelId || DEFAULTS.modelId);
      this.revision = String(p.revision || 'main');
      this.dtype = p.dtype;
      this.device = p.device === 'wasm' ? 'wasm' : 'auto';
      this.sourceKind = p.sourceKind === 'url' || p.sourceKind === 'files' ? p.sourceKind : 'hub';
      this.baseUrl = String(p.baseUrl ?? '');
      this.layout = p.layout === 'hub' ? 'hub' : 'plain';
      this.lastDevice = p.lastDevice === 'webgpu' || p.lastDevice === 'wasm' ? p.lastDevice : null;
    } catch {
      // unreadable prefs: the defaults stand
    }
  }

  /**
   * Back to the defaults, as on a first start: switched off, the first
   * preset, nothing loaded; the remembered choice and the model's worker go
   * too (tests).
   */
  reset(): void {
    this.#client?.terminate();
    this.#client = null;
    this.#loadedKey = this.#preparedKey = null;
    this.#loading = null;
    if (typeof localStorage !== 'undefined') localStorage.removeItem(PREFS_KEY);
    Object.assign(this, { ...DEFAULTS });
    this.picked = this.progress = this.ready = this.prepared = this.error = this.speed = null;
    this.status = 'idle';
  }

  /** The teacher endpoint while switched on (answers are stored under it), else null. */
  get endpoint(): { baseURL: string; model: string } | null {
    if (!this.enabled || this.modelId.trim() === '') return null;
    return {
      baseURL: localEndpoint(this.modelId.trim(), this.revision.trim() || 'main'),
      model: localModelName(this.modelId.trim(), this.dtype),
    };
  }

  /** "Qwen2.5 0.5B Instruct (q4f16) run locally in the browser via transformers.js on WebGPU" (methods paragraph). */
  get description(): string {
    const name = presetOf(this.modelId)?.name ?? this.modelId;
    const ran = this.ready?.device ?? this.lastDevice;
    const device = ran === 'webgpu' ? 'WebGPU' : ran ? 'the CPU (wasm)' : 'WebGPU or the CPU';
    return `${name} (${this.dtype}) run locally in the browser via transformers.js on ${device}`;
  }

  /** True when the model of the current choice is loaded and warm. */
  get loaded(): boolean {
    return this.status === 'ready' && this.#loadedKey === this.#key();
  }

  /** Why a run cannot start yet, or null. */
  get blocker(): string | null {
    if (this.modelId.trim() === '') return 'Choose a local model.';
    if (this.sourceKind === 'files' && !this.picked) return 'Pick the model folder again (a picked folder is not kept after a reload).';
    if (this.sourceKind === 'url' && this.baseUrl.trim() === '') return 'Enter the mirror URL the model files are served from.';
    return null;
  }

  save(): void {
    const p: Prefs = {
      enabled: this.enabled,
      modelId: this.modelId.trim(),
      revision: this.revision.trim() || 'main',
      dtype: this.dtype,
      device: this.device,
      sourceKind: this.sourceKind,
      baseUrl: this.baseUrl.trim(),
      layout: this.layout,
      lastDevice: this.lastDevice,
    };
    try {
      localStorage.setItem(PREFS_KEY, JSON.stringify(p));
    } catch (e) {
      this.error = `Could not remember the local model choice: ${errorText(e)}`;
    }
  }

  /** Keeps a picked folder; returns the files it lacks for the chosen precision (empty = usable). */
  pick(files: Iterable<File>): string[] {
    const list = [...files];
    const map = filesFromPicker(list);
    this.picked = { name: list[0]?.webkitRelativePath.split('/')[0] || 'picked folder', files: map };
    const need = ['config.json', 'tokenizer.json', 'tokenizer_config.json', localOnnxFile(this.dtype)];
    return need.filter((f) => !map.has(f));
  }

  #source(): ModelSource {
    if (this.sourceKind === 'files') return { kind: 'files', files: this.picked?.files ?? new Map() };
    if (this.sourceKind === 'url') return { kind: 'url', baseUrl: this.baseUrl.trim(), layout: this.layout };
    return { kind: 'hub' };
  }

  #key(): string {
    return JSON.stringify([
      this.modelId,
      this.revision,
      this.sourceKind,
      this.baseUrl,
      this.layout,
      this.picked?.files.size ?? 0,
      this.dtype,
      this.device,
    ]);
  }

  #worker(): WorkerClient<LocalRequest, LocalReply> {
    this.#client ??= new WorkerClient<LocalRequest, LocalReply>(
      new Worker(new URL('../teacher/local/local-teacher.worker.ts', import.meta.url), { type: 'module', name: 'local-teacher' }),
    );
    return this.#client;
  }

  /** Downloads (or reads) and loads the model in its worker; the same choice loads once. */
  load(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    if (this.#loading) return this.#loading;
    const why = this.blocker;
    if (why) return Promise.reject(new Error(why));
    this.status = 'loading';
    this.error = null;
    this.progress = null;
    this.prepared = null;
    this.#preparedKey = null;
    const device: LocalDevice = this.device === 'wasm' ? 'wasm' : 'webgpu';
    const msg = {
      type: 'load' as const,
      modelId: this.modelId.trim(),
      revision: this.revision.trim() || 'main',
      source: this.#source(),
      device,
      dtype: this.dtype,
      ortBase: ortBase(),
    };
    const { done } = this.#worker().request<Ready>(msg, ['ready'], {
      onMessage: (r) => void (r.type === 'progress' && (this.progress = { done: r.done, total: r.total, file: r.file })),
    });
    this.#loading = done
      .then(
        (r) => {
          this.ready = r;
          // The precision that really runs names the answers (a CPU fallback runs other weights).
          if (r.dtype !== this.dtype) this.dtype = r.dtype;
          this.lastDevice = r.device;
          this.save();
          this.#loadedKey = this.#key();
          this.status = 'ready';
        },
        async (e: unknown) => {
          // Offline, say what was never saved here (as the encoder does), not the raw fetch error.
          const err = await offline.explainLoadFailure(e, msg.source.kind === 'files' ? null : msg.modelId);
          this.status = 'error';
          this.error = errorText(err);
          throw err;
        },
      )
      .finally(() => (this.#loading = null));
    return this.#loading;
  }

  /** Loads the model if needed and sets up `job`'s prompt in the worker (its shared prefix runs once). */
  async prepare(job: TeacherJob, mode?: ScoreMode): Promise<Prepared> {
    await this.load();
    const prompt = promptOf(job);
    const user = prompt.user ?? userMessage;
    const labels = labelNames(job);
    const key = JSON.stringify([this.#loadedKey, prompt.system, labels, mode]);
    if (this.#preparedKey === key && this.prepared) return this.prepared;
    const { done } = this.#worker().request<Prepared>(
      {
        type: 'prepare',
        system: prompt.system,
        labels,
        probe: user('Checking the model.'),
        sentinels: [user('a'), user('Z 9')],
        ...(mode ? { mode } : {}),
      },
      ['prepared'],
    );
    this.prepared = await done;
    this.#preparedKey = key;
    return this.prepared;
  }

  /** Scores user messages in the worker. */
  async score(users: string[]): Promise<{ probs: number[][]; logprobs: number[][]; tokens: number[]; ms: number }> {
    const { done } = this.#worker().request<Extract<LocalReply, { type: 'scores' }>>({ type: 'score', users }, ['scores']);
    const r = await done;
    if (users.length > 0) this.speed = { textsPerSec: (users.length * 1000) / Math.max(1, r.ms), msPerText: r.ms / users.length };
    return r;
  }

  /** The run over `job` (prepare() first); deps as for the API teacher, minus the network. */
  run(job: TeacherJob, deps: Omit<LocalRunDeps, 'score'>): TeacherController {
    return runLocalTeacher(job, {
      ...deps,
      score: async (users) => {
        const r = await this.score(users);
        return users.map((_, i) => ({ probs: r.probs[i], logprobs: r.logprobs[i], tokens: r.tokens[i] }));
      },
    });
  }

  /** Stops the worker and frees the model. */
  unload(): void {
    this.#client?.terminate();
    this.#client = null;
    this.#loadedKey = null;
    this.#preparedKey = null;
    this.ready = null;
    this.prepared = null;
    this.status = 'idle';
  }
}

export const localTeacher = new LocalTeacherState();
