// Sentence embeddings for the open project's rows: cached vectors come from
// IndexedDB (keyed by embedding key + text hash), the rest are computed in the
// embed worker and stored as they arrive, so a cancel or reload loses little.
// The key carries the model's recipe (pooling, normalisation, prefix), so
// switching preset re-embeds only what the new key lacks.
// TF-IDF (the no-download baseline) is fitted on the training pool and
// computed here as sparse rows; they are cheap to recompute, so they are not
// stored. The hybrid puts the (unit-length) sentence vector beside them.
import * as store from '../store';
import type { DataRow } from '../data/types';
import { hashParts } from '../data/hash';
import { defaultDtype, type Device } from '../embed/device';
import { embeddingKey, hybridKey, type Dtype } from '../embed/keys';
import { resolveRecipe, type Recipe } from '../embed/presets';
import { paddingWaste } from '../embed/batching';
import { missingFiles, filesFromPicker, type ModelSource } from '../embed/runtime';
import { l2NormalizeRows } from '../embed/pool';
import { fitTfidf, transformTfidfSparse, type TfidfModel } from '../embed/tfidf';
import { concatRows, dense, hybrid, type CsrMatrix, type DenseMatrix, type FeatureMatrix } from '../train/matrix';
import type { EncoderSettings } from './project-settings';
import { hasWebGPU } from './backend.svelte';
import { app, errorText } from './app.svelte';
import { embedRequest, ortBase, type EmbedReady, type EmbedResult } from './embed-client';
import { WorkerCancelled } from './worker-client';

/**
 * Features for a set of rows: row i of `features` belongs to `ids[i]`; dense
 * for sentence encoders, CSR for TF-IDF, both side by side for the hybrid
 * (dim = features.cols).
 */
export interface Embedded { key: string; encoder: string; dim: number; features: FeatureMatrix; ids: string[] }

export type EmbedStatus = 'idle' | 'loading' | 'embedding' | 'done' | 'error' | 'cancelled';

/** Rates of an embedding run so far (null before the first batch, or for TF-IDF's tokens). */
export interface EmbedRates {
  textsPerSec: number | null;
  tokensPerSec: number | null;
  /** Padded ÷ real tokens of the batches run (1 = no padding). */
  paddingWaste: number | null;
  /** Where it runs: 'webgpu', 'wasm', or 'this page (TF-IDF)'. */
  backend: string | null;
}

export interface EmbedProgress extends Partial<EmbedRates> { stage: 'download' | 'embed'; done: number; total: number; etaMs: number | null }

/** What the last ensure() did, counted in distinct texts (identical texts share one vector). */
export interface EmbedSummary {
  key: string; rows: number; texts: number; cached: number; computed: number;
  /** False for TF-IDF: its features are recomputed when needed. */
  stored: boolean;
  /** TF-IDF and hybrid: texts the vocabulary was fitted on. */
  fittedOn?: number;
  /** Hybrid: TF-IDF columns beside the sentence vector. */
  tfidfCols?: number;
  /** The texts embedded now (absent when every vector was cached). */
  rates?: EmbedRates;
}

export class EmbeddingCancelledError extends Error {
  override name = 'EmbeddingCancelledError';
  constructor() {
    super('Embedding was cancelled.');
  }
}

/** Texts per worker request: each chunk is stored before the next starts. */
const CHUNK = 256;
/** Bump when TF-IDF features change, so students fitted on old columns are not fed new ones. */
const TFIDF_KEY_VERSION = 2; // 2: separate word / char_wb blocks, sparse rows, no feature cap
const dimKey = (key: string) => `embdim|${key}`;
const TFIDF_DEVICE = 'this page (TF-IDF)';

/** Milliseconds left at the current rate, or null before there is a rate. */
export function etaMs(startedAt: number, done: number, total: number, now = Date.now()): number | null {
  if (done <= 0 || total <= done) return done >= total && total > 0 ? 0 : null;
  return ((now - startedAt) / done) * (total - done);
}

