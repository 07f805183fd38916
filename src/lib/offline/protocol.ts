// Messages between the page (state/offline.svelte.ts) and the service worker
// (src/sw/service-worker.ts), declared once for both sides.

/** Page → worker. */
export type ToWorker =
  /** How much of the app and the runtimes is cached. */
  | { type: 'status' }
  /** Cache the runtime wasm files still missing, reporting progress. */
  | { type: 'cache-runtime' };

export interface CacheStatus {
  shellVersion: string;
  /** Every app file is cached (true once the worker is installed). */
  shellReady: boolean;
  shellBytes: number;
  runtimeBytes: number;
  /** Bytes of runtime files already cached. */
  runtimeCached: number;
  runtimeReady: boolean;
}

/** Worker → page. */
export type FromWorker =
  { type: 'status'; status: CacheStatus } | { type: 'progress'; done: number; total: number } | { type: 'error'; message: string };
