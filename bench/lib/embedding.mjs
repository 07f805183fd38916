// Benchmark 1: embedding throughput, WebGPU vs wasm in the browser (the
// app's embed worker) and vs onnxruntime-node (the native CPU ceiling); and
// padding on a corpus of mixed lengths, batches in input order (before) vs
// sorted by token count and cut by a token budget (after).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';

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
const waste = (s) => s.paddedTokens / s.realTokens;

/**
 * A corpus of mixed lengths: the persuasion dataset's posts (410–12,000
 * characters) shuffled with as many TweetEval tweets (7–500) when ../shared
 * has them, else generated texts of 1–30 sentences.
 */
function mixedCorpus(root) {
  const dir = join(root, '..', 'shared', 'datasets');
  const read = (name) =>
    Papa.parse(readFileSync(join(dir, name), 'utf8'), { header: true, skipEmptyLines: true })
      .data.map((r) => r.text)
      .filter(Boolean);
  let seed = 5;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  if (existsSync(join(dir, 'ziems_persuasion.csv')) && existsSync(join(dir, 'tweeteval_hate.csv'))) {
    const posts = read('ziems_persuasion.csv');
    const texts = [...posts, ...read('tweeteval_hate.csv').slice(0, posts.length)];
    for (let i = texts.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [texts[i], texts[j]] = [texts[j], texts[i]];
    }
    return { name: `the ${posts.length} ziems_persuasion posts shuffled with as many tweeteval_hate tweets (../shared/datasets)`, texts };
  }
  const words = 'the movie was great and the plot was boring but i love this phone awful service good food bad day'.split(' ');
  const texts = Array.from({ length: 400 }, () =>
    Array.from(
      { length: 1 + Math.floor(rand() ** 2 * 30) },
      () => Array.from({ length: 6 + Math.floor(rand() * 10) }, () => words[Math.floor(rand() * words.length)]).join(' ') + '.',
    ).join(' '),
  );
  return { name: 'generated, 1–30 sentences per text (../shared/datasets absent)', texts };
}

/** Padding of the same plans with a real tokenizer's token counts (DistilBERT's, in ../shared/models), or null when absent. */
async function realTokenizerPadding(ctx, texts) {
  const dir = join(ctx.root, '..', 'shared', 'models');
  if (!existsSync(join(dir, 'distilbert-base-uncased', 'tokenizer.json'))) return null;
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  Object.assign(env, { allowLocalModels: true, allowRemoteModels: false, localModelPath: dir + '/' });
  const tok = await AutoTokenizer.from_pretrained('distilbert-base-uncased');
  const { input_ids } = tok(texts, { padding: false, truncation: true, max_length: 512, return_tensor: false });
  const lengths = input_ids.map((ids) => ids.length);
  const vite = await ctx.vite();
  const { planBatches, paddingOf } = await vite.load('/src/lib/embed/batching.ts');
  return {
    before: paddingOf(lengths, planBatches(lengths, { sort: false, maxBatch: 16 })),
    after: paddingOf(lengths, planBatches(lengths, { tokenBudget: 8192, maxBatch: 64 })),
  };
}

