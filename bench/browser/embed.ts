// Benchmark 1 (browser side): texts per second of the app's embed worker on
// one device, after loading and one warm-up batch, with the run's padding
// (length-sorted batches by a token budget, or input order as before).
import { embedWorker, ortBase, type EmbedReady, type EmbedResult } from './workers';
import { generateTexts } from './texts';

export interface EmbedCase {
  /** Where the model files are: `${modelsUrl}/${modelId}/config.json` … (layout 'hub': `…/resolve/main/config.json`). */
  modelsUrl: string;
  layout?: 'plain' | 'hub';
  modelId: string;
  device: 'webgpu' | 'wasm';
  dtype: 'fp32' | 'q8';
  n: number;
  batchSize: number;
  /** The texts to embed (default: n generated ones). */
  texts?: string[];
  /** false = batches of batchSize in input order (before length sorting). */
  sortByLength?: boolean;
  tokenBudget?: number;
  /** Truncation in tokens (a preset's recipe; default the model's limit). */
  maxTokens?: number;
}

export interface EmbedCaseResult {
  requested: 'webgpu' | 'wasm';
  /** What the worker actually used (webgpu falls back to wasm without an adapter). */
  device: string;
  dtype: string;
  webgpu: boolean;
  threads: number;
  dim: number;
  n: number;
  batchSize: number;
  loadMs: number;
  embedMs: number;
  textsPerSec: number;
  tokensPerSec: number;
  /** Real and padded tokens of the timed run, and its batches. */
  stats: { realTokens: number; paddedTokens: number; batches: number };
  /** First two rows of the output, to check devices agree. */
  sample: number[];
}

export async function embedCase(c: EmbedCase): Promise<EmbedCaseResult> {
  const { client, worker } = embedWorker();
  try {
    const t0 = performance.now();
    const ready = await client.request<EmbedReady>(
      {
        type: 'load',
        modelId: c.modelId,
        source: { kind: 'url', baseUrl: c.modelsUrl, layout: c.layout },
        device: c.device,
        dtype: c.dtype,
        ortBase: ortBase(),
      },
      ['ready'],
    ).done;
    const loadMs = performance.now() - t0;
    const texts = c.texts ?? generateTexts(c.n, 11).map((t) => t.text);
    const how = { batchSize: c.batchSize, sortByLength: c.sortByLength, tokenBudget: c.tokenBudget, maxTokens: c.maxTokens };
    // Warm-up outside the timing: first batches compile kernels / pipelines.
    await client.request<EmbedResult>({ type: 'embed', texts: texts.slice(0, c.batchSize * 2), ...how }, ['result']).done;
    const t1 = performance.now();
    const res = await client.request<EmbedResult>({ type: 'embed', texts, ...how }, ['result']).done;
    const embedMs = performance.now() - t1;
    return {
      requested: c.device,
      device: ready.device,
      dtype: ready.dtype,
      webgpu: ready.webgpu,
      threads: ready.threads,
      dim: res.dim,
      n: texts.length,
      batchSize: c.batchSize,
      loadMs,
      embedMs,
      textsPerSec: (texts.length / embedMs) * 1000,
      tokensPerSec: (res.stats.realTokens / embedMs) * 1000,
      stats: res.stats,
      sample: Array.from(res.vectors.subarray(0, 2 * res.dim)),
    };
  } finally {
    client.terminate();
    worker.terminate();
  }
}
