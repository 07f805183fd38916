// The app's service worker (built to dist/sw.js by build/service-worker.ts).
// Two jobs in one worker:
//  1. Cross-origin isolation on hosts that cannot send headers: every response
//     it serves carries COOP/COEP (the coi-serviceworker approach), so after one
//     reload the page is crossOriginIsolated and ONNX Runtime gets wasm threads.
//     (Same-origin responses need no CORP under COEP, so files it does not serve are fine.)
//  2. Offline use: the app shell is cached on install; a runtime's wasm
//     (ONNX Runtime, tfjs) is cached the first time the app asks for it, so a
//     TF-IDF-only visitor never downloads ONNX Runtime. The build's files are
//     served cache-first. Model files are transformers.js' own cache (MODEL_CACHE).
// Cross-origin requests (the LLM endpoint, Hugging Face) are never touched.
import {
  answers,
  cacheNames,
  isRuntimePath,
  keepable,
  legacyRuntimeCopies,
  MODEL_CACHE,
  pathInScope,
  runtimesSaved,
  staleCaches,
  totalSize,
  withIsolation,
  type PrecacheManifest,
} from '$lib/offline/sw-core';
import type { CacheStatus, FromWorker, ToWorker } from '$lib/offline/protocol';

declare const __PRECACHE__: PrecacheManifest;
const MANIFEST = __PRECACHE__;
const NAMES = cacheNames(MANIFEST);
const sw = globalThis as unknown as ServiceWorkerGlobalScope;
const scope = () => sw.registration.scope;
const urlOf = (path: string) => new URL(path === 'index.html' ? './' : path, scope()).href;

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(NAMES.shell);
      // `cache: 'reload'` skips the HTTP cache, so a file is never paired with an older build's.
      await cache.addAll(MANIFEST.shell.map((f) => new Request(urlOf(f.path), { cache: 'reload' })));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of staleCaches(await caches.keys(), NAMES)) await caches.delete(name);
      if (await caches.has(MODEL_CACHE)) {
        const models = await caches.open(MODEL_CACHE);
        for (const url of legacyRuntimeCopies(
          (await models.keys()).map((r) => r.url),
          scope(),
        ))
          await models.delete(url);
      }
      await sw.clients.claim();
    })(),
  );
});

/** The cached copy of a file of this build, whatever query the page added (`?v=` on ort files). */
async function cached(path: string): Promise<Response | undefined> {
  const url = urlOf(path);
  return (await (await caches.open(NAMES.shell)).match(url)) ?? (await (await caches.open(NAMES.runtime)).match(url));
}

function isolated(res: Response): Response {
  // Opaque and redirected responses cannot be rebuilt; they pass as they are.
  if (res.status === 0 || res.type === 'opaqueredirect') return res;
  const { headers } = withIsolation(res.headers);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

/** A runtime file fetched for the first time: kept in the runtime cache while the page reads it. */
function keepRuntime(path: string, res: Response, event: FetchEvent): void {
  if (!keepable(res)) return;
  const copy = res.clone();
  event.waitUntil(
    (async () => {
      await (await caches.open(NAMES.runtime)).put(urlOf(path), copy);
      const msg: FromWorker = { type: 'status', status: await status() };
      for (const client of await sw.clients.matchAll()) client.postMessage(msg);
    })(),
  );
}

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const path = pathInScope(req.url, scope());
  // Another origin, outside the app, or not a file of this build: the network as usual.
  if (path === null || !answers(path, MANIFEST)) return;
  event.respondWith(
    (async () => {
      const hit = await cached(path);
      if (hit) return isolated(hit);
      try {
        const res = await fetch(req);
        if (isRuntimePath(path)) keepRuntime(path, res, event);
        return isolated(res);
      } catch {
        const what = isRuntimePath(path)
          ? 'this runtime has not been used in this browser yet, and its first use needs a connection'
          : 'it is not cached yet';
        return new Response(`Offline: ${path} cannot be loaded (${what}).`, {
          status: 503,
          statusText: 'Offline',
          headers: withIsolation(new Headers({ 'Content-Type': 'text/plain' })).headers,
        });
      }
    })(),
  );
});

async function status(): Promise<CacheStatus> {
  const shell = await caches.open(NAMES.shell);
  const runtime = await caches.open(NAMES.runtime);
  const have = new Set((await runtime.keys()).map((r) => r.url.split('?')[0]));
  const cachedPaths = new Set(MANIFEST.runtime.filter((f) => have.has(urlOf(f.path))).map((f) => f.path));
  const shellKeys = new Set((await shell.keys()).map((r) => r.url));
  return {
    shellVersion: MANIFEST.shellVersion,
    shellReady: MANIFEST.shell.every((f) => shellKeys.has(urlOf(f.path))),
    shellBytes: totalSize(MANIFEST.shell),
    runtimeBytes: totalSize(MANIFEST.runtime),
    runtimeCached: totalSize(MANIFEST.runtime.filter((f) => cachedPaths.has(f.path))),
    runtimes: runtimesSaved(MANIFEST, cachedPaths),
  };
}

/** "Save everything now": fetches the runtime files not yet cached, one at a time, telling `reply` the bytes done. */
async function cacheRuntime(reply: (m: FromWorker) => void): Promise<void> {
  const cache = await caches.open(NAMES.runtime);
  const total = totalSize(MANIFEST.runtime);
  let done = 0;
  for (const f of MANIFEST.runtime) {
    const url = urlOf(f.path);
    if (!(await cache.match(url))) {
      const res = await fetch(new Request(url, { cache: 'reload' }));
      if (!res.ok) throw new Error(`${f.path} could not be downloaded (${res.status} ${res.statusText}).`);
      await cache.put(url, res);
    }
    done += f.size;
    reply({ type: 'progress', done, total });
  }
}

sw.addEventListener('message', (event) => {
  const msg = event.data as ToWorker;
  const source = event.source as Client | null;
  const reply = (m: FromWorker) => source?.postMessage(m);
  const work = (async () => {
    try {
      if (msg.type === 'cache-runtime') await cacheRuntime(reply);
      reply({ type: 'status', status: await status() });
    } catch (e) {
      reply({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  })();
  event.waitUntil(work);
});
