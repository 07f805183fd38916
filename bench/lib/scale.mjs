// Benchmark 4: N generated texts through the whole pipeline in the page (see
// bench/browser/scale.ts): import → embed → train → label the corpus →
// corpus CSV → project export with embeddings → import into an emptied
// database. Two encoders: the 32-dimensional tiny-distilbert and a
// 768-dimensional one of the same construction (DistilBERT's and BGE-base's
// width), generated here by scripts/make-tiny-model.mjs. Default: 100,000
// texts each; --full adds 1,000,000 × 768; --quick: 10,000.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { CHROMIUM, startTaskProfile } from './infra.mjs';

/** The page's limits the issue sets (main thread). */
export const LIMITS = { heapBytes: 400 * 2 ** 20, taskMs: 200 };
const WIDE = 'tiny-distilbert-768';

/** Writes the 768-dimensional test encoder once per machine (a few MB, seeded: byte-identical every time). */
function wideModelDir(root) {
  const dir = join(tmpdir(), 'surrogate-bench-models');
  if (!existsSync(join(dir, WIDE, 'onnx', 'model_quantized.onnx'))) {
    execFileSync(process.execPath, [join(root, 'scripts', 'make-tiny-model.mjs'), dir, '--dim', '768', '--name', WIDE], {
      stdio: 'ignore',
    });
  }
  return join(dir, WIDE);
}

