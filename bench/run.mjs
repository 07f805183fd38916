#!/usr/bin/env node
// `npm run bench [-- --only <name>[,<name>]] [--quick] [--full]`
// Runs the benchmarks in order, writes bench/results/<date>-<name>.json and
// bench/results/latest.md, and prints the Markdown table. See bench/README.md.
import os from 'node:os';
import { join } from 'node:path';
import { embedding } from './lib/embedding.mjs';
import { closeAll, launchBrowser, openBenchPage, ROOT, startMock, startVite } from './lib/infra.mjs';
import { parity } from './lib/parity.mjs';
import { quality } from './lib/quality.mjs';
import { qualityUi } from './lib/quality-ui.mjs';
import { dateStamp, markdown, writeResults } from './lib/report.mjs';
import { scale } from './lib/scale.mjs';
import { teacher } from './lib/teacher.mjs';
import { training } from './lib/training.mjs';

const BENCHMARKS = [
  { name: 'embedding', title: 'Embedding throughput', run: embedding },
  {
    name: 'embedding-real',
    title: 'Embedding throughput, real model (all-MiniLM-L6-v2)',
    run: (ctx) => import('./lib/embedding-real.mjs').then((m) => m.embeddingReal(ctx)),
  },
  { name: 'training', title: 'Head training', run: training },
  { name: 'teacher', title: 'Teacher throughput', run: teacher },
  { name: 'scale', title: 'Scale (browser)', run: scale },
  { name: 'quality', title: 'Quality, replayed teacher', run: quality },
  { name: 'quality-ui', title: 'Quality, replayed teacher, through the UI', run: qualityUi },
  { name: 'parity', title: 'Student vs scikit-learn on the same rows', run: parity },
  { name: 'size', title: 'Download size (built app)', run: (ctx) => import('./lib/size.mjs').then((m) => m.size(ctx)) },
  { name: 'local-teacher', title: 'In-browser teacher', run: (ctx) => import('./lib/local-teacher.mjs').then((m) => m.localTeacher(ctx)) },
  {
    name: 'real-encoders',
    title: 'Student quality, real encoders',
    run: (ctx) => import('./lib/real-encoders.mjs').then((m) => m.realEncoders(ctx)),
  },
  { name: 'hostile', title: 'Long texts (hostile input)', run: (ctx) => import('./lib/hostile.mjs').then((m) => m.hostile(ctx)) },
  // Minutes at 100,000 texts (and both cores): run only when named in --only.
  {
    name: 'scale-ui',
    title: 'Scale through the UI (browser)',
    optIn: true,
    run: (ctx) => import('./lib/scale-ui.mjs').then((m) => m.scaleUi(ctx)),
  },
];

function parseArgs(argv) {
  const opts = { quick: false, full: false, paperHead: false, only: null, out: join(ROOT, 'bench', 'results') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--full') opts.full = true;
    else if (a === '--paper-head') opts.paperHead = true;
    else if (a === '--report')
      opts.report = true; // rewrite latest.md from the stored results, running nothing // quality: the Adam grid head instead of the default linear one
    else if (a === '--only') opts.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--out') opts.out = argv[++i];
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new Error(`Unknown option ${a} (try --help)`);
  }
  if (opts.quick && opts.full) throw new Error('--quick and --full exclude each other.');
  const unknown = (opts.only ?? []).filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length > 0)
    throw new Error(`Unknown benchmark ${unknown.join(', ')}; choose from ${BENCHMARKS.map((b) => b.name).join(', ')}.`);
  return opts;
}

/** Servers and the browser start on first use and are shared by the benchmarks. */
function context(opts, env) {
  const once = (f) => {
    let p = null;
    return () => (p ??= f());
  };
  const ctx = {
    opts,
    root: ROOT,
    env,
    vite: once(startVite),
    mock: once(() => startMock()),
    page: once(async () => {
      const vite = await ctx.vite();
      const browser = await launchBrowser();
      env.browser = `Chromium ${browser.version()} (headless)`;
      const opened = await openBenchPage(browser, vite.url);
      env.gpu = await opened.page.evaluate(async () => {
        const a = await navigator.gpu?.requestAdapter();
        return a ? [a.info.vendor, a.info.architecture, a.info.description].filter(Boolean).join(' ') || 'adapter' : null;
      });
      return opened;
    }),
  };
  return ctx;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(
      `Usage: npm run bench [-- --only ${BENCHMARKS.map((b) => b.name).join('|')}[,…]] [--quick | --full] [--paper-head] [--out dir] [--report]`,
    );
    return;
  }
  if (opts.report) {
    const paths = writeResults(opts.out, {
      date: dateStamp(),
      mode: 'report',
      env: { cpus: os.cpus().length, loadavg: os.loadavg(), node: process.version, browser: null, gpu: null },
      results: [],
    });
    console.log(`Wrote ${paths.join(', ')}`);
    return;
  }
  const started = new Date();
  const env = {
    cpus: os.cpus().length,
    loadavg: os.loadavg(),
    node: process.version,
    browser: null,
    gpu: null,
    started: started.toISOString(),
  };
  const ctx = context(opts, env);
  const run = { date: dateStamp(started), mode: opts.quick ? 'quick' : opts.full ? 'full' : 'default', env, results: [] };
  const selected = BENCHMARKS.filter((b) => (opts.only ? opts.only.includes(b.name) : !b.optIn));
  try {
    for (const b of selected) {
      console.log(`▶ ${b.name}`);
      const t0 = Date.now();
      let result;
      try {
        const out = await b.run(ctx);
        result = out.skip
          ? { name: b.name, title: b.title, status: 'skipped', reason: out.skip, figures: [], notes: [], raw: null }
          : { name: b.name, title: b.title, status: 'ok', ...out };
      } catch (err) {
        const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
        console.error(`  ${b.name} failed: ${err instanceof Error ? err.stack : err}`);
        result = { name: b.name, title: b.title, status: 'failed', reason: message, figures: [], notes: [], raw: null };
      }
      result.seconds = (Date.now() - t0) / 1000;
      console.log(`  ${result.status} in ${result.seconds.toFixed(0)} s${result.reason ? `: ${result.reason}` : ''}`);
      run.results.push(result);
    }
  } finally {
    await closeAll();
  }
  const paths = writeResults(opts.out, run);
  console.log('\n' + markdown(run));
  console.log(`Wrote ${paths.map((p) => p.replace(ROOT, '')).join(', ')}`);
  if (run.results.some((r) => r.status === 'failed')) process.exitCode = 1;
}

main().catch(async (err) => {
  console.error(err instanceof Error ? err.message : err);
  await closeAll();
  process.exitCode = 2;
});
