// Pure rules of the service worker (src/sw/service-worker.ts) and of the build
// step that writes its file list (build/service-worker.ts): which files are
// cached under which name, which requests it answers, and the two headers it
// adds for hosts that cannot send them. No DOM or worker globals, so Node tests it.

/** Cache names carry the build's version; an old build's caches are deleted on activation. */
export const SHELL_PREFIX = 'surrogate-shell-';
export const RUNTIME_PREFIX = 'surrogate-runtime-';
/** transformers.js' Cache Storage (its env.cacheKey default): model files, and ONNX Runtime's wasm before the worker kept it. */
export const MODEL_CACHE = 'transformers-cache';
/** Set on responses whose isolation headers came from the service worker, not the host. */
export const ADDED_HEADER = 'X-Surrogate-Isolation';

export interface CachedFile {
  /** Path relative to the app's folder (the worker's scope), e.g. `assets/index-abc.js`. */
  path: string;
  size: number;
}

/** What the build tells the service worker (inlined into sw.js). */
export interface PrecacheManifest {
  /** Changes whenever any shell file changes. */
  shellVersion: string;
  /** Changes only when a runtime file (ONNX Runtime, tfjs wasm) changes, so a new app build keeps the 28 MB. */
  runtimeVersion: string;
  /** The app itself: cached when the service worker installs. */
  shell: CachedFile[];
  /**
   * ONNX Runtime's and tfjs's wasm: each file is cached the first time the app
   * asks for it, so a TF-IDF-only visitor never downloads the 27 MB of ONNX Runtime.
   */
  runtime: CachedFile[];
}

/** The wasm runtimes (see build/runtime-assets.ts), as the runtime panel names them. */
export const RUNTIMES = [
  { dir: 'ort/', name: 'ONNX Runtime', usedBy: 'encoders and the in-browser teacher', needsAll: true },
  // tfjs loads one of its three builds (plain, SIMD, threaded SIMD), and only when WebGPU and WebGL both fail.
  { dir: 'tfjs/', name: 'tfjs wasm', usedBy: 'training on the wasm backend', needsAll: false },
] as const;
export const RUNTIME_DIRS = RUNTIMES.map((r) => r.dir);
/** Files in dist/ a browser never needs from the cache. */
const NOT_CACHED = [/^sw\.js$/, /^_headers$/, /^_redirects$/, /^vercel\.json$/, /\.map$/, /^\.nojekyll$/];

/**
 * Splits a build's files into shell and runtime and computes the versions.
 * `files` are paths relative to dist/ with a content hash each.
 */
export function planPrecache(files: readonly (CachedFile & { hash: string })[]): PrecacheManifest {
  const keep = files.filter((f) => !NOT_CACHED.some((re) => re.test(f.path))).sort((a, b) => a.path.localeCompare(b.path));
  const isRuntime = (f: CachedFile) => isRuntimePath(f.path);
  const shell = keep.filter((f) => !isRuntime(f));
  const runtime = keep.filter(isRuntime);
  const version = (list: typeof keep) => fnv1a(list.map((f) => `${f.path}:${f.hash}`).join('\n'));
  return {
    shellVersion: version(shell),
    runtimeVersion: version(runtime),
    shell: shell.map(({ path, size }) => ({ path, size })),
    runtime: runtime.map(({ path, size }) => ({ path, size })),
  };
}

export function cacheNames(m: Pick<PrecacheManifest, 'shellVersion' | 'runtimeVersion'>): { shell: string; runtime: string } {
  return { shell: SHELL_PREFIX + m.shellVersion, runtime: RUNTIME_PREFIX + m.runtimeVersion };
}

/** Our caches that belong to another build (to delete); caches of other code (transformers.js models) are left alone. */
export function staleCaches(names: readonly string[], current: { shell: string; runtime: string }): string[] {
  return names.filter((n) => (n.startsWith(SHELL_PREFIX) || n.startsWith(RUNTIME_PREFIX)) && n !== current.shell && n !== current.runtime);
}

