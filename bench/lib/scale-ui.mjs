// Benchmark 11: the scale bench's question asked of the UI itself (issue 20).
// `scale` drives the state classes without components, so the components' own
// loops over the rows (derivations, tallies, sets built on a click) were never
// measured. Here N generated texts go through the BUILT app as a user clicks
// it — the CSV through the Data step's file input, then every step and its
// common clicks — and each step's main-thread long tasks and JS heap peak are
// recorded in the page. Default 100,000 texts; --quick 10,000; --full 1,000,000;
// SCALE_UI_N=n any other size.
// Its own ports: the app on 4471 (BENCH_SCALE_UI_PORT), the mock on 8971.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, startTaskProfile } from './infra.mjs';
import { serveBuiltApp } from './quality-ui.mjs';
import { LIMITS } from './scale.mjs';

export const SCALE_UI_APP_PORT = Number(process.env.BENCH_SCALE_UI_PORT ?? 4471);
export const SCALE_UI_MOCK_PORT = Number(process.env.BENCH_SCALE_UI_MOCK_PORT ?? 8971);
const MINUTE = 60_000;
/** Teacher texts from the pool (beside the validation and test samples): a small run, the UI's loops are what is measured. */
const POOL_N = 200;

const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const thousands = (n) => n.toLocaleString('en-US');

/** In the page before any script: every long task (start, duration) and the heap's peak since the last reset. */
function recorder() {
  const ui = { tasks: [], peak: 0 };
  window.__scaleUi = ui;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) ui.tasks.push({ start: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const sample = () => (ui.peak = Math.max(ui.peak, performance.memory?.usedJSHeapSize ?? 0));
  setInterval(sample, 25);
  ui.reset = () => {
    ui.tasks = [];
    ui.peak = 0;
    sample();
  };
}

/** The bench's texts as a CSV file on disk (bench/browser/texts.ts, loaded through Vite's module runner: no server). */
async function writeCsv(dir, n) {
  const { runnerImport } = await import('vite');
  const { module } = await runnerImport(join(import.meta.dirname, '..', 'browser', 'texts.ts'));
  const file = join(dir, `texts-${n}.csv`);
  writeFileSync(file, module.toCsv(module.generateTexts(n)));
  return file;
}

/** Mock answers by cue word (the texts' generator puts one in each), so the teacher mostly agrees with the human label. */
const RULES = [
  ...['great', 'good', 'love', 'excellent', 'amazing', 'best', 'perfect', 'nice'].map((contains) => ({ contains, label: 'positive' })),
  ...['terrible', 'bad', 'awful', 'hate', 'worst', 'horrible', 'boring', 'poor'].map((contains) => ({ contains, label: 'negative' })),
];

export async function scaleUi(ctx) {
  // SCALE_UI_N: another size (e.g. 300000 while developing; a profile of 1,000,000 outgrows what Node can read back).
  const n = Number(process.env.SCALE_UI_N ?? 0) || (ctx.opts.full ? 1_000_000 : ctx.opts.quick ? 10_000 : 100_000);
  const closers = [];
  const dir = mkdtempSync(join(tmpdir(), 'surrogate-scale-ui-'));
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const csv = await writeCsv(dir, n);
    const { startMockServer } = await import(join(ctx.root, 'tests/mock-llm/server.mjs'));
    const mock = await startMockServer({ port: SCALE_UI_MOCK_PORT, config: { rules: RULES } });
    closers.push(() => mock.close());
    // A profiled run is built unminified, so its functions keep their names.
    const app = await serveBuiltApp(ctx.root, SCALE_UI_APP_PORT, process.env.SCALE_UI_PROFILE ? { minify: false } : {});
    closers.push(app.close);
    // A profile on disk: an in-memory context's IndexedDB quota is small.
    const { chromium } = await import('@playwright/test');
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--enable-precise-memory-info', '--disable-background-networking', '--no-first-run'],
    });
    closers.push(() => context.close());
    if (ctx.env && !ctx.env.browser) ctx.env.browser = `Chromium ${context.browser()?.version() ?? ''} (headless)`;
    const r = await flow({ context, appUrl: app.url, mockUrl: mock.url, csv, n }).catch(async (err) => {
      // BENCH_SHOTS=dir: what the page showed when a step gave up.
      const open = context.pages()[0];
      if (process.env.BENCH_SHOTS && open)
        await open.screenshot({ path: join(process.env.BENCH_SHOTS, `scale-ui-${n}-failed.png`), fullPage: true });
      throw err;
    });
    return report(r);
  } finally {
    while (closers.length > 0) {
      try {
        await closers.pop()();
      } catch (err) {
        console.error(`scale-ui: could not close cleanly: ${err instanceof Error ? err.message : err}`);
      }
    }
  }
}

