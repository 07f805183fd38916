import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { runtimeAssets } from './build/runtime-assets.ts';
import { serviceWorker } from './build/service-worker.ts';
import { distCheck } from './build/dist-check.ts';

// Cross-origin isolation lets ONNX Runtime use SharedArrayBuffer threads.
// A static host should send the same two headers; where it cannot, the
// service worker (build/service-worker.ts) adds them (see README, Hosting).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // Relative by default, so dist/ works from any folder (a university web
  // space, a sub-path); the GitHub Pages workflow sets its absolute base.
  base: process.env.SURROGATE_BASE || './',
  plugins: [svelte(), runtimeAssets(), serviceWorker(), distCheck()],
  // onnxruntime-web's default build inlines its wasm loader and points Vite at
  // a second copy of the 27 MB wasm; this condition picks its build that loads
  // both from env.backends.onnx.wasm.wasmPaths, i.e. our own ort/ folder only.
  resolve: {
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
    // `$lib/…` is the framework-free core, from anywhere in the tree.
    alias: { $lib: fileURLToPath(new URL('./src/lib', import.meta.url)) },
  },
  server: { headers: isolation, port: 5173, strictPort: false },
  preview: { headers: isolation, port: 4173 },
  worker: { format: 'es' },
  // Pre-bundle the lazily imported tfjs backends up front, so the dev server
  // does not discover them mid-session and reload the page.
  optimizeDeps: {
    exclude: ['@huggingface/transformers'],
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm'],
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});
