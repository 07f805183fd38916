import { defineConfig } from '@playwright/test';

// Debian's Chromium (Playwright cannot download its own browsers here).
// WebGPU runs headless through SwiftShader on localhost with the unsafe flag.
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
// Ports can be moved so several runs can share a machine; E2E_DEV=1 serves the
// app with Vite's dev server instead of the built app (no build needed).
const APP_PORT = Number(process.env.APP_PORT ?? 4173);
export const MOCK_PORT = Number(process.env.MOCK_PORT ?? 8787);
const DEV = process.env.E2E_DEV === '1';

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://localhost:${APP_PORT}`,
    browserName: 'chromium',
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
  webServer: [
    {
      command: `npx vite ${DEV ? '' : 'preview '}--port ${APP_PORT} --strictPort`,
      url: `http://localhost:${APP_PORT}`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      command: `node tests/mock-llm/server.mjs --port ${MOCK_PORT}`,
      url: `http://127.0.0.1:${MOCK_PORT}/v1/models`,
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
    },
  ],
});
