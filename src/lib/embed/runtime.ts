// Configures transformers.js' global `env` for where model files come from and
// where ONNX Runtime's wasm lives. `env` is process-wide state, so every load
// goes through applyModelSource() first; nothing else in the app touches it.
import { env } from '@huggingface/transformers';
import { probeWebGPU } from './device';
import type { ModelSource } from './model-files';

// What the page needs without transformers.js lives in model-files.ts; re-exported for the workers.
export type { Dtype } from './keys';
export { describeSource, dtypesIn, filesFromPicker, missingFiles, onnxFileFor, type ModelSource } from './model-files';

const HUB_HOST = 'https://huggingface.co/';
const HUB_TEMPLATE = '{model}/resolve/{revision}/';
/** Picked files are served under this host; `.invalid` never resolves, so nothing leaks to the network. */
const FILES_HOST = 'https://picked-files.invalid/';

// Captured once so switching away from a `files` source restores real fetch.
const nativeFetch = env.fetch;

function withSlash(s: string): string {
  return s.endsWith('/') ? s : s + '/';
}

/** Serves picked files to transformers.js as if they were at FILES_HOST/<modelId>/; 404 for anything missing. */
function filesFetch(files: Map<string, Blob>, modelId: string): typeof env.fetch {
  const prefix = FILES_HOST + modelId + '/';
  return async (input, init) => {
    const url = String(input);
    if (!url.startsWith(FILES_HOST)) return nativeFetch(input, init);
    const path = url.startsWith(prefix) ? decodeURIComponent(url.slice(prefix.length).split('?')[0]) : '';
    const blob = files.get(path);
    if (!blob) return new Response(null, { status: 404, statusText: 'Not in the picked folder' });
    return new Response(blob, { status: 200, headers: { 'content-length': String(blob.size) } });
  };
}

/** Points transformers.js at `source` for loading `modelId`. Call before every pipeline load. */
export function applyModelSource(source: ModelSource, modelId: string): void {
  env.fetch = source.kind === 'files' ? filesFetch(source.files, modelId) : nativeFetch;
  env.allowLocalModels = source.kind === 'local';
  env.allowRemoteModels = source.kind !== 'local';
  // Downloads are kept in Cache Storage so a model is fetched once; picked and
  // local files are already on this machine, so copying them would only waste space.
  if (!env.useFS) env.useBrowserCache = source.kind === 'hub' || source.kind === 'url';
  switch (source.kind) {
    case 'hub':
      env.remoteHost = HUB_HOST;
      env.remotePathTemplate = HUB_TEMPLATE;
      break;
    case 'url':
      env.remoteHost = withSlash(source.baseUrl);
      env.remotePathTemplate = source.layout === 'hub' ? HUB_TEMPLATE : '{model}/';
      break;
    case 'files':
      env.remoteHost = FILES_HOST;
      env.remotePathTemplate = '{model}/';
      break;
    case 'local':
      env.localModelPath = withSlash(source.path);
      break;
  }
}

/**
 * Tells ONNX Runtime Web to load its wasm from the app's own `ort/` folder
 * (served by build/ort-assets.ts) and how many threads to use. `ortBase` is
 * that folder's absolute URL, e.g. `new URL('ort/', document.baseURI).href`
 * computed on the main thread (a worker's own location may sit in assets/).
 * Returns the thread count: 1 unless the page is crossOriginIsolated
 * (SharedArrayBuffer), 0 when there is no wasm backend (Node uses its own default).
 */
export function configureOrt(ortBase: string | URL): number {
  const wasm = env.backends.onnx.wasm;
  // onnxruntime-node (Node) has a stub `wasm` object but no `versions.web`.
  if (!wasm || !env.backends.onnx.versions?.web) return 0;
  const base = withSlash(String(ortBase));
  // The service worker keeps ort/ in its runtime cache on first use (src/sw/); transformers.js'
  // own copy would store the same 27 MB again, under a key no later build removes.
  env.useWasmCache = false;
  // The version query keeps an HTTP-cached wasm of an older ONNX Runtime from
  // pairing with newer glue code (the service worker ignores it: its cache name carries the version).
  const v = `?v=${encodeURIComponent(env.version)}`;
  wasm.wasmPaths = {
    mjs: `${base}ort-wasm-simd-threaded.asyncify.mjs${v}`,
    wasm: `${base}ort-wasm-simd-threaded.asyncify.wasm${v}`,
  };
  const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 2 : 2;
  wasm.numThreads = isolated ? Math.max(1, Math.min(4, Math.ceil(cores / 2))) : 1;
  return wasm.numThreads;
}

/** Whether this browser can give us a WebGPU adapter (false in Node and without a GPU). */
export async function detectWebGPU(): Promise<boolean> {
  return (await probeWebGPU()).available;
}

/** Bytes of a model download, summed over its files. */
export interface LoadProgress {
  done: number;
  total: number;
  file?: string;
}

/**
 * A transformers.js progress_callback that reports the bytes of every file
 * seen so far, summed (the total grows as files start); nothing without `onProgress`.
 */
export function downloadProgress(
  onProgress: ((p: LoadProgress) => void) | undefined,
): (p: { status: string; file?: string; loaded?: number; total?: number }) => void {
  const perFile = new Map<string, { loaded: number; total: number }>();
  return (p) => {
    if (p.status !== 'progress' || !onProgress || !p.file) return;
    perFile.set(p.file, { loaded: p.loaded || 0, total: p.total || 0 });
    let done = 0;
    let total = 0;
    for (const f of perFile.values()) {
      done += f.loaded;
      total += f.total;
    }
    onProgress({ done, total, file: p.file });
  };
}
