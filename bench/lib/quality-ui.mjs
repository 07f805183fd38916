// Benchmark 6: the quality run with a replayed teacher, driven through the
// BUILT app's UI in headless Chromium as a researcher would: import the CSV,
// split, write the codebook, point Settings at the mock, run the Teacher step,
// set the TF-IDF encoder, run the Compare step and read its saved result.
// The mock replays each text's recorded LLM answer (see bench/README.md).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Papa from 'papaparse';
import { CHROMIUM, launchBrowser } from './infra.mjs';
import { fmtRatio } from './report.mjs';
import { appFlow } from './quality-ui-flow.mjs';

export const UI_APP_PORT = Number(process.env.BENCH_UI_PORT ?? 4450);
export const UI_MOCK_PORT = Number(process.env.BENCH_UI_MOCK_PORT ?? 8950);
const LLM_COLUMNS = ['gpt4_label', 'chatgpt_label'];
/** Recorded answers that could not be parsed are answered with this out-of-set label: the app counts them invalid. */
const UNPARSEABLE = '__unparseable__';

/** Class names (label 1, label 0) and their definitions, from ../shared/datasets/README.md. */
const CLASSES = {
  tornberg_uk_party: {
    pos: ['Labour', 'The tweet was sent by a Labour MP (UK, Oct–Dec 2019).'],
    neg: ['Conservative', 'The tweet was sent by a Conservative MP (UK, Oct–Dec 2019).'],
  },
  ziems_conv_go_awry: {
    pos: ['derails', 'A later comment of this Wikipedia talk-page conversation is a personal attack.'],
    neg: ['stays civil', 'The conversation does not derail into a personal attack.'],
  },
  ziems_persuasion: {
    pos: ['persuasive', 'The reply convinced the original poster (it was awarded a delta on r/ChangeMyView).'],
    neg: ['not persuasive', 'The reply did not convince the original poster.'],
  },
};

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A dataset the UI run can replay, or the one-line reason it cannot. */
export function readDataset(file) {
  const name = basename(file, '.csv');
  const { data, meta } = Papa.parse(readFileSync(file, 'utf8'), { header: true, skipEmptyLines: true });
  const llmColumn = LLM_COLUMNS.find((c) => meta.fields.includes(c));
  if (!meta.fields.includes('label')) return { ok: false, reason: `${name} skipped: no \`label\` column (human labels).` };
  if (!llmColumn) return { ok: false, reason: `${name} skipped: no recorded LLM labels (\`gpt4_label\` / \`chatgpt_label\`).` };
  const cls = CLASSES[name] ?? { pos: ['positive', 'Label 1 of the original study.'], neg: ['negative', 'Label 0 of the original study.'] };
  const recorded = new Map(data.map((r) => [r.id, r[llmColumn] === '1' ? cls.pos[0] : r[llmColumn] === '0' ? cls.neg[0] : null]));
  const md = file.replace(/\.csv$/, '.codebook.md');
  const instructions = existsSync(md) ? readFileSync(md, 'utf8').trim() : `Classify each text of ${name}.`;
  const task = /^#\s*(?:Codebook:\s*)?(.+)$/m.exec(instructions)?.[1]?.trim() ?? name;
  const labeled = data.filter((r) => r.label === '0' || r.label === '1').length;
  return { ok: true, dataset: { name, file, llmColumn, recorded, rows: data.length, labeled, cls, task, instructions } };
}

/**
 * The paper's 250 / 250 validation / test, halved so half of the labelled rows
 * stay in the training pool (the same rule as bench/node/quality.ts paperSplits).
 */
export function splitSizes(labeled) {
  const budget = Math.floor(labeled / 2);
  if (budget >= 500) return { validation: 250, test: 250 };
  const test = Math.round(budget / 2);
  return { validation: budget - test, test };
}

