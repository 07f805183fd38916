// Benchmark 1 (Node side): the same model through onnxruntime-node (the
// native CPU ceiling), with the app's own loadEncoder on device 'cpu'.
import { env } from '@huggingface/transformers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEncoder, resetEncoder, type Dtype } from '../../src/lib/embed/embed';
import { generateTexts } from '../browser/texts';

export interface NodeEmbedResult {
  device: 'cpu';
  dtype: Dtype;
  dim: number;
  n: number;
  batchSize: number;
  loadMs: number;
  embedMs: number;
  textsPerSec: number;
  tokensPerSec: number;
  stats: { realTokens: number; paddedTokens: number; batches: number };
  sample: number[];
}

/** Loads `modelId` from `modelsDir` (a local folder) and embeds `texts` (default: n generated ones). */
export async function nodeEmbedCase(o: {
  modelsDir: string;
  modelId: string;
  dtype: Dtype;
  n: number;
  batchSize: number;
  texts?: string[];
  tokenBudget?: number;
  maxTokens?: number;
}): Promise<NodeEmbedResult> {
  // transformers.js caches on disk in Node; a throwaway dir keeps the repo clean.
  const cache = mkdtempSync(join(tmpdir(), 'bench-tjs-'));
  env.cacheDir = cache;
  try {
    const t0 = performance.now();
    const enc = await loadEncoder({ modelId: o.modelId, source: { kind: 'local', path: o.modelsDir }, device: 'cpu', dtype: o.dtype });
    const loadMs = performance.now() - t0;
    const texts = o.texts ?? generateTexts(o.n, 11).map((t) => t.text);
    const how = { batchSize: o.batchSize, tokenBudget: o.tokenBudget, maxTokens: o.maxTokens };
    await enc.embed(texts.slice(0, o.batchSize * 2), how);
    const t1 = performance.now();
    const { vectors: out, stats } = await enc.run(texts, how);
    const embedMs = performance.now() - t1;
    return {
      device: 'cpu',
      dtype: o.dtype,
      dim: enc.dim,
      n: texts.length,
      batchSize: o.batchSize,
      loadMs,
      embedMs,
      textsPerSec: (texts.length / embedMs) * 1000,
      tokensPerSec: (stats.realTokens / embedMs) * 1000,
      stats,
      sample: Array.from(out.subarray(0, 2 * enc.dim)),
    };
  } finally {
    await resetEncoder();
    rmSync(cache, { recursive: true, force: true });
  }
}
