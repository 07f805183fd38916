// The service worker seen from the page: registers it (built app only), knows
// how the page is isolated, asks it to cache the runtime wasm, and says when
// the app works offline. Also "make this model available offline": the encoder's
// files go into transformers.js' own Cache Storage, where its loads look first.
import type { CacheStatus, FromWorker, ToWorker } from '../offline/protocol';
import { ADDED_HEADER } from '../offline/sw-core';
import { isolationMode, modelBytes, shouldReload, type Isolation } from '../offline/mode';
import type { EncoderSettings } from '../project/settings';

/** transformers.js' Cache Storage name (its env.cacheKey default). */
export const MODEL_CACHE = 'transformers-cache';
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
      this.#post({ type: 'cache-runtime' });
    });
    this.status = 'installing';
    try {
      await sw.register('./sw.js', { scope: './' });
      await sw.ready;
      if (sw.controller) this.#post({ type: 'cache-runtime' });
    } catch (e) {
      this.status = 'error';
      this.error = `Offline use is not available: the service worker could not start (${e instanceof Error ? e.message : String(e)}).`;
    }
  }

  /** Asks the worker again (e.g. after a failed download). */
  retry(): void {
    this.error = null;
    this.#post({ type: 'cache-runtime' });
  }

  #post(msg: ToWorker): void {
    const target = navigator.serviceWorker.controller;
    if (!target) return;
    if (msg.type === 'cache-runtime' && this.status !== 'ready') this.status = 'caching';
    target.postMessage(msg);
  }

  #onMessage(m: FromWorker): void {
    if (m.type === 'progress') this.progress = { done: m.done, total: m.total };
    else if (m.type === 'error') {
      this.status = 'error';
      this.error = `Not yet available offline: ${m.message}`;
    } else {
      this.cache = m.status;
      this.progress = null;
      this.status = m.status.shellReady && m.status.runtimeReady ? 'ready' : 'caching';
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
      await req.done;
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