/**
 * The model, recipe, device and dtype a setting resolves to here ('auto' →
 * webgpu when an adapter exists; q8 on wasm, fp32 on webgpu), and the cache
 * key of its vectors. `dtype` overrides the precision (a load that fell back).
 */
export async function resolveEncoder(s: EncoderSettings, webgpu?: boolean | null, dtypeUsed?: Dtype): Promise<{
  device: Device; dtype: Dtype; key: string; modelId: string; recipe: Recipe;
}> {
  const gpu = webgpu ?? (await hasWebGPU());
  const device: Device = s.device === 'wasm' || !gpu ? 'wasm' : 'webgpu';
  const dtype: Dtype = dtypeUsed ?? (s.dtype === 'auto' ? defaultDtype(device) : s.dtype);
  const { modelId, recipe } = resolveRecipe(s);
  return { device, dtype, modelId, recipe, key: embeddingKey(modelId, dtype, recipe.pooling, recipe.normalize, recipe.maxTokens, recipe.prefix) };
}

/** Rates of `done` texts and `tokens` real tokens (`padded` after padding) in `ms`. */
export function ratesOf(done: number, tokens: number, padded: number, ms: number, backend: string | null): EmbedRates {
  const sec = ms / 1000;
  return {
    textsPerSec: done > 0 && sec > 0 ? done / sec : null,
    tokensPerSec: tokens > 0 && sec > 0 ? tokens / sec : null,
    paddingWaste: tokens > 0 ? paddingWaste({ realTokens: tokens, paddedTokens: padded }) : null,
    backend,
  };
}

export class EmbedderState {
  status = $state<EmbedStatus>('idle');
  progress = $state<EmbedProgress | null>(null);
  error = $state<string | null>(null);
  device = $state<string | null>(null);
  dim = $state<number | null>(null);
  threads = $state<number | null>(null);
  /** The precision the loaded encoder runs with (may differ from the one asked: see `note`). */
  dtype = $state<Dtype | null>(null);
  /** Why the loaded encoder runs with another precision or device than asked, in words; null when it runs as asked. */
  note = $state<string | null>(null);
  /** Whether the embed worker's WebGPU adapter has shader-f16 (null before a load). */
  shaderF16 = $state<boolean | null>(null);
  last = $state<EmbedSummary | null>(null);
  /** A model folder picked with <input webkitdirectory>: kept in this tab's memory only, never uploaded. */
  picked = $state.raw<{ name: string; files: Map<string, Blob>; pick: number } | null>(null);

  #queue: Promise<unknown> = Promise.resolve();
  #cancelled = false;
  #stop: (() => void) | null = null;
  #loaded: { key: string; ready: EmbedReady } | null = null;
  #tfidf = new Map<string, TfidfModel>();