async function flow({ context, appUrl, mockUrl, csv, n }) {
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (e) => {
    console.error(`  [page error] ${e.message}`);
    pageErrors.push(e.message);
  });
  page.on('console', (m) => {
    if (process.env.BENCH_VERBOSE || m.type() === 'error') console.error(`  [page ${m.type()}] ${m.text()}`);
  });
  await page.addInitScript(recorder);
  // A full collection after each step (DevTools protocol) gives the heap the page really holds then.
  const cdp = await page.context().newCDPSession(page);
  const stages = [];
  const t0 = Date.now();
  /** Runs one step's clicks and records what the page did meanwhile (tasks reported after a short settle). */
  const stage = async (name, clicks) => {
    process.stdout.write(`  scale-ui: ${name}… `);
    await page.evaluate(() => window.__scaleUi.reset());
    const s0 = Date.now();
    await clicks();
    const ms = Date.now() - s0;
    await page.waitForTimeout(300);
    const got = await page.evaluate(() => ({ tasks: window.__scaleUi.tasks, peak: window.__scaleUi.peak }));
    const longest = got.tasks.reduce((a, t) => Math.max(a, t.ms), 0);
    await cdp.send('HeapProfiler.collectGarbage');
    await page.waitForTimeout(300); // the collection's own long task is reported before the next step's reset
    const heapLive = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
    stages.push({
      name,
      ms,
      heapPeak: got.peak,
      heapLive,
      longTasks: got.tasks.length,
      longestTaskMs: longest,
      overLimit: got.tasks.filter((t) => t.ms > LIMITS.taskMs).length,
      tasks: got.tasks.map((t) => Math.round(t.ms)).sort((a, b) => b - a),
    });
    process.stdout.write(
      `${(ms / 1000).toFixed(1)} s, longest task ${longest.toFixed(0)} ms, heap peak ${mib(got.peak)}, live ${mib(heapLive)}\n`,
    );
  };
  const step = (id) => page.locator(`[data-step="${id}"]`).click();
  const until = async (ok, timeout = 5 * MINUTE) => {
    for (const end = Date.now() + timeout; !(await ok()); await page.waitForTimeout(100))
      if (Date.now() > end) throw new Error('scale-ui: timed out');
  };
  const shownCount = async () =>
    Number(
      (
        await page
          .getByText(/[\d,]+ shown$/)
          .first()
          .textContent()
      ).replace(/[^\d]/g, ''),
    );

  await page.goto(`${appUrl}/?tfjs=wasm`);
  await page.getByTestId('file-input').waitFor({ state: 'attached' });
  const stopProfile = await startTaskProfile(page, process.env.SCALE_UI_PROFILE, `scale-ui-${n}`);

  await stage('data: import the CSV', async () => {
    await page.getByTestId('file-input').setInputFiles(csv);
    // The guessed mapping (text, id, label) is the one wanted; choosing it again would re-apply it under the Import click.
    await page.getByText(`${thousands(n)} texts to import`).waitFor({ timeout: 5 * MINUTE });
    await page.getByRole('button', { name: `Import ${thousands(n)} texts` }).click();
    await page.getByTestId('split-counts').waitFor({ timeout: Number(process.env.SCALE_UI_IMPORT_MS ?? 10 * MINUTE) });
  });
  await stage('data: texts table, search, next page', async () => {
    await page.getByLabel('Search texts').fill('excellent');
    await until(async () => (await shownCount()) < n);
    await page.getByRole('button', { name: '›' }).click();
    await page.getByLabel('Search texts').fill('');
    await page.getByText(`${n.toLocaleString('en')} shown`).waitFor({ timeout: MINUTE });
    await page.getByRole('button', { name: '›' }).click();
  });

  await stage('codebook: open, examples from rows, save', async () => {
    await step('codebook');
    await page.getByLabel('Task name').fill('Sentiment');
    await page.getByLabel('Instructions').fill('Is the review positive or negative?');
    await page.getByLabel('Label 1 definition').fill('The text says something bad.');
    await page.getByLabel('Label 2 definition').fill('The text says something good.');
    await page.getByRole('button', { name: 'Add one per label from human-labeled rows' }).click();
    await page.getByRole('button', { name: 'Save version' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 1' }).waitFor({ timeout: MINUTE });
  });

  await stage('settings: the mock endpoint', async () => {
    await page.getByRole('button', { name: /^Settings/ }).click();
    await page.getByLabel('Base URL').fill(`${mockUrl}/v1`);
    await page.getByLabel('Model', { exact: true }).fill('mock-teacher');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
  });

  await stage('teacher: open, settings', async () => {
    await step('teacher');
    await page.getByLabel('Repeats').fill('1');
    await page.getByLabel('Repeats').press('Tab');
    await page.getByLabel('Training-pool texts').fill(String(POOL_N));
    await page.getByLabel('Training-pool texts').press('Tab');
    await page
      .getByTestId('estimate-calls')
      .waitFor({ timeout: MINUTE })
      .catch(() => undefined);
  });
  await stage('teacher: run (validation + test + 200 pool texts)', async () => {
    await page.getByRole('button', { name: 'Start labeling' }).click();
    await page
      .getByTestId('teacher-state')
      .filter({ hasText: 'Done' })
      .waitFor({ timeout: 20 * MINUTE });
  });
  await stage('teacher: results table, search', async () => {
    const search = page.getByLabel('Search labeled texts');
    await search.fill('excellent');
    await page.waitForTimeout(1000);
    await search.fill('');
    await page.waitForTimeout(500);
  });

  await stage('train: open, encoder settings', async () => {
    await step('train');
    await page.getByLabel('Model id').fill('tiny-distilbert');
    await page.getByLabel('Model id').press('Tab');
    await page.getByLabel('Model source').selectOption('url');
    await page.getByLabel('Mirror base URL').fill(`${mockUrl}/models`);
    await page.getByLabel('Mirror base URL').press('Tab');
    await page.getByLabel('Device').selectOption('wasm');
  });
  await stage('train: embed all texts', async () => {
    await page.getByRole('button', { name: 'Embed all texts' }).click();
    await page
      .getByTestId('embed-summary')
      .filter({ hasText: 'embedded now' })
      .waitFor({ timeout: 60 * MINUTE });
  });
  await stage('train: train a student (LLM labels)', async () => {
    await page.getByRole('button', { name: 'Train student' }).click();
    await page
      .getByTestId('student-row')
      .first()
      .waitFor({ timeout: 10 * MINUTE });
  });
  await stage('train: label the corpus', async () => {
    await page.getByTestId('student-row').first().getByRole('button', { name: 'Label the whole corpus' }).click();
    await page
      .getByTestId('distribution')
      .first()
      .waitFor({ timeout: 30 * MINUTE });
  });

  await stage('validate: open', async () => {
    await step('validate');
    await page.getByTestId('teacher-metrics').waitFor({ timeout: 5 * MINUTE });
  });
  await stage('compare: open, run the comparison', async () => {
    await step('compare');
    await page.getByRole('button', { name: 'Run comparison' }).click();
    const failed = page.getByLabel('Run the comparison').getByRole('alert');
    await page
      .getByTestId('comparison-table')
      .or(failed)
      .first()
      .waitFor({ timeout: 30 * MINUTE });
    if (await failed.count()) throw new Error(`the comparison failed: ${await failed.first().textContent()}`);
  });
  await stage('export: open, corpus CSV', async () => {
    await step('export');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 10 * MINUTE }),
      page.getByRole('button', { name: 'Corpus CSV' }).click(),
    ]);
    await download.path();
  });
  await stage('data: back to the texts table', async () => {
    await step('data');
    await page.getByTestId('rows-table').waitFor({ timeout: MINUTE });
  });
  await stopProfile();
  return { n, stages, wallMs: Date.now() - t0, pageErrors };
}