/** Builds the app into a temporary folder and serves it with `vite preview` on `port` (COOP/COEP from vite.config.ts); `buildOptions` e.g. unminified for a readable profile. */
export async function serveBuiltApp(root, port = UI_APP_PORT, buildOptions = {}) {
  const { build, preview } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'surrogate-quality-ui-'));
  const configFile = join(root, 'vite.config.ts');
  const t0 = Date.now();
  try {
    await build({ root, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true, ...buildOptions } });
    const buildMs = Date.now() - t0;
    const server = await preview({
      root,
      configFile,
      logLevel: 'warn',
      build: { outDir },
      preview: { port, strictPort: true, host: '127.0.0.1', open: false },
    });
    return {
      url: `http://127.0.0.1:${port}`,
      buildMs,
      close: async () => {
        await server.close();
        rmSync(outDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(outDir, { recursive: true, force: true });
    throw err;
  }
}

export async function qualityUi(ctx) {
  const dir = join(ctx.root, '..', 'shared', 'datasets');
  if (!existsSync(dir)) return { skip: `${dir} is missing: no datasets to replay` };
  if (!existsSync(CHROMIUM)) return { skip: `Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)` };
  const notes = [];
  const datasets = [];
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort()) {
    const d = readDataset(join(dir, f));
    if (d.ok) datasets.push(d.dataset);
    else notes.push(d.reason);
  }
  if (datasets.length === 0) return { skip: 'no dataset in ../shared/datasets has both human and recorded LLM labels' };
  const grid = ctx.opts.quick ? 'quick' : 'paper';

  const closers = [];
  const cases = [];
  let buildMs = 0;
  try {
    const { startMockServer } = await import(join(ctx.root, 'tests/mock-llm/server.mjs'));
    const mock = await startMockServer({ port: UI_MOCK_PORT });
    closers.push(() => mock.close());
    const app = await serveBuiltApp(ctx.root);
    closers.push(app.close);
    buildMs = app.buildMs;
    const browser = await launchBrowser();
    closers.push(() => browser.close());
    if (ctx.env && !ctx.env.browser) ctx.env.browser = `Chromium ${browser.version()} (headless)`;
    for (const d of datasets) {
      process.stdout.write(`  ${d.name}… `);
      const context = await browser.newContext();
      try {
        const r = await appFlow({
          context,
          appUrl: app.url,
          mockUrl: mock.url,
          dataset: d,
          sizes: splitSizes(d.labeled),
          grid,
          unparseable: UNPARSEABLE,
        });
        process.stdout.write(`${(r.ms.total / 1000).toFixed(0)} s\n`);
        cases.push(r);
      } catch (err) {
        const open = context.pages()[0];
        if (process.env.BENCH_SHOTS && open)
          await open.screenshot({ path: `${process.env.BENCH_SHOTS}/${d.name}-failed.png`, fullPage: true });
        throw err;
      } finally {
        await context.close();
      }
    }
  } finally {
    while (closers.length > 0) {
      try {
        await closers.pop()();
      } catch (err) {
        console.error(`quality-ui: could not close a server cleanly: ${err instanceof Error ? err.message : err}`);
      }
    }
  }

  const { PAPER_REFERENCE } = await paperReference(ctx.root);
  // The app's default head (cross-validated linear) ignores the Adam grid choice, which the UI then hides.
  const runs = `median of ${cases.length} dataset${cases.length === 1 ? '' : 's'} through the UI (default linear head)`;
  const figures = [
    {
      figure: 'F1 gap: student on human − student on LLM labels',
      ratio: median(cases.map((c) => c.gapHumanMinusLlmStudent)),
      detail: `${runs}; paper median ${PAPER_REFERENCE.medianGapStudentLlmVsHuman}`,
    },
    {
      figure: 'F1 gap: student on LLM labels − LLM few-shot',
      ratio: median(cases.map((c) => c.gapLlmStudentMinusLlm)),
      detail: `${runs}; paper median ${PAPER_REFERENCE.medianGapStudentVsLlm}`,
    },
    {
      figure: 'recall of the student on LLM labels',
      ratio: median(cases.map((c) => c.llmStudentRecall)),
      detail: `${runs}; paper ~${PAPER_REFERENCE.llmStudentRecall}–0.8`,
    },
  ];
  notes.push(
    `The built app (vite build, ${(buildMs / 1000).toFixed(0)} s) served by vite preview on port ${UI_APP_PORT}, the mock on ${UI_MOCK_PORT}; one fresh browser context per dataset, ` +
      'tfjs forced to wasm (`?tfjs=wasm`: SwiftShader WebGPU trains ~50× slower here). Encoder: TF-IDF (no DistilBERT weights here), so the Compare step leaves out its separate TF-IDF baseline.',
    'Teacher: repeats 1 (one recorded answer per text), scope "as in the paper"; the codebook has no examples, so "LLM few-shot" is the recorded zero-shot answer. ' +
      `Unparseable recorded answers are replayed as the out-of-set label \`${UNPARSEABLE}\`, which the app counts as an invalid answer (wrong for the LLM, untrained for students).`,
  );
  notes.push(...mergeNotes(cases));
  for (const c of cases) for (const e of c.pageErrors) notes.push(`${c.dataset}: the page threw “${e}”.`);
  return {
    figures,
    notes,
    raw: { grid, ports: { app: UI_APP_PORT, mock: UI_MOCK_PORT }, buildMs, cases, paper: PAPER_REFERENCE },
    extra: table(cases),
  };
}