  /**
   * Embeddings for these rows with the project's EncoderSettings: cached ones
   * from IndexedDB, the rest computed in the embed worker and stored. For kind
   * 'tfidf', the vocabulary/idf is fitted on `fitOn` rows (the training pool) only.
   * Calls run one after another. Rejects with EmbeddingCancelledError on cancel().
   */
  ensure(rows: DataRow[], settings: EncoderSettings, fitOn?: DataRow[]): Promise<Embedded> {
    const s = $state.snapshot(settings) as EncoderSettings;
    return this.#enqueue(() =>
      s.kind === 'tfidf'
        ? this.#tfidfRun(rows, fitOn ?? rows)
        : s.kind === 'hybrid'
        ? this.#hybridRun(rows, s, fitOn ?? rows)
        : this.#transformersRun(rows, s),
    );
  }

  /**
   * What "Embed all texts" needs, without building a feature matrix: the
   * sentence vectors of `rows` computed and stored, and TF-IDF fitted on
   * `fitOn`, as the kind asks. TF-IDF rows are not stored, so making them
   * for every text would only fill memory. `last` says what was done.
   */
  prepare(rows: DataRow[], settings: EncoderSettings, fitOn: DataRow[]): Promise<void> {
    const s = $state.snapshot(settings) as EncoderSettings;
    return this.#enqueue(async () => {
      if (s.kind === 'tfidf') return void (await this.#tfidfRun([], fitOn));
      const emb = await this.#transformersRun(rows, s);
      if (s.kind !== 'hybrid') return;
      const { device, threads, last } = this;
      this.#check();
      const tf = await this.#tfidfRun([], fitOn);
      [this.device, this.threads, this.dim] = [device, threads, emb.dim + tf.dim];
      this.last = { ...last!, fittedOn: fitOn.length, tfidfCols: tf.dim };
    });
  }

  /** Runs jobs one after another; the caller gets the error, the queue goes on. */
  #enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => this.#guard(job));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  cancel(): void {
    this.#cancelled = true;
    this.#stop?.();
  }

  /** Keeps a picked model folder for this session; returns the files still missing for `dtype` (empty = usable). */
  pick(files: Iterable<File>, dtype: Dtype): string[] {
    const list = [...files];
    const map = filesFromPicker(list);
    const name = list[0]?.webkitRelativePath.split('/')[0] || 'picked folder';
    this.picked = { name, files: map, pick: (this.picked?.pick ?? 0) + 1 };
    return missingFiles(map, dtype);
  }

  /** Forget the loaded encoder and fitted TF-IDF models (tests). */
  reset(): void {
    this.#loaded = null;
    this.#tfidf.clear();
    this.status = 'idle';
    this.progress = this.error = this.last = this.note = null;
  }

  /** Status, progress and errors of one job; a cancel in any form becomes EmbeddingCancelledError. */
  async #guard<T>(job: () => Promise<T>): Promise<T> {
    this.#cancelled = false;
    this.error = null;
    try {
      const out = await job();
      this.status = 'done';
      return out;
    } catch (e) {
      if (this.#cancelled || e instanceof WorkerCancelled || e instanceof EmbeddingCancelledError) {
        this.status = 'cancelled';
        throw new EmbeddingCancelledError();
      }
      this.status = 'error';
      this.error = errorText(e);
      throw e;
    } finally {
      this.progress = null;
      this.#stop = null;
    }
  }

  #check(): void {
    if (this.#cancelled) throw new EmbeddingCancelledError();
  }

  async #transformersRun(rows: DataRow[], s: EncoderSettings): Promise<Embedded> {
    const gpu = app.backend.webgpu;
    const asked = await resolveEncoder(s, gpu);
    // A warm encoder whose load fell back to another precision keys its vectors by the one it runs.
    const warm = this.#loaded?.key === this.#loadKey(s, asked.device, asked.dtype) ? this.#loaded.ready : null;
    let enc = warm && warm.dtype !== asked.dtype ? await resolveEncoder(s, gpu, warm.dtype) : asked;
    // Distinct texts only: identical texts (same hash) share a vector.
    const textOf = new Map<string, string>();
    for (const r of rows) if (!textOf.has(r.hash)) textOf.set(r.hash, r.text);
    const hashes = [...textOf.keys()];
    let dim = (await store.kvGet<number>(dimKey(enc.key))) ?? null;
    let found = dim ? await store.getEmbeddings(enc.key, hashes, dim) : null;
    if (!found || found.missing.length > 0) {
      const ready = await this.#load(s, enc.modelId, asked.device, asked.dtype);
      if (ready.dtype !== enc.dtype) {
        enc = await resolveEncoder(s, gpu, ready.dtype);
        dim = (await store.kvGet<number>(dimKey(enc.key))) ?? null;
        found = dim ? await store.getEmbeddings(enc.key, hashes, dim) : null;
      }
      if (ready.dim !== dim) {
        dim = ready.dim;
        found = await store.getEmbeddings(enc.key, hashes, dim);
        await store.kvSet(dimKey(enc.key), dim);
      }
    }
    if (!found || !dim) throw new Error('No embedding width is known for this encoder.');
    const { matrix: unique, missing } = found;
    const key = enc.key;
    let rates: EmbedRates | undefined;
    if (missing.length > 0) rates = await this.#embedMissing(key, dim, s, enc.recipe, missing.map((i) => hashes[i]), textOf, unique, hashes);
    this.dim = dim;
    this.last = { key, rows: rows.length, texts: hashes.length, cached: hashes.length - missing.length, computed: missing.length, stored: true, ...(rates ? { rates } : {}) };
    return { key, encoder: enc.modelId, dim, features: dense(gather(rows, hashes, unique, dim), dim), ids: rows.map((r) => r.id) };
  }

  /**
   * The sentence vectors (L2-normalised whatever the recipe, so both blocks
   * have unit length) beside TF-IDF columns fitted on `fitOn`; the linear
   * head's search weighs the two blocks.
   */
  async #hybridRun(rows: DataRow[], s: EncoderSettings, fitOn: DataRow[]): Promise<Embedded> {
    const emb = await this.#transformersRun(rows, s);
    const { device, threads, last } = this;
    this.#check();
    const tf = await this.#tfidfRun(rows, fitOn);
    [this.device, this.threads] = [device, threads]; // the encoder's, not TF-IDF's
    const vectors = (emb.features as DenseMatrix).values.slice();
    l2NormalizeRows(vectors, emb.dim);
    const features = hybrid(dense(vectors, emb.dim), tf.features as CsrMatrix);
    this.dim = features.cols;
    this.last = { ...last!, key: hybridKey(emb.key, tf.key), fittedOn: fitOn.length, tfidfCols: tf.dim };
    return { key: hybridKey(emb.key, tf.key), encoder: `${emb.encoder} + TF-IDF`, dim: features.cols, features, ids: emb.ids };
  }

  #loadKey(s: EncoderSettings, device: Device, dtype: Dtype): string {
    const picked = s.source.kind === 'files' ? this.picked?.pick ?? 0 : 0; // a new pick reloads, even of a same-named folder
    return JSON.stringify([resolveRecipe(s).modelId, s.source, picked, device, dtype]);
  }

  /** Loads the encoder in the worker unless the same one is already warm. */
  async #load(s: EncoderSettings, modelId: string, device: Device, dtype: Dtype): Promise<EmbedReady> {
    const source = this.#source(s);
    const loadKey = this.#loadKey(s, device, dtype);
    if (this.#loaded?.key === loadKey) return this.#loaded.ready;
    this.status = 'loading';
    const started = Date.now();
    const req = embedRequest<EmbedReady>(
      { type: 'load', modelId, source, device, dtype, ortBase: ortBase() },
      (r) => {
        if (r.type === 'progress') this.progress = { stage: 'download', done: r.done, total: r.total, etaMs: etaMs(started, r.done, r.total) };
      },
    );
    const ready = await req.done;
    this.#loaded = { key: loadKey, ready };
    this.device = ready.device;
    this.threads = ready.threads;
    this.dtype = ready.dtype;
    this.note = ready.note;
    this.shaderF16 = ready.shaderF16;
    app.backend.embedDevice = ready.device;
    app.backend.embedThreads = ready.threads;
    this.#check(); // a load cannot be interrupted; honour a cancel that came during it
    return ready;
  }

  #source(s: EncoderSettings): ModelSource {
    if (s.source.kind !== 'files') return s.source;
    if (!this.picked) throw new Error('Pick the model folder again: picked files are kept only for this browser session.');
    return { kind: 'files', files: this.picked.files };
  }

  /**
   * Embeds `todo` hashes chunk by chunk, storing each chunk and writing it
   * into `unique` (rows aligned with `hashes`). Texts go shortest-first by
   * characters, so each chunk holds texts of similar length and the worker's
   * token-sorted batches pad little. Returns the run's rates.
   */
  async #embedMissing(
    key: string, dim: number, s: EncoderSettings, recipe: Recipe, todo: string[], textOf: Map<string, string>, unique: Float32Array, hashes: string[],
  ): Promise<EmbedRates> {
    this.status = 'embedding';
    const at = new Map(hashes.map((h, i) => [h, i]));
    const order = [...todo].sort((a, b) => textOf.get(a)!.length - textOf.get(b)!.length);
    const started = Date.now();
    const total = order.length;
    const backend = this.device;
    let tokens = 0;
    let padded = 0;
    this.progress = { stage: 'embed', done: 0, total, etaMs: null, ...ratesOf(0, 0, 0, 0, backend) };
    for (let start = 0; start < total; start += CHUNK) {
      this.#check();
      const chunk = order.slice(start, start + CHUNK);
      const req = embedRequest<EmbedResult>(
        {
          type: 'embed', texts: chunk.map((h) => textOf.get(h)!), batchSize: Math.max(1, s.batchSize || 16), tokenBudget: s.tokenBudget,
          pooling: recipe.pooling, prefix: recipe.prefix, normalize: recipe.normalize, maxTokens: recipe.maxTokens,
        },
        (r) => {
          if (r.type !== 'progress' || r.stage !== 'embed') return;
          const done = start + r.done;
          this.progress = { stage: 'embed', done, total, etaMs: etaMs(started, done, total), ...ratesOf(done, tokens + (r.tokens ?? 0), padded + (r.padded ?? 0), Date.now() - started, backend) };
        },
      );
      this.#stop = req.cancel;
      const { vectors, stats } = await req.done;
      tokens += stats.realTokens;
      padded += stats.paddedTokens;
      await store.putEmbeddings(key, chunk, vectors, dim);
      chunk.forEach((h, i) => unique.set(vectors.subarray(i * dim, (i + 1) * dim), at.get(h)! * dim));
    }
    return ratesOf(total, tokens, padded, Date.now() - started, backend);
  }

  async #tfidfRun(rows: DataRow[], fitOn: DataRow[]): Promise<Embedded> {
    const key = `tfidf-v${TFIDF_KEY_VERSION}|${hashParts(...fitOn.map((r) => r.hash).sort())}`;
    let model = this.#tfidf.get(key);
    if (!model) {
      this.status = 'loading';
      model = fitTfidf(fitOn.map((r) => r.text));
      this.#tfidf.set(key, model);
    }
    const dim = model.vocab.length;
    const parts: FeatureMatrix[] = [];
    this.status = 'embedding';
    const started = Date.now();
    const step = 500;
    for (let start = 0; start < rows.length; start += step) {
      this.#check();
      const part = rows.slice(start, start + step);
      parts.push(transformTfidfSparse(model, part.map((r) => r.text)));
      const done = start + part.length;
      this.progress = { stage: 'embed', done, total: rows.length, etaMs: etaMs(started, done, rows.length), ...ratesOf(done, 0, 0, Date.now() - started, TFIDF_DEVICE) };
      await new Promise((r) => setTimeout(r, 0)); // let the page repaint and a Cancel click land
    }
    this.device = TFIDF_DEVICE;
    this.threads = 1;
    this.dim = dim;
    this.last = { key, rows: rows.length, texts: new Set(rows.map((r) => r.hash)).size, cached: 0, computed: rows.length, stored: false, fittedOn: fitOn.length };
    const features = parts.length > 0 ? concatRows(parts) : transformTfidfSparse(model, []);
    return { key, encoder: 'tfidf', dim, features, ids: rows.map((r) => r.id) };
  }
}

/** Rows' vectors in row order from the distinct-text matrix (rows aligned with `hashes`). */
function gather(rows: DataRow[], hashes: string[], unique: Float32Array, dim: number): Float32Array {
  const at = new Map(hashes.map((h, i) => [h, i]));
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    const j = at.get(r.hash)!;
    out.set(unique.subarray(j * dim, (j + 1) * dim), i * dim);
  });
  return out;
}

export const embedder = new EmbedderState();