function report(r) {
  const tag = `${thousands(r.n)} texts`;
  const peak = Math.max(...r.stages.map((x) => x.heapPeak));
  const longest = Math.max(...r.stages.map((x) => x.longestTaskMs));
  const worst = r.stages.reduce((a, b) => (b.longestTaskMs > a.longestTaskMs ? b : a));
  const heaviest = r.stages.reduce((a, b) => (b.heapPeak > a.heapPeak ? b : a));
  const figures = [
    {
      figure: `${tag} (UI): main-thread heap peak ÷ ${mib(LIMITS.heapBytes)} limit`,
      ratio: peak / LIMITS.heapBytes,
      detail: `${mib(peak)} (in "${heaviest.name}")`,
    },
    {
      figure: `${tag} (UI): main-thread heap after a full collection, largest ÷ ${mib(LIMITS.heapBytes)} limit`,
      ratio: Math.max(...r.stages.map((x) => x.heapLive)) / LIMITS.heapBytes,
      detail: `${mib(Math.max(...r.stages.map((x) => x.heapLive)))} (what the page holds; the peak adds garbage not yet collected)`,
    },
    {
      figure: `${tag} (UI): longest main-thread task ÷ ${LIMITS.taskMs} ms limit`,
      ratio: longest / LIMITS.taskMs,
      detail: `${longest.toFixed(0)} ms (in "${worst.name}"); ${r.stages.reduce((a, x) => a + x.overLimit, 0)} tasks over ${LIMITS.taskMs} ms, ${r.stages.reduce((a, x) => a + x.longTasks, 0)} over 50 ms in all`,
    },
    ...r.stages.map((st) => ({
      figure: `${tag} (UI): ${st.name}, longest task ÷ ${LIMITS.taskMs} ms`,
      ratio: st.longestTaskMs / LIMITS.taskMs,
      detail: `${(st.ms / 1000).toFixed(1)} s; heap peak ${mib(st.heapPeak)}, live after it ${mib(st.heapLive)}; ${st.longTasks ? `${st.longTasks} long tasks (${st.tasks.slice(0, 5).join(', ')} ms${st.longTasks > 5 ? ', …' : ''})` : 'no long task'}`,
    })),
  ];
  const notes = [
    `The built app (vite build) on port ${SCALE_UI_APP_PORT}, the mock on ${SCALE_UI_MOCK_PORT}, one Chromium profile on disk; the 32-d tiny encoder on wasm, tfjs on wasm. ` +
      `Teacher: repeats 1, the validation and test samples and ${POOL_N} pool texts. Long tasks: PerformanceObserver('longtask') in the page; heap: performance.memory every 25 ms (peak, garbage included) and after a full collection at the step's end (live). ` +
      'A stage is the clicks named and the wait for their result, then 300 ms for the last task to be reported. SCALE_UI_PROFILE=dir writes a CPU profile and a task trace of the run for bench/lib/long-tasks.mjs.',
    `Wall ${(r.wallMs / 1000).toFixed(0)} s.`,
    ...r.pageErrors.map((e) => `The page threw “${e}”.`),
  ];
  return { figures, notes, raw: r };
}
