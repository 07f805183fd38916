// Messages between the page (state/offline.svelte.ts) and the service worker
// (src/sw/service-worker.ts), declared once for both sides.
import type { RuntimeSaved } from './sw-core';

/** Page → worker. */
export type ToWorker =
  /** How much of the app and the runtimes is cached. */
  | { type: 'status' }
  /** Cache every runtime file still missing now, reporting progress (the runtimes are otherwise cached on first use). */
  | { type: 'cache-runtime' };

export interface CacheStatus {
  shellVersion: string;
  /** Every app file is cached (true once the worker is installed): the app itself works offline. */
  shellReady: boolean;
  shellBytes: number;
  /** All runtime files, and those of them already cached. */
  runtimeBytes: number;
  runtimeCached: number;
  /** Per runtime (ONNX Runtime, tfjs wasm): saved by a first use or not yet. */
  runtimes: RuntimeSaved[];
}

/** Worker → page (also sent unasked to every page after a runtime file was cached on first use). */
export type FromWorker =
  { type: 'status'; status: CacheStatus } | { type: 'progress'; done: number; total: number } | { type: 'error'; message: string };
