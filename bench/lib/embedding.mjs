// Benchmark 1: embedding throughput, WebGPU vs wasm in the browser (the
// app's embed worker) and vs onnxruntime-node (the native CPU ceiling).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const TINY = 'tiny-distilbert';

/** Real encoders in ../shared/models with ONNX weights (none today: tokenizer/config only). */
export function realModels(dir) {
  if (!existsSync(dir)) return { found: [], missing: [`${dir} does not exist`] };
  const found = [];
  const missing = [];
  for (const name of readdirSync(dir)) {
    const onnx = join(dir, name, 'onnx');
    if (!existsSync(join(dir, name, 'config.json'))) continue;
    const files = existsSync(onnx) ? readdirSync(onnx).filter((f) => f.endsWith('.onnx')) : [];
    (files.length > 0 ? found : missing).push(name);
  }
  return { found, missing };
}

const maxAbsDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

export async function embedding(ctx) {
  const n = ctx.opts.quick ? 1000 : 4000;
  const batchSize = 16; // the app's default encoder batch size (project-settings.ts)
  const { page } = await ctx.page();
  const mock = await ctx.mock();
  const vite = await ctx.vite();
  const browserCase = (device) =>
    page.evaluate((c) => window.bench.embedCase(c), {
      modelsUrl: `${mock.url}/models`, modelId: TINY, device, dtype: device === 'webgpu' ? 'fp32' : 'q8', n, batchSize,
    });
  const wasm = await browserCase('wasm');
  const webgpu = await browserCase('webgpu');
  const nodeMod = await vite.load('/bench/node/embed-node.ts');
  const node = await nodeMod.nodeEmbedCase({ modelsDir: join(ctx.root, 'tests/fixtures/models'), modelId: TINY, dtype: 'q8', n, batchSize });

  const figures = [];
  const notes = [
    `${TINY} is a synthetic 32-dim test encoder (one embedding lookup + tanh, tests/fixtures/models): the figures measure runtime ` +
      'overhead (tokeniser, session calls, pooling), not transformer compute; a real DistilBERT would shift them toward the ' +
      'backends\' raw matmul speed.',
  ];
  const tps = (r) => `${r.textsPerSec.toFixed(0)} texts/s`;
  if (webgpu.device === 'webgpu') {
    figures.push({
      figure: 'texts/s WebGPU ÷ wasm (browser)',
      ratio: webgpu.textsPerSec / wasm.textsPerSec,
      detail: `${tps(webgpu)} (fp32) vs ${tps(wasm)} (q8, ${wasm.threads} ORT thread${wasm.threads === 1 ? '' : 's'}); ${n} texts, batch ${batchSize}`,
    });
  } else {
    notes.push(`WebGPU was asked for but the worker ran on ${webgpu.device} (no adapter): no WebGPU figure.`);
  }
  figures.push({
    figure: 'texts/s browser wasm ÷ Node onnxruntime-node',
    ratio: wasm.textsPerSec / node.textsPerSec,
    detail: `${tps(wasm)} vs ${tps(node)} (native CPU, q8)`,
  });
  figures.push({
    figure: 'model load + warm-up, wasm ÷ Node',
    ratio: wasm.loadMs / node.loadMs,
    detail: `${wasm.loadMs.toFixed(0)} ms (HTTP from the mock server, Cache Storage) vs ${node.loadMs.toFixed(0)} ms (local files)`,
  });
  const diff = Math.max(maxAbsDiff(wasm.sample, node.sample), maxAbsDiff(webgpu.sample, node.sample));
  notes.push(`The devices agree: largest difference between the same texts' vectors is ${diff.toExponential(1)}.`);
  const real = realModels(join(ctx.root, '..', 'shared', 'models'));
  if (real.found.length === 0) {
    notes.push(`Real models skipped: ../shared/models has no ONNX weights (${real.missing.join(', ') || 'no model folders'}; tokenizer/config only).`);
  } else {
    notes.push(`Real models with ONNX weights found (${real.found.join(', ')}) but not benchmarked yet: they need a static route in the mock server or a local source in the page.`);
  }
  return { figures, notes, raw: { n, batchSize, wasm, webgpu, node, realModels: real, maxAbsDiff: diff } };
}
