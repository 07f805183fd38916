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
  sample: number[];
}

/** Loads `modelId` from `modelsDir` (a local folder) and embeds n generated texts. */
export async function nodeEmbedCase(o: {
  modelsDir: string;
  modelId: string;
  dtype: Dtype;
  n: number;
  batchSize: number;
}): Promise<NodeEmbedResult> {
  // transformers.js caches on disk in Node; a throwaway dir keeps the repo clean.
  const cache = mkdtempSync(join(tmpdir(), 'bench-tjs-'));
  env.cacheDir = cache;
  try {
    const t0 = performance.now();
    const enc = await loadEncoder({ modelId: o.modelId, source: { kind: 'local', path: o.modelsDir }, device: 'cpu', dtype: o.dtype });
    const loadMs = performance.now() - t0;
    const texts = generateTexts(o.n, 11).map((t) => t.text);
    await enc.embed(texts.slice(0, o.batchSize * 2), { batchSize: o.batchSize });
    const t1 = performance.now();
    const out = await enc.embed(texts, { batchSize: o.batchSize });
    const embedMs = performance.now() - t1;
    return {
      device: 'cpu',
      dtype: o.dtype,
      dim: enc.dim,
      n: o.n,
      batchSize: o.batchSize,
      loadMs,
      embedMs,
      textsPerSec: (o.n / embedMs) * 1000,
      sample: Array.from(out.subarray(0, 2 * enc.dim)),
    };
  } finally {
    await resetEncoder();
    rmSync(cache, { recursive: true, force: true });
  }
}
