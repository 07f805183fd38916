// Benchmark `size` (issue 15): what a visitor downloads. Builds the app into a
// temporary folder and reports dist/'s total, its largest files, the
// JavaScript the first screen fetches before a file is imported (gzipped, as
// a static host serves it; measured in Chromium with the service worker
// blocked, so only the page's own requests count), what the service worker
// saves for offline use, what a first visit downloads with it on for three
// visitors (bench/lib/first-visit.mjs), and the duplicate check that the
// build itself enforces (build/dist-check.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The issue's target for the first screen. */
export const FIRST_SCREEN_TARGET_KB = 400;
const kB = (n) => n / 1000;
/** The visitors of bench/lib/first-visit.mjs, as the table names them. */
const FIRST_VISITS = {
  look: 'opens the app and every step',
  tfidf: 'TF-IDF, train, label the corpus',
  embed: 'embeds 58 texts (tiny test encoder, wasm)',
};
const MB = (n) => n / 1e6;
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

export async function size(ctx) {
  const vite = await ctx.vite();
  const { listDist, findDuplicates } = await vite.load('/build/dist-check.ts');
  const { planPrecache, totalSize } = await vite.load('/src/lib/offline/sw-core.ts');
  const { serveDist } = await vite.load('/tests/e2e/ship-server.ts');

  const out = mkdtempSync(join(tmpdir(), 'surrogate-size-'));
  try {
    // In its own process, as `npm run build`: this one runs Vite's dev server, which set NODE_ENV to
    // development, and a build here would come out as one (no service worker registered, Svelte's dev checks).
    execFileSync(
      process.execPath,
      [join(ctx.root, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'],
      {
        cwd: ctx.root,
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const files = listDist(out);
    const total = files.reduce((s, f) => s + f.size, 0);
    const largest = [...files].sort((a, b) => b.size - a.size).slice(0, 6);
    const dups = findDuplicates(files);
    const plan = planPrecache(files);

    // The first screen in a real browser, served as a static host would (no service worker: it would fetch everything).
    const prev = process.env.SHIP_DIST;
    process.env.SHIP_DIST = out;
    const site = await serveDist('/app/');
    if (prev === undefined) delete process.env.SHIP_DIST;
    else process.env.SHIP_DIST = prev;
    const { chromium } = await import('@playwright/test');
    const { CHROMIUM } = await import('./infra.mjs');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    let js = [];
    let visits;
    try {
      const context = await browser.newContext({ serviceWorkers: 'block' });
      const page = await context.newPage();
      await page.goto(site.url, { waitUntil: 'networkidle' });
      await page.getByText('Drop a CSV').waitFor({ timeout: 30_000 });
      await page.waitForLoadState('networkidle');
      js = [...new Set(site.requests.filter((r) => /\.m?js$/.test(r.path)).map((r) => r.path.slice('/app/'.length)))];
      await context.close();
      const { firstVisit } = await import('./first-visit.mjs');
      visits = await firstVisit({ root: ctx.root, dist: out, serveDist, browser });
    } finally {
      await browser.close();
      await site.close();
    }
    const jsSizes = js.map((p) => {
      const bytes = readFileSync(join(out, p));
      return { path: p, raw: bytes.length, gz: gz(bytes) };
    });
    const firstGz = jsSizes.reduce((s, f) => s + f.gz, 0);
    const firstRaw = jsSizes.reduce((s, f) => s + f.raw, 0);
    const allJs = files.filter((f) => /\.m?js$/.test(f.path));
    const allJsGz = allJs.reduce((s, f) => s + gz(readFileSync(join(out, f.path))), 0);

    return {
      figures: [
        {
          figure: `first-screen JavaScript, gzipped ÷ ${FIRST_SCREEN_TARGET_KB} kB target`,
          ratio: kB(firstGz) / FIRST_SCREEN_TARGET_KB,
          detail: `${kB(firstGz).toFixed(1)} kB gzipped (${kB(firstRaw).toFixed(0)} kB raw) in ${jsSizes.length} file(s): ${jsSizes.map((f) => `${f.path} ${kB(f.gz).toFixed(1)} kB`).join(', ')}; all JS in dist/ ${kB(allJsGz).toFixed(0)} kB gzipped`,
        },
        {
          figure: 'dist/ total, MB',
          ratio: MB(total),
          detail: `${files.length} files; largest: ${largest.map((f) => `${f.path} ${MB(f.size).toFixed(2)} MB`).join(', ')}`,
        },
        {
          figure: 'files ≥ 1 MB shipped twice in dist/',
          ratio: dups.length,
          detail: dups.length ? dups.map((g) => g.join(' = ')).join('; ') : 'none (the build fails otherwise: build/dist-check.ts)',
        },
        {
          figure: 'saved for offline by the service worker, MB',
          ratio: MB(totalSize(plan.shell) + totalSize(plan.runtime)),
          detail: `app shell ${MB(totalSize(plan.shell)).toFixed(1)} MB (${plan.shell.length} files, on install) + runtime wasm up to ${MB(totalSize(plan.runtime)).toFixed(1)} MB (${plan.runtime.length} files, each on its first use); model files are kept by transformers.js on use or on "make available offline"`,
        },
        ...Object.entries(FIRST_VISITS).map(([name, what]) => {
          const v = visits[name];
          return {
            figure: `first visit, MB downloaded: ${what}`,
            ratio: MB(v.app + v.models),
            detail: `app ${MB(v.app).toFixed(2)} MB (ONNX Runtime ${MB(v.ort).toFixed(1)} MB, tfjs wasm ${MB(v.tfjs).toFixed(2)} MB) + model files ${MB(v.models).toFixed(2)} MB, the service worker's own fetches included`,
          };
        }),
      ],
      notes: [
        'Size figures are bytes, not timings: the same build gives the same numbers on any machine. First-screen JavaScript is what the page itself requests until the Data step is shown and the network is idle, before any file is imported; workers start later (mapping on import, train and embed in the Train step).',
      ],
      raw: {
        total,
        files: files.map(({ path, size }) => ({ path, size })),
        firstScreen: jsSizes,
        duplicates: dups,
        precache: { shell: totalSize(plan.shell), runtime: totalSize(plan.runtime) },
        firstVisit: visits,
      },
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
