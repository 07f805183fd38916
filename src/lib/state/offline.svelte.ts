// The service worker seen from the page: registers it (built app only), knows
// how the page is isolated, says when the app works offline and which runtimes
// a first use has saved (or, asked, saves them all now). Also "make this model
// available offline": the encoder's files go into transformers.js' own Cache
// Storage, where its loads look first (loading it also saves ONNX Runtime).
import type { CacheStatus, FromWorker, ToWorker } from '../offline/protocol';
import { ADDED_HEADER, MODEL_CACHE } from '../offline/sw-core';
import { formatBytes, isolationMode, modelBytes, shouldReload, type Isolation } from '../offline/mode';
import type { EncoderSettings } from '../project/settings';
import { WorkerCancelled } from '../workers/worker-client';

const RELOADED = 'surrogate.coiReload.v1';

export type OfflineStatus = 'off' | 'installing' | 'caching' | 'ready' | 'error';
export interface ModelOffline {
  modelId: string;
  files: number;
  bytes: number;
}

export class OfflineState {
  /** off: dev server, or no service worker in this browser. */
  status = $state<OfflineStatus>('off');
  cache = $state.raw<CacheStatus | null>(null);
  progress = $state<{ done: number; total: number } | null>(null);
  error = $state<string | null>(null);
  isolation = $state<Isolation>('none');
  /** The worker took over after this page loaded: a reload would give wasm threads. */
  reloadForThreads = $state(false);
  model = $state.raw<ModelOffline | null>(null);
  modelBusy = $state(false);
  modelProgress = $state<{ done: number; total: number } | null>(null);
  modelError = $state<string | null>(null);

  #interacted = false;

  /** Nothing known, as before start() (tests). The service worker itself is left registered. */
  reset(): void {
    this.#interacted = false;
    this.status = 'off';
    this.cache = this.progress = this.error = this.model = this.modelProgress = this.modelError = null;
    this.isolation = 'none';
    this.reloadForThreads = this.modelBusy = false;
  }