/**
 * The path of `url` inside `scope` without query or hash, with the folder
 * itself as `index.html`; null for another origin or a path outside the scope.
 */
export function pathInScope(url: string, scope: string): string | null {
  const u = new URL(url);
  const s = new URL(scope);
  if (u.origin !== s.origin || !u.pathname.startsWith(s.pathname)) return null;
  const path = decodeURIComponent(u.pathname.slice(s.pathname.length));
  return path === '' || path.endsWith('/') ? path + 'index.html' : path;
}

/**
 * Whether the worker answers a request for `path` (from pathInScope): only
 * the files of this build. Anything else in the app's folder (a model folder
 * hosted beside it, say) goes to the network untouched.
 */
export function answers(path: string | null, m: Pick<PrecacheManifest, 'shell' | 'runtime'>): boolean {
  if (path === null) return false;
  return m.shell.some((f) => f.path === path) || m.runtime.some((f) => f.path === path);
}

/**
 * The headers a response is served with: COOP/COEP added when the host sent
 * no COEP (GitHub Pages, a university folder), so the page can be
 * cross-origin isolated and ONNX Runtime gets wasm threads. `added` says whether
 * this worker supplied them (marked with ADDED_HEADER, which the badge reads).
 */
export function withIsolation(headers: Headers): { headers: Headers; added: boolean } {
  const out = new Headers(headers);
  if (out.has('Cross-Origin-Embedder-Policy')) return { headers: out, added: false };
  out.set('Cross-Origin-Embedder-Policy', 'require-corp');
  out.set('Cross-Origin-Opener-Policy', 'same-origin');
  out.set(ADDED_HEADER, 'service-worker');
  return { headers: out, added: true };
}

/**
 * Entries of transformers.js' cache (`MODEL_CACHE`) that are runtime files of
 * this app, from builds that let transformers.js keep its own copy of ONNX
 * Runtime (a second 27 MB): the worker deletes them, model files stay.
 */
export function legacyRuntimeCopies(urls: readonly string[], scope: string): string[] {
  return urls.filter((u) => {
    const path = pathInScope(u, scope);
    return path !== null && isRuntimePath(path);
  });
}

/** Whether `path` (from pathInScope) is a runtime file, cached on first use rather than on install. */
export function isRuntimePath(path: string): boolean {
  return RUNTIME_DIRS.some((d) => path.startsWith(d));
}

/**
 * Whether a network answer for a runtime file may be kept: a whole file
 * (not a 206 range, not an error page) from this origin.
 */
export function keepable(res: Pick<Response, 'status' | 'type'>): boolean {
  return res.status === 200 && (res.type === 'basic' || res.type === 'default');
}

/** What is saved of one runtime (see RUNTIMES). */
export interface RuntimeSaved {
  name: string;
  usedBy: string;
  /** Saved: every file (ONNX Runtime needs its glue and its wasm) or, for tfjs, any one build. */
  saved: boolean;
  savedBytes: number;
  /** The download a first use costs: all files, or the largest single build. */
  downloadBytes: number;
}

/** Per runtime, what of `m.runtime` is among `cachedPaths` (paths as in the manifest). */
export function runtimesSaved(m: Pick<PrecacheManifest, 'runtime'>, cachedPaths: ReadonlySet<string>): RuntimeSaved[] {
  return RUNTIMES.map(({ dir, name, usedBy, needsAll }) => {
    const files = m.runtime.filter((f) => f.path.startsWith(dir));
    const have = files.filter((f) => cachedPaths.has(f.path));
    const saved = files.length > 0 && (needsAll ? have.length === files.length : have.length > 0);
    const downloadBytes = needsAll ? totalSize(files) : Math.max(0, ...files.map((f) => f.size));
    return { name, usedBy, saved, savedBytes: totalSize(have), downloadBytes };
  });
}

/** Total bytes of a file list. */
export function totalSize(files: readonly CachedFile[]): number {
  return files.reduce((s, f) => s + f.size, 0);
}

/** 32-bit FNV-1a as 8 hex digits: a short, stable version tag (not a security hash). */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
