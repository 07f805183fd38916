import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { runtimeAssets } from './build/runtime-assets.ts';

// Cross-origin isolation lets ONNX Runtime use SharedArrayBuffer threads.
// A static host must send the same two headers (see README).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  base: './',
  plugins: [svelte(), runtimeAssets()],
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
