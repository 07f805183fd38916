// Benchmark `parity`: the app's student vs scikit-learn on the same rows
// (issue 11). bench/node/parity.ts plans the splits and training sets as the
// app does and trains the app's student; bench/python/parity.py fits the
// scikit-learn references on the same rows (Debian's python3-sklearn). The
// figures are app − scikit-learn F1 on the human test split, per dataset ×
// label source (mean over seeds), and their medians. See bench/README.md.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtRatio } from './report.mjs';

export const PARITY_SEEDS = [42, 43, 44, 45, 46];
export const QUICK_PARITY_SEEDS = [42];
/** The issue's target, against the plain scikit-learn reference. */
export const PARITY_TARGET = { median: 0, lowest: -0.02 };
/** Reference name in parity.py's output → label in the tables. */
export const REFERENCES = [
  { id: 'plain', label: 'sklearn plain' },
  { id: 'same', label: 'sklearn same features' },
  { id: 'same_scaled', label: 'sklearn same features ÷ √blocks' },
  { id: 'same_ll', label: 'sklearn same features ÷ √blocks, selected by log loss' },
];
/** The figures each side reports (issue 26): positive-class F1 never alone. */
export const FIGURES = ['f1', 'precision', 'recall', 'macroF1', 'accuracy', 'kappa', 'auc', 'positiveRate'];

const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const PYTHON_WORKERS = 2;
const INSTALL = 'install python3-sklearn python3-pandas (apt) to run';