export async function embedding(ctx) {
  const n = ctx.opts.quick ? 1000 : 4000;
  const batchSize = 16; // as in earlier runs, for comparable rows (the app now cuts ≤ 64 texts, ≤ 8192 tokens per batch)
  const { page } = await ctx.page();
  const mock = await ctx.mock();
  const vite = await ctx.vite();
  const browserCase = (device) =>
    page.evaluate((c) => window.bench.embedCase(c), {
      modelsUrl: `${mock.url}/models`,
      modelId: TINY,
      device,
      dtype: device === 'webgpu' ? 'fp32' : 'q8',
      n,
      batchSize,
    });
  const wasm = await browserCase('wasm');
  const webgpu = await browserCase('webgpu');
  const nodeMod = await vite.load('/bench/node/embed-node.ts');
  const node = await nodeMod.nodeEmbedCase({
    modelsDir: join(ctx.root, 'tests/fixtures/models'),
    modelId: TINY,
    dtype: 'q8',
    n,
    batchSize,
  });

  const figures = [];
  const notes = [
    `${TINY} is a synthetic 32-dim test encoder (one embedding lookup + tanh, tests/fixtures/models): the figures measure runtime ` +
      'overhead (tokeniser, session calls, pooling), not transformer compute; a real DistilBERT would shift them toward the ' +
      "backends' raw matmul speed.",
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

  // Padding: the old batching (16 texts in input order) vs the app's defaults now (sorted, ≤ 64 texts, ≤ 8192 tokens).
  const corpus = mixedCorpus(ctx.root);
  const padCase = (sortByLength) =>
    page.evaluate((c) => window.bench.embedCase(c), {
      modelsUrl: `${mock.url}/models`,
      modelId: TINY,
      device: 'wasm',
      dtype: 'q8',
      n: corpus.texts.length,
      texts: corpus.texts,
      ...(sortByLength ? { batchSize: 64, tokenBudget: 8192, sortByLength: true } : { batchSize: 16, sortByLength: false }),
    });
  // Alternating, best of three each: the machine is shared, so one run can be slowed by others.
  const runs = [];
  for (let i = 0; i < 6; i++) runs.push(await padCase(i % 2 === 1));
  const best = (xs) => xs.reduce((a, b) => (b.textsPerSec > a.textsPerSec ? b : a));
  const before = best(runs.filter((r, i) => i % 2 === 0));
  const after = best(runs.filter((r, i) => i % 2 === 1));
  const padText = (r) =>
    `×${waste(r.stats).toFixed(2)} (${r.stats.paddedTokens} padded for ${r.stats.realTokens} real tokens, ${r.stats.batches} batches)`;
  figures.push({
    figure: 'padding waste (padded ÷ real tokens), length-sorted ÷ input order',
    ratio: waste(after.stats) / waste(before.stats),
    detail: `${padText(after)} vs ${padText(before)}; ${corpus.texts.length} texts: ${corpus.name}; tiny-distilbert tokenizer, ≤ 512 tokens`,
  });
  figures.push({
    figure: 'texts/s, length-sorted ÷ input order (mixed lengths, wasm)',
    ratio: after.textsPerSec / before.textsPerSec,
    detail: `${tps(after)} (${after.tokensPerSec.toFixed(0)} tokens/s; ≤ 64 texts, ≤ 8192 tokens per batch) vs ${tps(before)} (${before.tokensPerSec.toFixed(0)} tokens/s; 16 texts per batch); best of 3 runs each`,
  });
  const real = await realTokenizerPadding(ctx, corpus.texts);
  if (real) {
    figures.push({
      figure: "padding waste with DistilBERT's own tokenizer, length-sorted ÷ input order",
      ratio: waste(real.after) / waste(real.before),
      detail: `×${waste(real.after).toFixed(2)} vs ×${waste(real.before).toFixed(2)} (same plans; token counts of ../shared/models/distilbert-base-uncased, no model run)`,
    });
  } else {
    notes.push('Padding with a real tokenizer skipped: ../shared/models/distilbert-base-uncased/tokenizer.json is absent.');
  }
  notes.push(
    'Padding figures: "input order" is how batches were cut before (16 texts at a time, padded to the longest); "length-sorted" tokenises first, ' +
      "sorts by token count and cuts batches of at most 64 texts and 8192 padded tokens (the app's defaults). The tiny model's forward pass " +
      'is trivial next to tokenising these long texts, so its texts/s only shows that sorting costs nothing measurable (the ratio swings with ' +
      "the machine's load: 0.6–1.2 over three runs on 2026-12-01); a real encoder's compute grows with padded tokens (attention with their " +
      'square), so the padding ratio is the saving to expect there.',
  );

  const diff = Math.max(maxAbsDiff(wasm.sample, node.sample), maxAbsDiff(webgpu.sample, node.sample));
  notes.push(`The devices agree: largest difference between the same texts' vectors is ${diff.toExponential(1)}.`);
  const models = realModels(join(ctx.root, '..', 'shared', 'models'));
  if (models.found.length === 0) {
    notes.push(
      `Real models skipped: ../shared/models has no ONNX weights (${models.missing.join(', ') || 'no model folders'}; tokenizer/config only).`,
    );
  } else {
    notes.push(
      `Real models with ONNX weights found (${models.found.join(', ')}) but not benchmarked yet: they need a static route in the mock server or a local source in the page.`,
    );
  }
  const strip = ({ sample: _sample, ...r }) => r;
  return {
    figures,
    notes,
    raw: {
      n,
      batchSize,
      wasm,
      webgpu,
      node,
      realModels: models,
      maxAbsDiff: diff,
      padding: { corpus: corpus.name, before: strip(before), after: strip(after), realTokenizer: real },
    },
  };
}
