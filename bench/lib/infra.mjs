// Servers and browser for the benchmarks: Vite's dev server (serves the app's
// TypeScript modules to the page and loads them into Node via SSR), the mock
// LLM server, and headless Chromium. Everything started here is closed by
// closeAll(), also when a benchmark throws.
import { createServer } from 'vite';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const VITE_PORT = Number(process.env.BENCH_PORT ?? 4440);
export const MOCK_PORT = Number(process.env.BENCH_MOCK_PORT ?? 8940);

const open = [];

/** Vite dev server with the project's vite.config.ts on VITE_PORT (strict). */
export async function startVite() {
  const server = await createServer({
    root: ROOT,
    configFile: `${ROOT}vite.config.ts`,
    logLevel: 'warn',
    // Own dependency cache: re-optimising the shared node_modules/.vite would
    // pull it from under other dev servers running on this machine.
    cacheDir: `${ROOT}node_modules/.vite-bench`,
    // Pre-bundled up front: modules found only at run time (dynamic imports in
    // workers) would otherwise trigger a re-optimisation and a stale-hash 404.
    optimizeDeps: {
      include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'idb', 'papaparse', 'openai'],
    },
    clearScreen: false,
    server: { port: VITE_PORT, strictPort: true, host: '127.0.0.1', hmr: false, watch: null },
  });
  await server.listen();
  open.push(() => server.close());
  return { server, url: `http://127.0.0.1:${VITE_PORT}`, load: (path) => server.ssrLoadModule(path) };
}

/** The mock OpenAI-compatible server (also serves tests/fixtures/models at /models/). */
export async function startMock(config = {}) {
  const { startMockServer } = await import(`${ROOT}tests/mock-llm/server.mjs`);
  const mock = await startMockServer({ port: MOCK_PORT, config });
  open.push(() => mock.close());
  return mock;
}

/** Headless Chromium with WebGPU (SwiftShader here) and precise heap numbers. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
  const { chromium } = await import('@playwright/test');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-precise-memory-info', '--disable-background-networking', '--no-first-run'],
  });
  open.push(() => browser.close());
  return browser;
}

/** A fresh context + the bench page, with its console errors forwarded when BENCH_VERBOSE is set. */
export async function openBenchPage(browser, viteUrl) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('console', (m) => {
    if (process.env.BENCH_VERBOSE || m.type() === 'error') console.error(`  [page ${m.type()}] ${m.text()}`);
  });
  page.on('pageerror', (e) => console.error(`  [page error] ${e.message}`));
  await page.goto(`${viteUrl}/bench/browser/page.html`);
  await page.waitForFunction(() => 'bench' in window, null, { timeout: 60_000 });
  return { page, context, close: () => context.close() };
}

/** Closes everything opened above, newest first; errors are reported, not thrown. */
export async function closeAll() {
  while (open.length > 0) {
    const close = open.pop();
    try {
      await close();
    } catch (err) {
      console.error(`bench: could not close a server cleanly: ${err instanceof Error ? err.message : err}`);
    }
  }
}

/**
 * Starts a CPU profile and a trace of the page's tasks ('toplevel'), on one
 * clock, so that bench/lib/long-tasks.mjs can pick out a long task's samples;
 * returns the function that stops both and writes `dir/name.cpuprofile` and
 * `dir/name.trace.json`. Without `dir` nothing starts and the function does nothing.
 */
export async function startTaskProfile(page, dir, name) {
  if (!dir) return async () => undefined;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['toplevel', '__metadata'] }, transferMode: 'ReturnAsStream' });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await cdp.send('Tracing.end');
    const { stream } = await done;
    const chunks = [];
    for (let eof = false; !eof;) {
      const r = await cdp.send('IO.read', { handle: stream });
      chunks.push(r.base64Encoded ? Buffer.from(r.data, 'base64').toString('utf8') : r.data);
      eof = r.eof;
    }
    await cdp.send('IO.close', { handle: stream });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    writeFileSync(join(dir, `${name}.trace.json`), chunks.join(''));
    await cdp.detach();
  };
}