const finite = (xs) => xs.filter((x) => Number.isFinite(x));
export const mean = (xs) => (finite(xs).length ? finite(xs).reduce((a, b) => a + b, 0) / finite(xs).length : NaN);
export const median = (xs) => {
  const s = finite(xs).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sd = (xs) => {
  const f = finite(xs);
  if (f.length < 2) return NaN;
  const m = mean(f);
  return Math.sqrt(f.reduce((a, x) => a + (x - m) ** 2, 0) / (f.length - 1));
};

/** Whether the differences meet the target: median ≥ 0.00 and no pair below −0.02. */
export function targetMet(diffs, target = PARITY_TARGET) {
  const f = finite(diffs);
  return f.length > 0 && median(f) >= target.median - 1e-12 && Math.min(...f) >= target.lowest - 1e-12;
}

/**
 * Joins the app's results with parity.py's by case key and summarises them
 * per dataset × source (means over seeds) and over pairs (medians).
 * @param app   [{ key, dataset, seed, source, trainN, testN, f1, precision, recall, positiveRate, truePositiveRate, … }]
 * @param sk    [{ key, plain: { f1, … }, same: {…}, same_scaled: {…} }]
 */
export function summariseParity(app, sk) {
  const skByKey = new Map(sk.map((r) => [r.key, r]));
  const groups = new Map();
  for (const a of app) {
    const k = `${a.dataset}|${a.source}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push({ app: a, sk: skByKey.get(a.key) ?? null });
  }
  const pairs = [...groups.values()].map((runs) => {
    const { dataset, source } = runs[0].app;
    const side = (pick) => Object.fromEntries(FIGURES.map((f) => [f, mean(runs.map(pick).map((m) => m?.[f] ?? NaN))]));
    /** @type {Record<string, Record<string, number>>} */
    const refs = {};
    /** @type {Record<string, { mean: number, sd: number, perSeed: number[] }>} */
    const diffs = {};
    /** @type {Record<string, { mean: number, sd: number, perSeed: number[] }>} */
    const macroDiffs = {};
    for (const { id } of REFERENCES) {
      refs[id] = side((r) => r.sk?.[id]);
      const d = runs.map((r) => (r.sk?.[id] ? r.app.f1 - r.sk[id].f1 : NaN));
      diffs[id] = { mean: mean(d), sd: sd(d), perSeed: d };
      const md = runs.map((r) => (r.sk?.[id] ? r.app.macroF1 - r.sk[id].macroF1 : NaN));
      macroDiffs[id] = { mean: mean(md), sd: sd(md), perSeed: md };
    }
    const spread = (f) => sd(runs.map((r) => r.app[f]));
    return {
      dataset,
      source,
      seeds: runs.map((r) => r.app.seed),
      trainN: runs.map((r) => r.app.trainN),
      testN: runs[0].app.testN,
      truthRate: mean(runs.map((r) => r.app.truePositiveRate)),
      app: side((r) => r.app),
      teacher: side((r) => r.app.teacher),
      majority: side((r) => r.app.majority),
      alwaysPositive: side((r) => r.app.alwaysPositive),
      oofPositiveRate: mean(runs.map((r) => r.app.oofPositiveRate ?? NaN)),
      trainPositiveRate: mean(runs.map((r) => r.app.trainPositiveRate)),
      seedSd: { f1: spread('f1'), macroF1: spread('macroF1'), kappa: spread('kappa') },
      decisions: runs.map((r) => r.app.decision),
      warned: runs.filter((r) => (r.app.warnings ?? []).length > 0).length,
      refs,
      diffs,
      macroDiffs,
      appChoices: runs.map((r) => ({ C: r.app.C, classWeight: r.app.classWeight })),
      refChoices: Object.fromEntries(
        REFERENCES.map(({ id }) => [id, runs.map((r) => (r.sk?.[id] ? { C: r.sk[id].C, classWeight: r.sk[id].classWeight } : null))]),
      ),
      missing: runs.filter((r) => !r.sk).length,
    };
  });
  /** @type {Record<string, { median: number, lowest: number, lowestPair: string | null, met: boolean, shareGap: number }>} */
  const over = {};
  for (const { id } of REFERENCES) {
    const d = pairs.map((p) => p.diffs[id].mean);
    const lowestAt = pairs.reduce((lo, p) => (lo === null || p.diffs[id].mean < lo.diffs[id].mean ? p : lo), null);
    const md = pairs.map((p) => p.macroDiffs[id].mean);
    over[id] = {
      macroMedian: median(md),
      macroLowest: Math.min(...finite(md)),
      macroMet: targetMet(md),
      median: median(d),
      lowest: lowestAt ? lowestAt.diffs[id].mean : NaN,
      lowestPair: lowestAt ? `${lowestAt.dataset} ${lowestAt.source}` : null,
      met: targetMet(d),
      shareGap: median(pairs.map((p) => p.app.positiveRate - p.refs[id].positiveRate)),
    };
  }
  const llm = pairs.filter((p) => p.source === 'llm');
  const vsTeacher = Object.fromEntries(['f1', 'macroF1', 'kappa'].map((f) => [f, median(llm.map((p) => p.app[f] - p.teacher[f]))]));
  return {
    pairs,
    over,
    vsTeacher,
    /** Student on LLM labels: |share predicted out of fold − the teacher's share on its training labels|, largest over datasets. */
    worstOofShareGap: Math.max(...finite(llm.map((p) => Math.abs(p.oofPositiveRate - p.trainPositiveRate)))),
    appShare: median(pairs.map((p) => p.app.positiveRate)),
    truthShare: median(pairs.map((p) => p.truthRate)),
  };
}

export const signed = (x) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${fmtRatio(Math.abs(x))}` : '—');
export const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '—');

/** "C 3.16 · 2/5 balanced": the median chosen C and how often balanced weights won. */
function choices(cs) {
  const ok = cs.filter(Boolean);
  if (ok.length === 0) return '—';
  const c = median(ok.map((x) => x.C));
  return `C ${c >= 1 ? c.toPrecision(3).replace(/\.?0+$/, '') : c.toPrecision(2)} · ${ok.filter((x) => x.classWeight === 'balanced').length}/${ok.length} bal.`;
}

export function parityTables(summary, seeds) {
  const lines = [
    '## Student vs scikit-learn on the same rows (per dataset × label source, mean over seeds)',
    '',
    '| dataset | trained on | train n | test n | app F1 | sklearn plain F1 | same features F1 | same ÷ √blocks F1 | app − plain (sd) | app − same (sd) | positive share app / plain / same / truth | app choice | plain choice | same choice |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|',
  ];
  for (const p of summary.pairs) {
    const tn = [...new Set(p.trainN)];
    lines.push(
      `| ${p.dataset} | ${p.source === 'llm' ? 'LLM labels' : 'human labels'} | ${tn.length === 1 ? tn[0] : `${Math.min(...tn)}–${Math.max(...tn)}`} | ${p.testN} | ` +
        `${fmtRatio(p.app.f1)} | ${fmtRatio(p.refs.plain.f1)} | ${fmtRatio(p.refs.same.f1)} | ${fmtRatio(p.refs.same_scaled.f1)} | ` +
        `${signed(p.diffs.plain.mean)} (${fmtRatio(p.diffs.plain.sd)}) | ${signed(p.diffs.same.mean)} (${fmtRatio(p.diffs.same.sd)}) | ` +
        `${pct(p.app.positiveRate)} / ${pct(p.refs.plain.positiveRate)} / ${pct(p.refs.same.positiveRate)} / ${pct(p.truthRate)} | ` +
        `${choices(p.appChoices)} | ${choices(p.refChoices.plain)} | ${choices(p.refChoices.same)} |`,
    );
  }
  const o = summary.over;
  lines.push(
    `| **median** | | | | ${fmtRatio(median(summary.pairs.map((p) => p.app.f1)))} | ${fmtRatio(median(summary.pairs.map((p) => p.refs.plain.f1)))} | ` +
      `${fmtRatio(median(summary.pairs.map((p) => p.refs.same.f1)))} | ${fmtRatio(median(summary.pairs.map((p) => p.refs.same_scaled.f1)))} | ` +
      `**${signed(o.plain.median)}** | **${signed(o.same.median)}** | | | | |`,
  );
  const f = (x) => fmtRatio(x);
  lines.push(
    '',
    '### Every figure on the human test split (mean over seeds): student vs its teacher and the trivial baselines',
    '',
    '| dataset | trained on | student F1 / macro F1 / acc / κ / AUC | share test (out-of-fold / train labels) | teacher F1 / macro F1 / acc / κ | teacher share | majority macro F1 | always-positive F1 | sd over seeds F1 / macro F1 / κ | decision | warned | app − same log-loss F1 / macro F1 |',
    '|---|---|---|---|---|---:|---:|---:|---|---|---:|---|',
  );
  for (const p of summary.pairs) {
    const dec = [...new Set(p.decisions.filter(Boolean))].join(', ') || '—';
    lines.push(
      `| ${p.dataset} | ${p.source === 'llm' ? 'LLM labels' : 'human labels'} | ${f(p.app.f1)} / ${f(p.app.macroF1)} / ${f(p.app.accuracy)} / ${f(p.app.kappa)} / ${f(p.app.auc)} | ` +
        `${pct(p.app.positiveRate)} (${pct(p.oofPositiveRate)} / ${pct(p.trainPositiveRate)}) | ` +
        `${f(p.teacher.f1)} / ${f(p.teacher.macroF1)} / ${f(p.teacher.accuracy)} / ${f(p.teacher.kappa)} | ${pct(p.teacher.positiveRate)} | ` +
        `${f(p.majority.macroF1)} | ${f(p.alwaysPositive.f1)} | ${f(p.seedSd.f1)} / ${f(p.seedSd.macroF1)} / ${f(p.seedSd.kappa)} | ${dec} | ${p.warned}/${p.seeds.length} | ` +
        `${signed(p.diffs.same_ll.mean)} / ${signed(p.macroDiffs.same_ll.mean)} |`,
    );
  }
  lines.push(
    '',
    '### app − sklearn plain F1 per seed',
    '',
    `| dataset | trained on | ${seeds.join(' | ')} |`,
    `|---|---|${seeds.map(() => '---:').join('|')}|`,
  );
  for (const p of summary.pairs) {
    const bySeed = new Map(p.seeds.map((s, i) => [s, p.diffs.plain.perSeed[i]]));
    lines.push(`| ${p.dataset} | ${p.source} | ${seeds.map((s) => signed(bySeed.get(s))).join(' | ')} |`);
  }
  return lines.join('\n');
}

function pythonReady() {
  const r = spawnSync(PYTHON, ['-c', 'import sklearn, pandas'], { encoding: 'utf8' });
  return r.status === 0;
}

/**
 * Starts a Python script on `input`: `done` resolves with its parsed output or rejects with its stderr's tail.
 * `onLine` sees each line it writes to stderr (its progress).
 */
export function runPython(script, input, output, { python = PYTHON, onLine = null } = {}) {
  let child;
  const done = new Promise((resolve, reject) => {
    child = spawn(python, [script, input, output], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => {
      err = (err + b).slice(-20_000);
      if (onLine) for (const l of String(b).split('\n')) if (l.trim()) onLine(l);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(readFileSync(output, 'utf8')));
      else reject(new Error(`${script.split('/').pop()} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' / ')}`));
    });
  });
  done.catch(() => {}); // awaited by the caller; keeps an early failure from going unhandled meanwhile
  return { done, stop: () => child.exitCode === null && child.kill() };
}

