// Serves the wasm runtimes from the app itself (dev server and build output),
// so the browser never fetches them from a CDN:
//  - ONNX Runtime (transformers.js), told via env.backends.onnx.wasm.wasmPaths;
//  - tfjs's wasm backend, told via setWasmPaths.
import { createReadStream, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

interface AssetDir {
  urlDir: string; // folder under the app base, ending in '/'
  dist: string; // absolute folder on disk
  files: string[];
}

const req = createRequire(import.meta.url);
/** A package's folder, found from its main entry (not all export ./package.json). */
function pkgDir(name: string): string {
  let dir = dirname(req.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || !dir.endsWith(name.split('/').at(-1)!)) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`Cannot find the folder of ${name}`);
    dir = up;
  }
  return dir;
}

function ortDist(): string {
  // The copy transformers.js itself depends on, when npm nested one.
  const nested = join(pkgDir('@huggingface/transformers'), 'node_modules', 'onnxruntime-web', 'dist');
  return existsSync(nested) ? nested : join(pkgDir('onnxruntime-web'), 'dist');
}

export const RUNTIME_ASSETS: AssetDir[] = [
  {
    urlDir: 'ort/',
    dist: ortDist(),
    // The build transformers.js loads in the browser (webgpu + wasm providers).
    files: ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'],
  },
  {
    urlDir: 'tfjs/',
    dist: join(pkgDir('@tensorflow/tfjs-backend-wasm'), 'dist'),
    files: ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'],
  },
];

const contentType = (name: string) => (name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');

export function runtimeAssets(): Plugin {
  return {
    name: 'surrogate-runtime-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0];
        for (const dir of RUNTIME_ASSETS) {
          const at = path.lastIndexOf('/' + dir.urlDir);
          const name = at >= 0 ? path.slice(at + dir.urlDir.length + 1) : '';
          if (!dir.files.includes(name)) continue;
          res.setHeader('Content-Type', contentType(name));
          createReadStream(join(dir.dist, name)).pipe(res);
          return;
        }
        next();
      });
    },
    generateBundle() {
      for (const dir of RUNTIME_ASSETS) {
        for (const name of dir.files) {
          this.emitFile({ type: 'asset', fileName: dir.urlDir + name, source: readFileSync(join(dir.dist, name)) });
        }
      }
    },
  };
}
