// Builds src/sw/service-worker.ts into dist/sw.js with the list of files to
// cache inlined (shell and runtime, see src/lib/offline/sw-core.ts). Build
// only: the dev server sends the isolation headers itself and a caching
// worker would get in the way of hot reload.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin, type ResolvedConfig } from 'vite';
import { planPrecache, type PrecacheManifest } from '../src/lib/offline/sw-core.ts';
import { listDist } from './dist-check.ts';

const ENTRY = fileURLToPath(new URL('../src/sw/service-worker.ts', import.meta.url));

const sha = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The worker as one classic script (service workers as modules are not everywhere yet). */
export async function buildWorker(manifest: PrecacheManifest, minify = true): Promise<string> {
  const out = await build({
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    // Its own build (no vite.config.ts), so it names the `$lib` alias itself.
    resolve: { alias: { $lib: fileURLToPath(new URL('../src/lib', import.meta.url)) } },
    define: { __PRECACHE__: JSON.stringify(manifest) },
    build: {
      write: false,
      minify,
      target: 'es2022',
      lib: { entry: ENTRY, formats: ['iife'], name: 'surrogateServiceWorker', fileName: () => 'sw.js' },
    },
  });
  const first = (Array.isArray(out) ? out[0] : out) as { output: { type: string; code?: string }[] };
  const chunk = first.output.find((o) => o.type === 'chunk');
  if (!chunk?.code) throw new Error('The service worker build produced no code.');
  return chunk.code;
}

export function serviceWorker(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'surrogate-service-worker',
    apply: 'build',
    enforce: 'post',
    configResolved(c) {
      config = c;
    },
    generateBundle: {
      order: 'post',
      async handler(_options, bundle) {
        const files = Object.values(bundle).map((f) => {
          const bytes = f.type === 'chunk' ? f.code : f.source;
          return { path: f.fileName, size: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length, hash: sha(bytes) };
        });
        // public/ is copied after the bundle is written, so it is read from disk here.
        const pub = config.publicDir && existsSync(config.publicDir) ? listDist(config.publicDir) : [];
        const manifest = planPrecache([...files, ...pub]);
        this.emitFile({ type: 'asset', fileName: 'sw.js', source: await buildWorker(manifest) });
      },
    },
  };
}
