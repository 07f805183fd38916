import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  resolve: { alias: { $lib: fileURLToPath(new URL('./src/lib', import.meta.url)) } },
  test: {
    include: ['src/**/*.spec.ts', 'tests/unit/**/*.spec.ts', 'tests/mock-llm/**/*.spec.ts', 'bench/**/*.spec.ts'],
    environment: 'node',
    setupFiles: ['tests/unit/setup.ts'],
    testTimeout: 60_000,
    // A test that asserts nothing passes by accident; make that a failure.
    expect: { requireAssertions: true },
  },
});
