import { describe, expect, it } from 'vitest';
import {
  ADDED_HEADER,
  answers,
  cacheNames,
  fnv1a,
  isRuntimePath,
  keepable,
  legacyRuntimeCopies,
  pathInScope,
  planPrecache,
  runtimesSaved,
  staleCaches,
  totalSize,
  withIsolation,
} from './sw-core';

const file = (path: string, size = 10, hash = path) => ({ path, size, hash });

describe('planPrecache', () => {
  it('splits the runtime wasm from the shell and leaves out files a browser never needs', () => {
    const m = planPrecache([
      file('index.html'),
      file('assets/index-a.js', 100),
      file('ort/ort-wasm-simd-threaded.asyncify.wasm', 27e6),
      file('ort/ort-wasm-simd-threaded.asyncify.mjs'),
      file('tfjs/tfjs-backend-wasm.wasm', 3e5),
      file('sw.js'),
      file('_headers'),
      file('assets/index-a.js.map'),
      file('icons/icon-192.png'),
    ]);
    expect(m.shell.map((f) => f.path)).toEqual(['assets/index-a.js', 'icons/icon-192.png', 'index.html']);
    expect(m.runtime.map((f) => f.path)).toEqual([
      'ort/ort-wasm-simd-threaded.asyncify.mjs',
      'ort/ort-wasm-simd-threaded.asyncify.wasm',
      'tfjs/tfjs-backend-wasm.wasm',
    ]);
    expect(totalSize(m.runtime)).toBe(27e6 + 3e5 + 10);
  });

  it('a new app build changes the shell version only, so the 28 MB of runtimes are not fetched again', () => {
    const a = planPrecache([file('index.html', 10, 'h1'), file('ort/x.wasm', 10, 'w')]);
    const b = planPrecache([file('index.html', 10, 'h2'), file('ort/x.wasm', 10, 'w')]);
    expect(b.shellVersion).not.toBe(a.shellVersion);
    expect(b.runtimeVersion).toBe(a.runtimeVersion);
    expect(planPrecache([file('ort/x.wasm', 10, 'w2')]).runtimeVersion).not.toBe(a.runtimeVersion);
  });
});

describe('runtimes, cached on first use', () => {
  const m = planPrecache([
    file('index.html'),
    file('ort/ort.mjs', 50),
    file('ort/ort.wasm', 27e6),
    file('tfjs/tfjs-backend-wasm.wasm', 3e5),
    file('tfjs/tfjs-backend-wasm-simd.wasm', 4e5),
  ]);

  it('tells runtime files from the shell', () => {
    expect(['ort/ort.wasm', 'tfjs/x.wasm', 'index.html', 'assets/ort/x.js'].map(isRuntimePath)).toEqual([true, true, false, false]);
  });

  it('nothing saved: each runtime says what its first use downloads', () => {
    expect(runtimesSaved(m, new Set())).toEqual([
      { name: 'ONNX Runtime', usedBy: 'encoders and the in-browser teacher', saved: false, savedBytes: 0, downloadBytes: 27e6 + 50 },
      // tfjs loads one build, so its first use costs the largest one at most.
      { name: 'tfjs wasm', usedBy: 'training on the wasm backend', saved: false, savedBytes: 0, downloadBytes: 4e5 },
    ]);
  });

  it('ONNX Runtime is saved only with its glue and its wasm; tfjs with any one build', () => {
    const [ort, tfjs] = runtimesSaved(m, new Set(['ort/ort.wasm', 'tfjs/tfjs-backend-wasm-simd.wasm']));
    expect([ort.saved, ort.savedBytes, tfjs.saved, tfjs.savedBytes]).toEqual([false, 27e6, true, 4e5]);
    expect(runtimesSaved(m, new Set(['ort/ort.mjs', 'ort/ort.wasm']))[0].saved).toBe(true);
  });

  it("finds transformers.js' own old copy of ONNX Runtime, and only that, in its model cache", () => {
    const scope = 'https://u.example.org/app/';
    const urls = [
      'https://u.example.org/app/ort/ort-wasm-simd-threaded.asyncify.wasm?v=4.3.1',
      'https://u.example.org/app/ort/ort-wasm-simd-threaded.asyncify.mjs?v=4.3.1',
      'https://huggingface.co/Xenova/bge-small-en-v1.5/resolve/main/onnx/model_quantized.onnx',
      'https://u.example.org/app/local-models/tiny/onnx/model.onnx',
    ];
    expect(legacyRuntimeCopies(urls, scope)).toEqual(urls.slice(0, 2));
  });

  it('keeps only whole same-origin files', () => {
    expect(keepable({ status: 200, type: 'basic' })).toBe(true);
    expect([206, 404, 503].map((status) => keepable({ status, type: 'basic' }))).toEqual([false, false, false]);
    expect(keepable({ status: 0, type: 'opaque' })).toBe(false);
  });
});