/**
 * The Compare step's own notes of every case ({ dataset, notes: string[] }),
 * once each: notes that differ only in their numbers are merged, the numbers
 * listed per dataset ("250 / 250 / 217").
 */
export function mergeNotes(cases) {
  const out = [];
  const merged = new Map();
  for (const c of cases) {
    for (const n of c.notes) {
      const key = n.replace(/\d+/g, '#');
      if (!merged.has(key)) merged.set(key, { texts: [], datasets: [] });
      merged.get(key).texts.push(n);
      merged.get(key).datasets.push(c.dataset);
    }
  }
  for (const { texts, datasets } of merged.values()) {
    const numbers = texts.map((t) => t.match(/\d+/g) ?? []);
    let i = 0;
    const text = texts[0].replace(/\d+/g, () => {
      const vals = numbers.map((ns) => ns[i]);
      i++;
      return new Set(vals).size === 1 ? vals[0] : vals.join(' / ');
    });
    out.push(`Compare step (${datasets.length === cases.length ? 'every dataset' : datasets.join(', ')}): ${text}`);
  }
  return out;
}

/** PAPER_REFERENCE read from src/lib/eval/paper.ts without a TypeScript loader (the file is plain data). */
export async function paperReference(root) {
  const src = readFileSync(join(root, 'src/lib/eval/paper.ts'), 'utf8');
  const body = /PAPER_REFERENCE\s*=\s*(\{[\s\S]*?\})\s*as const/.exec(src)?.[1];
  if (!body) throw new Error('PAPER_REFERENCE not found in src/lib/eval/paper.ts');
  const obj = Object.fromEntries([...body.matchAll(/(\w+):\s*([\d.]+)/g)].map(([, k, v]) => [k, Number(v)]));
  return { PAPER_REFERENCE: obj };
}

/** Per dataset and condition, as the Compare step saved them. */
function table(cases) {
  const lines = [
    '## Quality with a replayed teacher, through the UI (per dataset)',
    '',
    '| dataset | test n | condition | train n | F1 [95% CI] | precision | recall | teacher = recorded |',
    '|---|---:|---|---:|---|---:|---:|---:|',
  ];
  for (const c of cases) {
    for (const k of c.conditions) {
      lines.push(
        `| ${c.dataset} | ${c.testN} | ${k.name} | ${k.trainSize ?? ''} | ${fmtRatio(k.f1)} [${fmtRatio(k.f1Lo)}, ${fmtRatio(k.f1Hi)}] | ` +
          `${fmtRatio(k.precision)} | ${fmtRatio(k.recall)} | ${k.kind === 'teacher' ? `${(c.teacher.agreementWithRecorded * 100).toFixed(0)}%` : ''} |`,
      );
    }
  }
  return lines.join('\n');
}