export async function parity(ctx) {
  const dir = join(ctx.root, '..', 'shared', 'datasets');
  if (!existsSync(dir)) return { skip: `${dir} is missing: no datasets to compare on` };
  if (!pythonReady()) return { skip: `${PYTHON} cannot import sklearn and pandas: ${INSTALL}` };
  const vite = await ctx.vite();
  const ds = await vite.load('/bench/node/datasets.ts');
  const loaded = [];
  const notes = [];
  // PARITY_DATASETS=a,b (names without .csv) limits the run to those datasets (a busy machine); the notes say so.
  const only = process.env.PARITY_DATASETS ? new Set(process.env.PARITY_DATASETS.split(',')) : null;
  for (const f of ds.datasetFiles(dir)) {
    if (only && !only.has(f.replace(/^.*\//, '').replace(/\.csv$/, ''))) continue;
    const o = await ds.loadReplayDataset(f);
    if (o.ok) loaded.push(o.dataset);
    else notes.push(`${o.name} skipped: ${o.reason}.`);
  }
  if (loaded.length === 0) return { skip: 'no dataset in ../shared/datasets has both human and recorded LLM labels' };
  const pm = await vite.load('/bench/node/parity.ts');
  // PARITY_SEEDS=42,43,44 runs fewer seeds (a busy machine); the JSON records which.
  const seeds = process.env.PARITY_SEEDS
    ? process.env.PARITY_SEEDS.split(',').map(Number)
    : ctx.opts.quick
      ? QUICK_PARITY_SEEDS
      : PARITY_SEEDS;

  // Plan every split first, so scikit-learn can run beside the app's training (2 cores).
  const splits = [];
  const cases = [];
  for (const d of loaded) {
    for (const seed of seeds) {
      const s = pm.planParity(d, seed);
      splits.push({ d, s });
      // PARITY_SOURCES=llm: neither side fits the human-label students.
      const sources = process.env.PARITY_SOURCES?.split(',');
      cases.push(...pm.pythonCases(s, d).filter((c) => !sources || sources.includes(c.source)));
    }
  }
  const tmp = mkdtempSync(join(tmpdir(), 'bench-parity-'));
  const workers = [];
  try {
    // Two scikit-learn processes (whole dataset × seed groups each, so each fits a pool's vectorizer once)
    // beside the app's training: the references cost about three times the app's time here.
    const groups = [...new Set(cases.map((c) => c.poolKey))];
    const t0 = Date.now();
    // PARITY_SKLEARN_FROM=<an earlier parity JSON>: reuse its scikit-learn side (the references do not
    // change when only the app does), e.g. while working on the student. Splits are seeded, so keys match.
    const reuse = process.env.PARITY_SKLEARN_FROM ? JSON.parse(readFileSync(process.env.PARITY_SKLEARN_FROM, 'utf8')) : null;
    if (reuse) {
      const raw = reuse.raw ?? reuse.results?.find((r) => r.name === 'parity')?.raw;
      workers.push({ done: Promise.resolve({ ...raw.python, results: raw.sklearn }), stop: () => undefined });
    }
    for (let w = 0; w < (reuse ? 0 : Math.min(PYTHON_WORKERS, groups.length)); w++) {
      const mine = new Set(groups.filter((_, i) => i % PYTHON_WORKERS === w));
      const input = join(tmp, `cases-${w}.json`);
      writeFileSync(input, JSON.stringify({ cases: cases.filter((c) => mine.has(c.poolKey)) }));
      workers.push(runPython(join(ctx.root, 'bench', 'python', 'parity.py'), input, join(tmp, `sklearn-${w}.json`)));
    }
    const app = [];
    for (const { d, s } of splits) {
      process.stdout.write(`  ${d.name} seed ${s.seed}… `);
      const r = await pm.appStudents(s, d);
      app.push(...r);
      process.stdout.write(r.map((x) => `${x.source} F1 ${x.f1.toFixed(3)} (${(x.ms / 1000).toFixed(1)} s)`).join(', ') + '\n');
    }
    const appSeconds = app.reduce((a, r) => a + r.ms, 0) / 1000;
    process.stdout.write('  waiting for scikit-learn… ');
    const outs = await Promise.all(workers.map((w) => w.done));
    const sk = { ...outs[0], seconds: outs.reduce((a, o) => a + o.seconds, 0), results: outs.flatMap((o) => o.results) };
    process.stdout.write(`done (${sk.seconds.toFixed(0)} s of fitting in ${workers.length} processes)\n`);
    const wallSeconds = (Date.now() - t0) / 1000;

    const summary = summariseParity(app, sk.results);
    const o = summary.over;
    const pairsLine = `${summary.pairs.length} dataset × label-source pairs, each the mean of ${seeds.length} seed${seeds.length === 1 ? '' : 's'}`;
    const verdict = (r) => `target median ≥ 0.00, none below −0.02: ${r.met ? 'met' : 'missed'}`;
    const figures = [
      {
        figure: 'F1 app − sklearn plain (TfidfVectorizer() + LogisticRegression, GridSearchCV): median',
        ratio: o.plain.median,
        detail: `${pairsLine}; ${verdict(o.plain)}`,
      },
      { figure: 'F1 app − sklearn plain: lowest dataset × source', ratio: o.plain.lowest, detail: `${o.plain.lowestPair}` },
      {
        figure: 'F1 app − sklearn same features (word 1–2 + char_wb 3–5 TF-IDF): median',
        ratio: o.same.median,
        detail: `solver-parity diagnostic; ${verdict(o.same)}`,
      },
      { figure: 'F1 app − sklearn same features: lowest dataset × source', ratio: o.same.lowest, detail: `${o.same.lowestPair}` },
      {
        figure: 'F1 app − sklearn same features ÷ √blocks selected by log loss: median',
        ratio: o.same_ll.median,
        detail: `selection by the app's default score; ${verdict(o.same_ll)}; lowest ${signed(o.same_ll.lowest)} (${o.same_ll.lowestPair})`,
      },
      {
        figure: 'macro F1 app − sklearn same features ÷ √blocks selected by log loss: median',
        ratio: o.same_ll.macroMedian,
        detail: `lowest ${signed(o.same_ll.macroLowest)}; target: ${o.same_ll.macroMet ? 'met' : 'missed'}; against plain: median ${signed(o.plain.macroMedian)}, lowest ${signed(o.plain.macroLowest)}`,
      },
      {
        figure: 'student on LLM labels − its teacher (recorded LLM), median over datasets: F1',
        ratio: summary.vsTeacher.f1,
        detail: `macro F1 ${signed(summary.vsTeacher.macroF1)}, κ ${signed(summary.vsTeacher.kappa)} (a positive F1 gap beside a negative macro-F1 / κ gap is a prevalence shift, not a better student)`,
      },
      {
        figure: 'student on LLM labels: largest |out-of-fold positive share − teacher share| over datasets',
        ratio: summary.worstOofShareGap,
        detail: 'the "label like the teacher" rule reproduces the teacher\'s share out of fold; issue 26 target ≤ 0.05',
      },
      {
        figure: 'predicted positive share, app − sklearn plain: median',
        ratio: o.plain.shareGap,
        detail: `median share app ${pct(summary.appShare)}, truth ${pct(summary.truthShare)}; app − same features ${signed(o.same.shareGap)}`,
      },
    ];
    notes.push(
      `App: TF-IDF (src/lib/embed/tfidf.ts defaults: word 1–2-grams + char_wb 3–5-grams, sublinear tf, min_df 2, no cap; fitted on the training pool) → ` +
        `searchLinear (L2 logistic regression by L-BFGS, C 1e-2…1e2 in half-decades × class weight none/balanced, stratified 5-fold CV on the out-of-fold log loss of the student ` +
        `as deployed, one-SE rule; the chosen setting's fold models averaged, recalibrated on their aligned out-of-fold logits, decision rule ${process.env.PARITY_DECISION ?? 'shares (label like the teacher)'}). ` +
        `Splits: paperSplits (as \`quality\`); training rows: planExperiment's main LLM-label student and its largest human-label student; teacher label = the recorded answer ` +
        `(an unparseable one leaves the row unlabelled). Scored on the human test split with computeMetrics (positive-class F1).`,
      `scikit-learn ${sk.sklearn} (Python ${sk.python}) on the same training and test rows: "plain" = Pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)) in ` +
        `GridSearchCV(C = logspace(-2, 2, 9) × class_weight None/balanced, StratifiedKFold(5, shuffle, random_state = seed), scoring 'f1'), the vectorizer fitted on the training texts; ` +
        `"same features" = FeatureUnion(word (1,2) + char_wb (3,5), sublinear_tf, min_df 2) fitted on the training pool, then the same search over LogisticRegression; ` +
        `"÷ √blocks" scales each of those rows by 1/√(blocks it has terms in), as the app's TF-IDF does (FeatureUnion rows have norm √2). Same grids for every dataset: nothing is tuned to these data.`,
      `Fold assignment differs (the app's stratifiedKFold vs StratifiedKFold with the same seed number), and so do tie-breaks between equal CV scores; ` +
        `per-seed differences therefore carry CV noise (sd column), the means over ${seeds.length} seed${seeds.length === 1 ? '' : 's'} less.`,
      `Time: app students ${appSeconds.toFixed(0)} s in all (Node, single thread); scikit-learn ${sk.seconds.toFixed(0)} s in ${workers.length} processes (run alongside); ${wallSeconds.toFixed(0)} s wall.`,
    );
    const foldNotes = new Set(
      [...app.map((a) => a.note), ...sk.results.flatMap((r) => REFERENCES.map(({ id }) => r[id]?.note))].filter(Boolean),
    );
    for (const n of foldNotes) notes.push(`CV: ${n}`);
    const unconverged = {
      app: app.reduce((n, a) => n + a.unconverged, 0),
      sk: sk.results.reduce((n, r) => n + REFERENCES.reduce((m, { id }) => m + (r[id]?.unconverged ?? 0), 0), 0),
    };
    if (unconverged.app + unconverged.sk > 0)
      notes.push(`Fits that hit the iteration limit: app ${unconverged.app}, scikit-learn ${unconverged.sk} (ConvergenceWarning).`);
    const first = splits.filter((x) => x.s.seed === seeds[0]).map((x) => x.s);
    for (const s of first) if (s.splitNotes[0]) notes.push(`${s.dataset}: ${s.splitNotes[0]}`);
    const sizes = (src) => first.map((s) => s.students.find((t) => t.source === src)?.trainIds.length ?? 0).join(' / ');
    notes.push(
      `Training sets (${first.map((s) => s.dataset).join(' / ')}): ${sizes('llm')} LLM-labelled and ${sizes('human')} human-labelled pool rows — ` +
        `planExperiment asks for 1000 LLM labels and human sets of 250 and 1000, more than these pools hold, so both students train on every labelled pool row.`,
    );
    if (summary.pairs.some((p) => p.missing > 0)) notes.push('Some cases have no scikit-learn result (see raw).');
    if (process.env.PARITY_REFERENCES)
      notes.push(`scikit-learn references fitted: ${process.env.PARITY_REFERENCES} only (PARITY_REFERENCES).`);
    if (process.env.PARITY_SOURCES) notes.push(`Label sources: ${process.env.PARITY_SOURCES} only (PARITY_SOURCES).`);
    return {
      figures,
      notes,
      raw: {
        seeds,
        target: PARITY_TARGET,
        python: { sklearn: sk.sklearn, numpy: sk.numpy, python: sk.python, seconds: sk.seconds },
        appSeconds,
        wallSeconds,
        summary,
        app,
        sklearn: sk.results,
      },
      extra: parityTables(summary, seeds),
    };
  } finally {
    for (const w of workers) w.stop(); // after a failure: do not leave scikit-learn running
    rmSync(tmp, { recursive: true, force: true });
  }
}
