// Sentence embeddings from a transformers.js encoder (DistilBERT by default):
// tokenise → ONNX forward pass → mean pooling over real tokens → optional L2
// normalisation, into one row-major Float32Array. Pure of UI; the worker wraps it.
import { pipeline, type FeatureExtractionPipeline, type Tensor } from '@huggingface/transformers';
import { applyModelSource, describeSource, onnxFileFor, type Dtype, type ModelSource } from './runtime';

export type { Dtype, ModelSource } from './runtime';
/** `cpu` is onnxruntime-node (tests, bench); the browser has `webgpu` and `wasm`. */
export type Device = 'webgpu' | 'wasm' | 'cpu';

/** Bytes of model files fetched so far, summed over files; `file` names the one that just advanced. */
export interface LoadProgress { done: number; total: number; file?: string }

export interface LoadOptions {
  modelId: string;
  source: ModelSource;
  device: Device;
  dtype: Dtype;
  onProgress?: (p: LoadProgress) => void;
}

export interface EmbedOptions {
  /** Texts per forward pass (default 32). */
  batchSize?: number;
  /** Truncate each text to this many tokens incl. [CLS]/[SEP]; capped at the model's maximum. */
  maxTokens?: number;
  /** L2-normalise each row (default true). */
  normalize?: boolean;
  /** Called after each batch with texts done so far. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between batches; an aborted signal rejects with EmbedCancelledError. */
  signal?: AbortSignal;
}

export interface Encoder {
  readonly modelId: string;
  readonly device: Device;
  readonly dtype: Dtype;
  /** Embedding width (columns of the matrix `embed` returns). */
  readonly dim: number;
  /** The model's own token limit (tokenizer model_max_length). */
  readonly maxTokens: number;
  /** Embeds `texts` into an [texts.length × dim] row-major matrix. */
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

/** WebGPU when the browser offers an adapter, else wasm. */
export function pickDevice(hasWebGPU: boolean): Device {
  return hasWebGPU ? 'webgpu' : 'wasm';
}

/** q8 is small and fast on CPU (wasm, cpu); WebGPU runs fp32 without quantisation loss. */
export function defaultDtype(device: Device): Dtype {
  return device === 'webgpu' ? 'fp32' : 'q8';
}

/**
 * Cache key for stored embeddings. Bump EMBEDDING_KEY_VERSION when the way
 * vectors are computed changes, so old rows are ignored rather than reused.
 * `maxTokens` is included when given because truncation changes vectors.
 */
export const EMBEDDING_KEY_VERSION = 1;
export function embeddingKey(modelId: string, dtype: Dtype, pooling: 'mean', normalize: boolean, maxTokens?: number): string {
  const trunc = maxTokens === undefined ? '' : `|t${maxTokens}`;
  return `emb-v${EMBEDDING_KEY_VERSION}|${modelId}|${dtype}|${pooling}|${normalize ? 'l2' : 'raw'}${trunc}`;
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
    if (previous) await previous.then((e) => e.dispose(), () => undefined); // a failed load has nothing to free
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
  if (previous) await previous.then((e) => e.dispose(), () => undefined);
}

async function createEncoder({ modelId, source, device, dtype, onProgress }: LoadOptions): Promise<Encoder> {
  applyModelSource(source, modelId);
  // Bytes summed over every file seen so far (the total grows as files start).
  const perFile = new Map<string, { loaded: number; total: number }>();
  let extractor: FeatureExtractionPipeline;
  try {
    extractor = await pipeline('feature-extraction', modelId, {
      device,
      dtype,
      progress_callback: (p) => {
        if (p.status !== 'progress' || !onProgress) return;
        perFile.set(p.file, { loaded: p.loaded || 0, total: p.total || 0 });
        let done = 0, total = 0;
        for (const f of perFile.values()) (done += f.loaded), (total += f.total);
        onProgress({ done, total, file: p.file });
      },
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
    const probe = await forward(extractor, ['warm up'], maxTokens, true);
    return makeEncoder(extractor, { modelId, device, dtype, dim: probe.dim, maxTokens });
  } catch (err) {
    await extractor.dispose();
    const why = err instanceof Error ? err.message : String(err);
    throw new ModelLoadError(`The model "${modelId}" loaded but failed its first run on ${device}: ${why}`, { cause: err });
  }
}

function makeEncoder(
  extractor: FeatureExtractionPipeline,
  info: { modelId: string; device: Device; dtype: Dtype; dim: number; maxTokens: number },
): Encoder {
  return {
    ...info,
    async embed(texts, { batchSize = 32, maxTokens, normalize = true, onProgress, signal } = {}) {
      const limit = Math.min(maxTokens ?? info.maxTokens, info.maxTokens);
      const out = new Float32Array(texts.length * info.dim);
      const step = Math.max(1, Math.floor(batchSize));
      for (let start = 0; start < texts.length; start += step) {
        if (signal?.aborted) throw new EmbedCancelledError();
        const { rows } = await forward(extractor, texts.slice(start, start + step), limit, normalize);
        out.set(rows, start * info.dim);
        onProgress?.(Math.min(start + step, texts.length), texts.length);
      }
      return out;
    },
    dispose: () => extractor.dispose(),
  };
}

/** One forward pass: pooled (and optionally normalised) rows for a batch. */
async function forward(
  extractor: FeatureExtractionPipeline,
  batch: string[],
  maxTokens: number,
  normalize: boolean,
): Promise<{ rows: Float32Array; dim: number }> {
  const inputs = extractor.tokenizer(batch, { padding: true, truncation: true, max_length: maxTokens });
  const outputs: Record<string, Tensor | undefined> = await extractor.model(inputs);
  let hidden = outputs.last_hidden_state ?? outputs.token_embeddings;
  if (!hidden) throw new Error('the model has no last_hidden_state output');
  if (hidden.type !== 'float32') hidden = hidden.to('float32'); // fp16 on WebGPU
  const mask = (inputs as { attention_mask: Tensor }).attention_mask;
  const [n, seq, dim] = hidden.dims;
  const rows = meanPool(hidden.data as Float32Array, mask.data as BigInt64Array, n, seq, dim);
  if (normalize) l2NormalizeRows(rows, dim);
  return { rows, dim };
}

/**
 * Mean of the token vectors whose attention-mask entry is 1, per row.
 * `hidden` is [n × seq × dim], `mask` is [n × seq]; returns [n × dim].
 */
export function meanPool(hidden: Float32Array, mask: ArrayLike<bigint | number>, n: number, seq: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let count = 0;
    const row = out.subarray(i * dim, (i + 1) * dim);
    for (let j = 0; j < seq; j++) {
      if (Number(mask[i * seq + j]) === 0) continue;
      count++;
      const base = (i * seq + j) * dim;
      for (let k = 0; k < dim; k++) row[k] += hidden[base + k];
    }
    if (count > 0) for (let k = 0; k < dim; k++) row[k] /= count;
  }
  return out;
}

/** Scales each row of an [n × dim] matrix to unit length in place (zero rows stay zero). */
export function l2NormalizeRows(m: Float32Array, dim: number): void {
  for (let start = 0; start < m.length; start += dim) {
    let sq = 0;
    for (let k = start; k < start + dim; k++) sq += m[k] * m[k];
    if (sq === 0) continue;
    const inv = 1 / Math.sqrt(sq);
    for (let k = start; k < start + dim; k++) m[k] *= inv;
  }
}
