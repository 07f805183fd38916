// Benchmark: embedding with a real pretrained encoder (all-MiniLM-L6-v2 as
// `npm run models` prepares it): the app's embed worker in the browser (wasm
// q8, and WebGPU fp32 on whatever adapter headless Chromium has: SwiftShader,
// a CPU emulation, on these machines) against onnxruntime-node on the same
// ONNX file and the same real texts, with the preset's recipe (mean pooling,
// L2, at most 256 tokens). Skips when the model is not prepared.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { hubDir, preparedModel } from '../../scripts/models/paths.mjs';
import { serveHub } from '../../scripts/models/serve-hub.mjs';

const MODEL = 'Xenova/all-MiniLM-L6-v2';
const MAX_TOKENS = 256; // the preset's recipe
const BATCH = 64; // the app's defaults: ≤ 64 texts and ≤ 8192 padded tokens per batch, sorted by length
const BUDGET = 8192;
const GPU_WAIT_MS = 180_000;

function readTexts(file, n) {
  return Papa.parse(readFileSync(file, 'utf8'), { header: true, skipEmptyLines: true })
    .data.map((r) => r.text)
    .filter(Boolean)
    .slice(0, n);
}

const cos = (a, b) => {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) [ab, aa, bb] = [ab + a[i] * b[i], aa + a[i] * a[i], bb + b[i] * b[i]];
  return ab / Math.sqrt(aa * bb);
};