  /** Registers ./sw.js (once, from main.ts). `enabled` is false on the dev server. */
  async start(enabled: boolean): Promise<void> {
    this.isolation = await this.#detectIsolation();
    if (!enabled || !('serviceWorker' in navigator)) return;
    const sw = navigator.serviceWorker;
    const mark = () => (this.#interacted = true);
    addEventListener('pointerdown', mark, { once: true, capture: true });
    addEventListener('keydown', mark, { once: true, capture: true });
    sw.addEventListener('message', (e: MessageEvent<FromWorker>) => this.#onMessage(e.data));
    const hadController = !!sw.controller;
    sw.addEventListener('controllerchange', () => {
      if (hadController) return; // a newer build's worker: the page keeps its own files
      if (
        shouldReload({ isolated: crossOriginIsolated, triedBefore: sessionStorage.getItem(RELOADED) === '1', interacted: this.#interacted })
      ) {
        sessionStorage.setItem(RELOADED, '1');
        location.reload();
        return;
      }
      if (!crossOriginIsolated) this.reloadForThreads = true;
      this.refresh();
    });
    this.status = 'installing';
    try {
      await sw.register('./sw.js', { scope: './' });
      await sw.ready;
      this.refresh();
    } catch (e) {
      this.status = 'error';
      this.error = `Offline use is not available: the service worker could not start (${e instanceof Error ? e.message : String(e)}).`;
    }
  }

  /** Asks the worker what is saved (the runtime panel, when it opens). */
  refresh(): void {
    this.#post({ type: 'status' });
  }

  /** Saves every runtime now, not just on first use (before going offline); also the retry after a failed download. */
  saveRuntimes(): void {
    this.error = null;
    this.#post({ type: 'cache-runtime' });
  }

  #post(msg: ToWorker): void {
    const target = navigator.serviceWorker?.controller;
    if (!target) return;
    if (msg.type === 'cache-runtime') this.progress = { done: 0, total: this.cache?.runtimeBytes ?? 0 };
    target.postMessage(msg);
  }

  #onMessage(m: FromWorker): void {
    if (m.type === 'progress') this.progress = { done: m.done, total: m.total };
    else if (m.type === 'error') {
      this.progress = null;
      this.error = `Not saved for offline use: ${m.message}`;
    } else {
      this.cache = m.status;
      this.progress = null;
      // The app works offline once its shell is saved; runtimes are saved on first use and listed apart.
      this.status = m.status.shellReady ? 'ready' : 'caching';
    }
  }

  /** The worker marks what it isolated; the host's own headers carry no mark. */
  async #detectIsolation(): Promise<Isolation> {
    const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
    if (!isolated || !navigator.serviceWorker?.controller) return isolationMode(isolated, null);
    try {
      const res = await fetch(location.href, { cache: 'no-store' });
      return isolationMode(isolated, res.headers.get(ADDED_HEADER));
    } catch {
      return isolationMode(isolated, null);
    }
  }

  /** How much of `modelId` transformers.js has cached (0 files when none). */
  async measureModel(modelId: string): Promise<ModelOffline> {
    const entries: { url: string; size: number }[] = [];
    if (typeof caches !== 'undefined' && (await caches.has(MODEL_CACHE))) {
      const cache = await caches.open(MODEL_CACHE);
      for (const req of await cache.keys()) {
        if (!req.url.includes(`/${modelId}/`)) continue;
        const res = await cache.match(req);
        const len = Number(res?.headers.get('content-length'));
        entries.push({ url: req.url, size: Number.isFinite(len) && len > 0 ? len : ((await res?.blob())?.size ?? 0) });
      }
    }
    const m = { modelId, ...modelBytes(entries, modelId) };
    this.model = m;
    return m;
  }

  /**
   * `e`, a failed encoder load, in plain words when the browser is offline:
   * what of it was never saved here, so that its first use still needs a
   * connection. Online, `e` as it is.
   */
  async explainLoadFailure(e: unknown, modelId: string | null): Promise<unknown> {
    if (typeof navigator === 'undefined' || navigator.onLine !== false || e instanceof WorkerCancelled) return e;
    const missing: string[] = [];
    const ort = this.cache?.runtimes.find((r) => r.name === 'ONNX Runtime');
    if (ort && !ort.saved) missing.push(`ONNX Runtime (${formatBytes(ort.downloadBytes)})`);
    if (modelId && (await this.measureModel(modelId)).files === 0) missing.push(`the model files of ${modelId}`);
    const what = missing.length ? missing.join(' and ') : 'part of what it loads';
    const [are, their, they] = missing.length > 1 ? ['are', 'their', 'they work'] : ['is', 'its', 'it works'];
    const detail = e instanceof Error ? e.message : String(e);
    return new Error(
      `You are offline, and ${what} ${are} not saved in this browser yet: ${their} first use needs a connection once; after that ${they} offline (${detail}).`,
    );
  }

  /**
   * Downloads the encoder's files by loading it once in the embed worker, so
   * exactly the files a later embedding run asks for are cached.
   */
  async makeModelOffline(s: EncoderSettings, webgpu: boolean | null): Promise<void> {
    if (s.kind === 'tfidf' || s.source.kind === 'files') return; // nothing to download
    this.modelBusy = true;
    this.modelError = null;
    this.modelProgress = null;
    try {
      const [{ resolveEncoder }, { embedRequest, ortBase }] = await Promise.all([
        import('./embedder.svelte'),
        import('../workers/embed-client'),
      ]);
      const { device, dtype, modelId } = await resolveEncoder(s, webgpu); // a preset names its model
      const req = embedRequest({ type: 'load', modelId, source: s.source, device, dtype, ortBase: ortBase() }, (r) => {
        if (r.type === 'progress' && r.stage === 'download') this.modelProgress = { done: r.done, total: r.total };
      });
      await req.done.catch(async (e: unknown) => {
        throw await this.explainLoadFailure(e, modelId);
      });
      await this.measureModel(modelId);
    } catch (e) {
      this.modelError = `The model could not be downloaded: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.modelBusy = false;
      this.modelProgress = null;
    }
  }
}

export const offline = new OfflineState();