/** Serves the wide model at the mock's /models/ as if it held it (the page is cross-origin isolated: CORS + CORP). */
async function routeWide(context, mockUrl, dir) {
  await context.route(`${mockUrl}/models/${WIDE}/**`, async (route) => {
    const rel = decodeURIComponent(new URL(route.request().url()).pathname).slice(`/models/${WIDE}/`.length);
    const file = join(dir, rel);
    const headers = { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' };
    if (rel.includes('..') || !existsSync(file)) return route.fulfill({ status: 404, headers });
    return route.fulfill({ status: 200, body: readFileSync(file), headers: { ...headers, 'content-type': 'application/octet-stream' } });
  });
}

const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
const thousands = (n) => n.toLocaleString('en-US');

/**
 * A page in a browser profile on disk: Playwright's default contexts keep
 * IndexedDB in memory with a small quota (a million 768-d vectors, 3 GB,
 * would not fit), where a real profile gets a share of the disk.
 */
async function diskPage(viteUrl) {
  const { chromium } = await import('@playwright/test');
  const dir = mkdtempSync(join(tmpdir(), 'surrogate-bench-profile-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    // --expose-gc lets the bench read the live heap after each stage (heapLive); the app never calls gc().
    args: [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--enable-precise-memory-info',
      '--js-flags=--expose-gc',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => console.error(`  [page error] ${e.message}`));
  await page.goto(`${viteUrl}/bench/browser/page.html`);
  await page.waitForFunction(() => 'bench' in window, null, { timeout: 60_000 });
  return {
    page,
    context,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function scale(ctx) {
  const n = ctx.opts.quick ? 10_000 : 100_000;
  const vite = await ctx.vite();
  const mock = await ctx.mock();
  const { page, context, close } = await diskPage(vite.url);
  try {
    await routeWide(context, mock.url, wideModelDir(ctx.root));
    return await runCases(ctx, page, mock, n);
  } finally {
    await close();
  }
}

async function runCases(ctx, page, mock, n) {
  const cases = [
    { n, label: '32-d', modelId: 'tiny-distilbert' },
    { n, label: '768-d', modelId: WIDE },
    ...(ctx.opts.full ? [{ n: 1_000_000, label: '768-d', modelId: WIDE }] : []),
  ];
  const figures = [];
  const notes = [];
  const raw = [];
  for (const c of cases) {
    console.log(`  scale: ${thousands(c.n)} texts × ${c.label}`);
    let r;
    // SCALE_PROFILE=dir: a CPU profile of each case and a trace of its tasks, for bench/lib/long-tasks.mjs.
    const stopProfile = await startTaskProfile(page, process.env.SCALE_PROFILE, `scale-${c.n}-${c.label}`);
    try {
      r = await page.evaluate((x) => window.bench.scaleCase(x), { ...c, modelsUrl: `${mock.url}/models`, batchSize: 64, trainN: 1000 });
    } catch (err) {
      // One size failing (a full disk, a crash) must not lose the others' figures.
      const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      figures.push({ figure: `${thousands(c.n)} × ${c.label}: failed`, ratio: null, detail: message });
      continue;
    }
    await stopProfile();
    raw.push(r);
    const tag = `${thousands(r.n)} × ${r.dim}-d`;
    const peak = Math.max(...r.stages.map((x) => x.heapPeak));
    const longest = Math.max(...r.stages.map((x) => x.longestTaskMs));
    const worst = r.stages.reduce((a, b) => (b.longestTaskMs > a.longestTaskMs ? b : a));
    const heaviest = r.stages.reduce((a, b) => (b.heapPeak > a.heapPeak ? b : a));
    figures.push({
      figure: `${tag}: main-thread heap peak ÷ ${mib(LIMITS.heapBytes)} limit`,
      ratio: peak / LIMITS.heapBytes,
      detail: `${mib(peak)} (in "${heaviest.name}"), from ${mib(r.heapStart)} at the start`,
    });
    figures.push({
      figure: `${tag}: longest main-thread task ÷ ${LIMITS.taskMs} ms limit`,
      ratio: longest / LIMITS.taskMs,
      detail:
        longest > 0
          ? `${longest.toFixed(0)} ms (in "${worst.name}"); ${r.stages.reduce((a, x) => a + x.longTasks, 0)} tasks over 50 ms in all`
          : 'no task over 50 ms',
    });
    for (const st of r.stages) {
      const mem = st.memory
        ? `; workers ${st.memory.workers.map((w) => `${w.name.replace(/\.(ts|js)$/, '')} ${mib(w.bytes)}`).join(', ') || 'none'}`
        : '';
      figures.push({
        figure: `${tag}: ${st.name}, share of pipeline time`,
        ratio: st.ms / r.wallMs,
        detail: `${s(st.ms)}; heap peak ${mib(st.heapPeak)}${st.heapLive === null ? '' : `, live after it ${mib(st.heapLive)}`}; ${st.longTasks ? `${st.longTasks} long tasks, longest ${st.longestTaskMs.toFixed(0)} ms` : 'no long task'}; storage +${st.storageBytes === null ? '—' : mib(st.storageBytes)}${mem}`,
      });
    }
    const k = r.checks;
    notes.push(
      `${tag}: ${thousands(k.rows)} rows (${thousands(k.distinctTexts)} distinct texts), wall ${s(r.wallMs)} (setup ${s(r.setupMs)} outside it); ` +
        `predictions ${k.probsSumToOne ? 'valid' : 'INVALID (rows do not sum to 1)'}, accuracy on the cue-word labels ${(k.accuracy * 100).toFixed(1)}%; ` +
        `corpus CSV ${mib(k.csvBytes)}; project file ${mib(k.exportBytes)}; after the import ${thousands(k.importedRows)} rows and ${thousands(k.importedVectors)} vectors.`,
    );
  }
  notes.push(
    "Every stage is the app's own code (state classes, workers, store), driven without the UI. Heap is the page's main thread (performance.memory, sampled every 25 ms and at each stage's end; live is after a full garbage collection at the stage's end, through the bench browser's --expose-gc, which also empties the heap of the first run's garbage before the import into an emptied database, as a fresh profile would be); " +
      'long tasks are main-thread tasks over 50 ms (PerformanceObserver). Storage is navigator.storage.estimate().usage of the origin after the stage less at the start of the run (IndexedDB, mostly); ' +
      "worker memory is performance.measureUserAgentSpecificMemory() after embedding, labelling and importing (the page is cross-origin isolated; each measurement waits for a garbage collection, left out of the times). The export is kept as a Blob of 8 MiB parts, which Chromium holds outside the page's heap; " +
      '"import into an emptied database" deletes the database (app.clearAll) and imports that Blob, as a fresh profile would.',
  );
  return { figures, notes, raw };
}
