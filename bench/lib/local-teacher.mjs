// Benchmark: the in-browser teacher (label scoring with a causal LM in the
// app's worker). Texts/s of the tiny causal LM on wasm vs WebGPU, and the
// speed-up of prompt reuse: the shared system prefix run once per run and
// each text's prompt once for all its labels (KV cache), against scoring
// every label's whole sequence. Real models are benchmarked when their ONNX
// weights are in ../shared/models, else skipped with one line.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';

const TINY = 'tiny-causal-lm';

/** Presets whose folder in ../shared/models has config.json and the preset's ONNX file. */
function realModels(dir, presets, onnxFile) {
  return presets.map((p) => {
    const folder = join(dir, p.id.split('/').at(-1));
    const file = join(folder, onnxFile(p.dtype));
    return { preset: p, folder, present: existsSync(join(folder, 'config.json')) && existsSync(file), file };
  });
}

export async function localTeacher(ctx) {
  const vite = await ctx.vite();
  const mock = await ctx.mock();
  const { context } = await ctx.page();
  const page = await context.newPage();
  try {
    await page.goto(`${vite.url}/bench/browser/local-teacher.html`);
    await page.waitForFunction(() => 'localBench' in window, null, { timeout: 60_000 });
    const { systemPrompt, userPrompt } = await vite.load('/src/lib/codebook/prompt.ts');
    const { LOCAL_PRESETS, localOnnxFile } = await vite.load('/src/lib/teacher/local/presets.ts');
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

    const real = realModels(join(ctx.root, '..', 'shared', 'models'), LOCAL_PRESETS, localOnnxFile);
    const absent = real.filter((r) => !r.present);
    if (absent.length > 0) {
      notes.push(
        `Real models skipped: no ONNX weights in ../shared/models for ${absent.map((r) => `${r.preset.name} (${localOnnxFile(r.preset.dtype)})`).join(', ')}.`,
      );
    }
    for (const r of real.filter((x) => x.present)) {
      notes.push(`${r.preset.name}: weights found at ${r.folder} but not benchmarked: serve that folder to the page (mock /models) first.`);
    }
    return {
      figures,
      notes,
      raw: { n: users.length, cases, maxProbDiff: diff, realModels: real.map((r) => ({ id: r.preset.id, present: r.present })) },
    };
  } finally {
    await page.close();
  }
}