describe('cache names', () => {
  it('deletes only our caches of other builds, never transformers.js models', () => {
    const now = cacheNames({ shellVersion: 'aa', runtimeVersion: 'bb' });
    expect(now).toEqual({ shell: 'surrogate-shell-aa', runtime: 'surrogate-runtime-bb' });
    expect(
      staleCaches(['surrogate-shell-aa', 'surrogate-shell-00', 'surrogate-runtime-bb', 'surrogate-runtime-11', 'transformers-cache'], now),
    ).toEqual(['surrogate-shell-00', 'surrogate-runtime-11']);
  });
});

describe('pathInScope', () => {
  const scope = 'https://u.example.org/~me/surrogate/';
  it('maps the folder to index.html and drops the query', () => {
    expect(pathInScope('https://u.example.org/~me/surrogate/', scope)).toBe('index.html');
    expect(pathInScope('https://u.example.org/~me/surrogate/?tfjs=wasm', scope)).toBe('index.html');
    expect(pathInScope('https://u.example.org/~me/surrogate/ort/x.wasm?v=4.3.1', scope)).toBe('ort/x.wasm');
  });
  it('leaves other origins and paths outside the app alone', () => {
    expect(pathInScope('https://huggingface.co/x/resolve/main/config.json', scope)).toBeNull();
    expect(pathInScope('https://u.example.org/~other/', scope)).toBeNull();
  });
});

describe('withIsolation', () => {
  it('adds COOP/COEP and its mark when the host sent none', () => {
    const { headers, added } = withIsolation(new Headers({ 'Content-Type': 'text/html' }));
    expect(added).toBe(true);
    expect(headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(headers.get(ADDED_HEADER)).toBe('service-worker');
    expect(headers.get('Content-Type')).toBe('text/html');
  });
  it("keeps the host's own headers and does not mark them", () => {
    const { headers, added } = withIsolation(
      new Headers({ 'Cross-Origin-Embedder-Policy': 'credentialless', 'Cross-Origin-Opener-Policy': 'same-origin' }),
    );
    expect(added).toBe(false);
    expect(headers.get('Cross-Origin-Embedder-Policy')).toBe('credentialless');
    expect(headers.has(ADDED_HEADER)).toBe(false);
  });
});

it('fnv1a is a stable 8-digit tag', () => {
  expect(fnv1a('')).toBe('811c9dc5');
  expect(fnv1a('a')).toBe('e40c292c');
});

it("answers only for this build's files", () => {
  const m = planPrecache([file('index.html'), file('assets/a.js'), file('ort/x.wasm')]);
  expect(['index.html', 'assets/a.js', 'ort/x.wasm'].map((p) => answers(p, m))).toEqual([true, true, true]);
  expect([answers('local-models/tiny/config.json', m), answers('sw.js', m), answers(null, m)]).toEqual([false, false, false]);
});