export async function embeddingReal(ctx) {
  const prepared = preparedModel(MODEL);
  if (prepared.reason) return { skip: prepared.reason };
  const datasets = join(ctx.root, '..', 'shared', 'datasets');
  const shortFile = join(datasets, 'tornberg_uk_party.csv');
  const longFile = join(datasets, 'ziems_persuasion.csv');
  if (!existsSync(shortFile) || !existsSync(longFile)) return { skip: `the shared datasets are missing in ${datasets}` };
  const quick = ctx.opts.quick;
  // Sized for a shared two-core machine, where MiniLM runs at ~10 texts/s in the browser.
  const short = readTexts(shortFile, quick ? 100 : 200);
  const long = readTexts(longFile, quick ? 16 : 32);
  const { page } = await ctx.page();
  const vite = await ctx.vite();
  const hub = await serveHub();
  try {
    const browserCase = (device, dtype, texts) =>
      page.evaluate((c) => window.bench.embedCase(c), {
        modelsUrl: hub.url,
        layout: 'hub',
        modelId: MODEL,
        device,
        dtype,
        n: texts.length,
        texts,
        batchSize: BATCH,
        tokenBudget: BUDGET,
        maxTokens: MAX_TOKENS,
      });
    const { nodeEmbedCase } = await vite.load('/bench/node/embed-node.ts');
    const nodeCase = (texts) =>
      nodeEmbedCase({
        modelsDir: hubDir(),
        modelId: MODEL,
        dtype: 'q8',
        n: texts.length,
        texts,
        batchSize: BATCH,
        tokenBudget: BUDGET,
        maxTokens: MAX_TOKENS,
      });

    const timed = async (label, f) => {
      const t0 = Date.now();
      const r = await f();
      console.log(`  ${label}: ${r ? `${r.textsPerSec.toFixed(1)} texts/s, ` : ''}${((Date.now() - t0) / 1000).toFixed(0)} s`);
      return r;
    };
    const wasm = await timed('wasm q8, short', () => browserCase('wasm', 'q8', short));
    const node = await timed('Node q8, short', () => nodeCase(short));
    const wasmLong = await timed('wasm q8, long', () => browserCase('wasm', 'q8', long));
    const nodeLong = await timed('Node q8, long', () => nodeCase(long));
    // SwiftShader emulates the GPU on the CPU: a few texts, and a cap on the wait.
    const gpuTexts = short.slice(0, 4);
    const webgpu = await timed('WebGPU fp32', () =>
      Promise.race([browserCase('webgpu', 'fp32', gpuTexts), new Promise((ok) => setTimeout(() => ok(null), GPU_WAIT_MS))]),
    );

    const threads = `${wasm.threads} ORT thread${wasm.threads === 1 ? '' : 's'}`;
    const rate = (r) => `${r.textsPerSec.toFixed(1)} texts/s, ${r.tokensPerSec.toFixed(0)} tokens/s`;
    const figures = [
      {
        figure: 'MiniLM q8 texts/s, browser wasm ÷ Node onnxruntime-node (goal ≥ 0.7)',
        ratio: wasm.textsPerSec / node.textsPerSec,
        detail: `${rate(wasm)} (${threads}) vs ${rate(node)}; ${short.length} tornberg_uk_party posts (${(wasm.stats.realTokens / short.length).toFixed(0)} tokens on average)`,
      },
      {
        figure: 'MiniLM q8 tokens/s at 256 tokens, browser wasm ÷ Node',
        ratio: wasmLong.tokensPerSec / nodeLong.tokensPerSec,
        detail: `${rate(wasmLong)} vs ${rate(nodeLong)}; ${long.length} ziems_persuasion posts, cut at ${MAX_TOKENS} tokens (${wasmLong.stats.batches} batches of ≤ ${BUDGET} tokens)`,
      },
      {
        figure: 'MiniLM load + warm-up, browser wasm ÷ Node',
        ratio: wasm.loadMs / node.loadMs,
        detail: `${wasm.loadMs.toFixed(0)} ms (${(prepared.check.precisions.q8.bytes / 1e6).toFixed(1)} MB q8 over HTTP from a hub-layout server, first load of the page) vs ${node.loadMs.toFixed(0)} ms (local file)`,
      },
      {
        figure: 'MiniLM padding (padded ÷ real tokens), short posts',
        ratio: wasm.stats.paddedTokens / wasm.stats.realTokens,
        detail: `${wasm.stats.paddedTokens} padded for ${wasm.stats.realTokens} real tokens in ${wasm.stats.batches} batches (sorted by length)`,
      },
      {
        figure: 'MiniLM padding (padded ÷ real tokens), long posts',
        ratio: wasmLong.stats.paddedTokens / wasmLong.stats.realTokens,
        detail: `${wasmLong.stats.paddedTokens} padded for ${wasmLong.stats.realTokens} real tokens in ${wasmLong.stats.batches} batches`,
      },
    ];
    const notes = [];
    if (!webgpu)
      notes.push(`WebGPU (SwiftShader) did not finish ${gpuTexts.length} texts in ${GPU_WAIT_MS / 60_000} minutes: no WebGPU figure.`);
    else if (webgpu.device === 'webgpu') {
      figures.push({
        figure: 'MiniLM texts/s, WebGPU fp32 (SwiftShader) ÷ wasm q8',
        ratio: webgpu.textsPerSec / wasm.textsPerSec,
        detail: `${rate(webgpu)} on ${gpuTexts.length} of the same posts vs ${rate(wasm)}; SwiftShader is a CPU emulation of a GPU: no figure for real GPUs`,
      });
    } else notes.push(`WebGPU was asked for but the worker ran on ${webgpu.device} (no adapter): no WebGPU figure.`);
    const agree = Math.min(cos(wasm.sample.slice(0, 384), node.sample.slice(0, 384)), cos(wasm.sample.slice(384), node.sample.slice(384)));
    notes.push(
      `${MODEL} as \`npm run models\` prepares it (onnx/model_quantized.onnx ${(prepared.check.precisions.q8.bytes / 1e6).toFixed(1)} MB; ` +
        `its check: q8 cosine to sentence-transformers min ${prepared.check.precisions.q8.cosine.min}, median ${prepared.check.precisions.q8.cosine.median}). ` +
        `Browser and Node on the same q8 file (their int8 kernels differ): cosine ≥ ${agree.toFixed(6)} on the first two texts.`,
    );
    const strip = ({ sample: _s, ...r }) => r;
    return {
      figures,
      notes,
      raw: {
        model: MODEL,
        wasm: strip(wasm),
        node: strip(node),
        wasmLong: strip(wasmLong),
        nodeLong: strip(nodeLong),
        webgpu: webgpu && strip(webgpu),
      },
    };
  } finally {
    await hub.close();
  }
}
