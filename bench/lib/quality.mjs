// Benchmark 5: the paper's comparison on the shared datasets with a replayed
// teacher (recorded real LLM answers served by the mock over HTTP).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fmtRatio } from './report.mjs';

/** Default run: a reduced grid (documented in bench/README.md); --full uses DEFAULT_GRID and 3 seeds. */
export const QUALITY_GRID = { lr: [1e-3, 1e-2], batchSize: [32], epochs: [50] };
export const QUICK_QUALITY_GRID = { lr: [1e-2], batchSize: [32], epochs: [20] };

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function quality(ctx) {
  const dir = join(ctx.root, '..', 'shared', 'datasets');
  if (!existsSync(dir)) return { skip: `${dir} is missing: no datasets to replay` };
  const vite = await ctx.vite();
  const ds = await vite.load('/bench/node/datasets.ts');
  const files = ds.datasetFiles(dir);
  const loaded = [];
  const notes = [];
  for (const f of files) {
    const o = await ds.loadReplayDataset(f);
    if (o.ok) loaded.push(o.dataset);
    else notes.push(`${o.name} skipped: ${o.reason}.`);
  }
  if (loaded.length === 0) return { skip: 'no dataset in ../shared/datasets has both human and recorded LLM labels' };
  const mock = await ctx.mock();
  const q = await vite.load('/bench/node/quality.ts');
  const { DEFAULT_GRID } = await vite.load('/src/lib/train/grid.ts');
  const { PAPER_REFERENCE } = await vite.load('/src/lib/eval/paper.ts');
  const backend = await q.initNodeBackend();
  const grid = ctx.opts.full ? DEFAULT_GRID : ctx.opts.quick ? QUICK_QUALITY_GRID : QUALITY_GRID;
  const seeds = ctx.opts.full ? [42, 43, 44] : [42];
  const cases = [];
  for (const dataset of loaded) {
    for (const seed of seeds) {
      process.stdout.write(`  ${dataset.name} seed ${seed}… `);
      const r = await q.qualityCase({ mockUrl: mock.url, dataset, seed, grid, head: ctx.opts.paperHead ? 'paper' : 'linear' });
      process.stdout.write(`${(r.ms / 1000).toFixed(0)} s\n`);
      cases.push(r);
    }
  }
  const gapHuman = median(cases.map((c) => c.gapHumanMinusLlmStudent));
  const gapLlm = median(cases.map((c) => c.gapLlmStudentMinusLlm));
  const recall = median(cases.map((c) => c.llmStudentRecall));
  const runs = `median of ${cases.length} run${cases.length === 1 ? '' : 's'} (${loaded.length} datasets × ${seeds.length} seed${seeds.length === 1 ? '' : 's'})`;
  const figures = [
    {
      figure: 'F1 gap: student on human − student on LLM labels',
      ratio: gapHuman,
      detail: `${runs}; paper median ${PAPER_REFERENCE.medianGapStudentLlmVsHuman}`,
    },
    {
      figure: 'F1 gap: student on LLM labels − LLM itself',
      ratio: gapLlm,
      detail: `${runs}; paper median ${PAPER_REFERENCE.medianGapStudentVsLlm}`,
    },
    { figure: 'recall of the student on LLM labels', ratio: recall, detail: `${runs}; paper ~${PAPER_REFERENCE.llmStudentRecall}–0.8` },
  ];
  notes.push(
    ctx.opts.paperHead
      ? 'Students use sparse TF-IDF features (no DistilBERT weights on this machine: ../shared/models has tokenizer/config only) and the "as in the paper" ' +
          `logreg head from the app's Adam grid search (${ctx.opts.full ? 'DEFAULT_GRID' : `reduced grid lr ${grid.lr.join(', ')}, batch ${grid.batchSize.join(', ')}, ≤${grid.epochs[0]} epochs`}; ` +
          `holdout 0.2 of the training labels; tfjs ${backend} backend in Node). The paper fine-tuned BERT-family students, so absolute F1 is lower here.`
      : "Students use sparse TF-IDF features (no DistilBERT weights on this machine: ../shared/models has tokenizer/config only) and the app's default " +
          'linear head (L2 logistic regression by L-BFGS, C × class weighting by stratified 5-fold CV on the training labels, refit). ' +
          'The paper fine-tuned BERT-family students, so absolute F1 is lower here.',
    'The "LLM" condition is the recorded zero-shot answer of the original study (not few-shot), collected through the app\'s teacher ' +
      'queue from the mock server; unparseable recorded answers count as wrong (abstentions).',
  );
  for (const c of cases) for (const n of c.splitNotes.slice(0, 1)) notes.push(`${c.dataset}: ${n}`);
  return {
    figures,
    notes,
    raw: { head: ctx.opts.paperHead ? 'paper' : 'linear', grid, seeds, backend, cases, paper: PAPER_REFERENCE },
    extra: qualityTable(cases),
  };
}

/** Per dataset and condition: F1 [95% CI], precision, recall. */
function qualityTable(cases) {
  const lines = [
    '## Quality with a replayed teacher (per dataset)',
    '',
    '| dataset (seed) | test n | condition | F1 [95% CI] | precision | recall | teacher = recorded |',
    '|---|---:|---|---|---:|---:|---:|',
  ];
  for (const c of cases) {
    for (const k of c.conditions) {
      lines.push(
        `| ${c.dataset} (${c.seed}) | ${c.sizes.test} | ${k.name} | ${fmtRatio(k.f1)} [${fmtRatio(k.f1Lo)}, ${fmtRatio(k.f1Hi)}] | ` +
          `${fmtRatio(k.precision)} | ${fmtRatio(k.recall)} | ${k.id === 'llm' ? `${(c.teacher.agreementWithRecorded * 100).toFixed(0)}%` : ''} |`,
      );
    }
  }
  return lines.join('\n');
}
