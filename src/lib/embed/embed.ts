// Sentence embeddings from a transformers.js encoder: tokenise every text
// once → sort by token count and cut batches by a token budget → ONNX forward
// pass per batch → pooling (mean over real tokens, or the [CLS] vector) →
// optional L2 normalisation, written back in input order into one row-major
// Float32Array. Pure of UI; the worker wraps it.
import { pipeline, Tensor, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { applyModelSource, describeSource, downloadProgress, onnxFileFor, type LoadProgress, type ModelSource } from './runtime';
import { paddingOf, planBatches, type PaddingStats } from './batching';
import type { Device } from './device';
import type { Dtype, Pooling } from './keys';
import { clsPool, l2NormalizeRows, meanPool } from './pool';
import { truncateTokens, type Tokens } from './truncate';

export type { ModelSource } from './runtime';
export type { Device } from './device';
export type { Dtype, Pooling } from './keys';
export { defaultDtype, pickDevice } from './device';
export { EMBEDDING_KEY_VERSION, embeddingKey } from './keys';
export { clsPool, l2NormalizeRows, meanPool } from './pool';

/** Bytes of model files fetched so far, summed over files; `file` names the one that just advanced. */
export type { LoadProgress };

export interface LoadOptions {
  modelId: string;
  source: ModelSource;
  device: Device;
  dtype: Dtype;
  onProgress?: (p: LoadProgress) => void;
}

export interface EmbedOptions {
  /** Most texts per forward pass (default 32). */
  batchSize?: number;
  /** Most padded tokens per forward pass, texts × longest (default 8192). */
  tokenBudget?: number;
  /** Sort by token count before batching (default true); false batches in input order, as before. */
  sortByLength?: boolean;
  /** Truncate each text to this many tokens incl. [CLS]/[SEP] (and the prefix); capped at the model's maximum. */
  maxTokens?: number;
  /** 'mean' over real tokens (default) or the first token's vector ('cls'). */
  pooling?: Pooling;
  /** Put before every text, e.g. E5's "query: " (default none). */
  prefix?: string;
  /** L2-normalise each row (default true). */
  normalize?: boolean;
  /** Called after each batch: texts done so far of `total`, and the tokens so far. */
  onProgress?: (done: number, total: number, tokens: PaddingStats) => void;
  /** Checked between batches; an aborted signal rejects with EmbedCancelledError. */
  signal?: AbortSignal;
}

export interface EmbedRun {
  /** [texts × dim], row-major, in input order. */
  vectors: Float32Array;
  stats: PaddingStats;
}

export interface Encoder {
  readonly modelId: string;
  readonly device: Device;
  readonly dtype: Dtype;
  /** Embedding width (columns of the matrix `embed` returns). */
  readonly dim: number;
  /** The model's own token limit (tokenizer model_max_length). */
  readonly maxTokens: number;
  /** Embeds `texts` into an [texts.length × dim] row-major matrix, with the run's token counts. */
  run(texts: string[], opts?: EmbedOptions): Promise<EmbedRun>;
  /** `run` without the counts. */
  embed(texts: string[], opts?: EmbedOptions): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}
export class EmbedCancelledError extends Error {
  override name = 'EmbedCancelledError';
  constructor() {
    super('Embedding was cancelled.');
  }
}

// One encoder at a time: the shared promise is reused while the same model is
// asked for, replaced (and the old one disposed) when another is, and cleared
// when loading fails so the next call retries.
let current: { key: string; promise: Promise<Encoder> } | null = null;
const sourceIds = new WeakMap<Map<string, Blob>, number>();
let nextSourceId = 1;

function sourceKey(source: ModelSource): string {
  if (source.kind !== 'files') return JSON.stringify(source);
  if (!sourceIds.has(source.files)) sourceIds.set(source.files, nextSourceId++);
  return `files#${sourceIds.get(source.files)}`;
}

/**
 * Loads (or reuses) the encoder for these options and runs one warm-up
 * embedding before resolving. Only the caller that starts a load gets its
 * progress events. Rejects with ModelLoadError.
 */
export function loadEncoder(opts: LoadOptions): Promise<Encoder> {
  const key = JSON.stringify([opts.modelId, sourceKey(opts.source), opts.device, opts.dtype]);
  if (current?.key === key) return current.promise;
  const previous = current?.promise;
  const promise = (async () => {
    if (previous)
      await previous.then(
        (e) => e.dispose(),
        () => undefined,
      ); // a failed load has nothing to free
    return createEncoder(opts);
  })();
  current = { key, promise };
  promise.catch(() => {
    if (current?.promise === promise) current = null;
  });
  return promise;
}

/** Disposes the shared encoder (tests, or when the researcher switches models off). */
export async function resetEncoder(): Promise<void> {
  const previous = current?.promise;
  current = null;
  if (previous)
    await previous.then(
      (e) => e.dispose(),
      () => undefined,
    );
}

async function createEncoder({ modelId, source, device, dtype, onProgress }: LoadOptions): Promise<Encoder> {
  applyModelSource(source, modelId);
  let extractor: FeatureExtractionPipeline;
  try {
    extractor = await pipeline('feature-extraction', modelId, {
      device,
      dtype,
      progress_callback: downloadProgress(onProgress),
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ModelLoadError(
      `Could not load the embedding model "${modelId}" from ${describeSource(source)} ` +
        `(${device}, ${dtype}; needs ${onnxFileFor(dtype)}): ${why}`,
      { cause: err },
    );
  }
  const modelMax = Number(extractor.tokenizer.model_max_length);
  const maxTokens = Number.isFinite(modelMax) && modelMax > 0 ? Math.min(modelMax, 8192) : 512;
  try {
    // Warm-up: compiles shaders / kernels and tells us the embedding width.
    const probe = await forward(extractor, tokenize(extractor, ['warm up'], maxTokens), [0], 'mean', true);
    // fp16 can overflow in some models' layer norms: NaN here would poison every vector.
    if (!probe.rows.every(Number.isFinite)) throw new Error(`its first vectors are not finite numbers (${dtype} overflow?)`);
    return makeEncoder(extractor, { modelId, device, dtype, dim: probe.dim, maxTokens });
  } catch (err) {
    await extractor.dispose();
    const why = err instanceof Error ? err.message : String(err);
    throw new ModelLoadError(`The model "${modelId}" loaded but failed its first run on ${device} (${dtype}): ${why}`, { cause: err });
  }
}

function makeEncoder(
  extractor: FeatureExtractionPipeline,
  info: { modelId: string; device: Device; dtype: Dtype; dim: number; maxTokens: number },
): Encoder {
  const run: Encoder['run'] = async (texts, o = {}) => {
    const { pooling = 'mean', prefix = '', normalize = true, onProgress, signal } = o;
    const limit = Math.min(o.maxTokens ?? info.maxTokens, info.maxTokens);
    const out = new Float32Array(texts.length * info.dim);
    if (texts.length === 0) return { vectors: out, stats: { realTokens: 0, paddedTokens: 0, batches: 0 } };
    if (signal?.aborted) throw new EmbedCancelledError();
    const tokens = tokenize(extractor, prefix ? texts.map((t) => prefix + t) : texts, limit);
    const lengths = tokens.input_ids.map((ids) => ids.length);
    const batches = planBatches(lengths, { tokenBudget: o.tokenBudget, maxBatch: o.batchSize ?? 32, sort: o.sortByLength });
    let done = 0;
    for (let b = 0; b < batches.length; b++) {
      if (signal?.aborted) throw new EmbedCancelledError();
      const { rows } = await forward(extractor, tokens, batches[b], pooling, normalize);
      batches[b].forEach((i, r) => out.set(rows.subarray(r * info.dim, (r + 1) * info.dim), i * info.dim));
      done += batches[b].length;
      onProgress?.(done, texts.length, paddingOf(lengths, batches.slice(0, b + 1)));
    }
    return { vectors: out, stats: paddingOf(lengths, batches) };
  };
  return {
    ...info,
    run,
    embed: async (texts, opts) => (await run(texts, opts)).vectors,
    dispose: () => extractor.dispose(),
  };
}

/** Token ids per text, cut at `maxTokens` keeping the closing special token (truncate.ts says why), not padded. */
function tokenize(extractor: FeatureExtractionPipeline, texts: string[], maxTokens: number): Tokens {
  // The tokenizer is a callable object; its typings only describe the tensor-returning call.
  const tokenizer = extractor.tokenizer as unknown as (t: string[], o: object) => Tokens;
  const tokens = tokenizer(texts, { padding: false, truncation: false, return_tensor: false });
  return truncateTokens(tokens, maxTokens, new Set(extractor.tokenizer.all_special_ids));
}

/**
 * One forward pass over the texts `idx`, padded on the right to the longest
 * of them: pooled (and optionally normalised) rows in the order of `idx`.
 * Right padding keeps [CLS] at position 0 whatever the tokenizer's own side.
 */
async function forward(
  extractor: FeatureExtractionPipeline,
  tokens: Tokens,
  idx: number[],
  pooling: Pooling,
  normalize: boolean,
): Promise<{ rows: Float32Array; dim: number }> {
  const n = idx.length;
  const seq = Math.max(1, ...idx.map((i) => tokens.input_ids[i].length));
  const padId = BigInt(extractor.tokenizer.pad_token_id ?? 0);
  const inputs: Record<string, Tensor> = {};
  for (const name of Object.keys(tokens) as (keyof Tokens)[]) {
    const rows = tokens[name];
    if (!rows) continue;
    const data = new BigInt64Array(n * seq).fill(name === 'input_ids' ? padId : 0n);
    idx.forEach((i, r) => rows[i].forEach((v, j) => (data[r * seq + j] = BigInt(v))));
    inputs[name] = new Tensor('int64', data, [n, seq]);
  }
  const outputs: Record<string, Tensor | undefined> = await extractor.model(inputs);
  let hidden = outputs.last_hidden_state ?? outputs.token_embeddings;
  if (!hidden) throw new Error('the model has no last_hidden_state output');
  if (hidden.type !== 'float32') hidden = hidden.to('float32'); // fp16 on WebGPU
  const [, outSeq, dim] = hidden.dims;
  const values = hidden.data as Float32Array;
  const rows =
    pooling === 'cls' ? clsPool(values, n, outSeq, dim) : meanPool(values, inputs.attention_mask.data as BigInt64Array, n, outSeq, dim);
  if (normalize) l2NormalizeRows(rows, dim);
  return { rows, dim };
}
