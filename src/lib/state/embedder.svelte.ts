// Sentence embeddings for the open project's rows: vectors live in IndexedDB
// (keyed by embedding key + text hash) and in the embed worker, which stores
// each batch it computes itself, so a cancel or reload loses little and the
// page holds ids and counts, never a corpus-sized matrix. Only the rows a
// caller asks for (a training set, a test set, one chunk of the corpus) are
// gathered into features, by the worker.
// The key carries the model's recipe (pooling, normalisation, prefix), so
// switching preset re-embeds only what the new key lacks. A project whose
// file brought vectors reads and stores them under its own key
// (store/embeddings.ts vectorKeyFor); its features keep the encoder's key.
// TF-IDF (the no-download baseline) is fitted on the training pool and
// computed here as sparse rows; they are cheap to recompute, so they are not
// stored. The hybrid puts the (unit-length) sentence vector beside them.
import type { DataRow } from '../data/types';
import { hashPartsOf } from '../data/hash';
import type { Device } from '../embed/device';
import { hybridKey, type Dtype } from '../embed/keys';
import { resolveRecipe } from '../embed/presets';
import { missingFiles, filesFromPicker, type ModelSource } from '../embed/model-files';
import { l2NormalizeRows } from '../embed/pool';
import { fitTfidfSliced, transformTfidfSparse, type TfidfModel } from '../embed/tfidf';
import { concatRows, dense, hybrid, type CsrMatrix, type DenseMatrix, type FeatureMatrix } from '../train/matrix';
import type { EncoderSettings } from '../project/settings';
import { hasWebGPU, type EmbedRuntime } from './backend.svelte';
import { app, errorText } from './app.svelte';
import { offline } from './offline.svelte';
import { embedRequest, ortBase, type EmbedReady } from '../workers/embed-client';
import { distinctRows, storageOrder } from '../embed/order';
import * as vectors from '../embed/vectors';
import type { EmbedProgress, EmbedRates, EmbedSummary, Encoder } from '../embed/vectors';
import { vectorKeyFor } from '../store/embeddings';
import { WorkerCancelled } from '../workers/worker-client';
import { etaMs } from '../ui/eta';

/**
 * Features for a set of rows: row i of `features` belongs to `ids[i]`; dense
 * for sentence encoders, CSR for TF-IDF, both side by side for the hybrid
 * (dim = features.cols).
 */
export interface Embedded {
  key: string;
  encoder: string;
  dim: number;
  features: FeatureMatrix;
  ids: string[];
}

export type EmbedStatus = 'idle' | 'loading' | 'embedding' | 'done' | 'error' | 'cancelled';

export class EmbeddingCancelledError extends Error {
  override name = 'EmbeddingCancelledError';
  constructor() {
    super('Embedding was cancelled.');
  }
}

/** Whether an embedding or training job ended by a cancel (either worker's), not a failure. */
export function isCancel(e: unknown): boolean {
  return e instanceof EmbeddingCancelledError || e instanceof WorkerCancelled;
}

/** Bump when TF-IDF features change, so students fitted on old columns are not fed new ones. */
const TFIDF_KEY_VERSION = 2; // 2: separate word / char_wb blocks, sparse rows, no feature cap
const TFIDF_DEVICE = 'this page (TF-IDF)';

export { etaMs, type EmbedProgress, type EmbedRates, type EmbedSummary };

/** encoderFor (embed/vectors.ts) with this page's WebGPU answer when `webgpu` is not given. */
export async function resolveEncoder(s: EncoderSettings, webgpu?: boolean | null, dtypeUsed?: Dtype): Promise<Encoder> {
  return vectors.encoderFor(s, webgpu ?? (await hasWebGPU()), dtypeUsed);
}

export class EmbedderState {
  status = $state<EmbedStatus>('idle');
  /** Where the last loaded sentence encoder runs (a TF-IDF run leaves it); app.backend reads it. */
  runtime = $state.raw<EmbedRuntime | null>(null);
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
          : this.#transformersRun(rows, s, true),
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
    return this.#enqueue(async () => void (await this.#prepareRun(rows, s, fitOn)));
  }

  /**
   * prepare(), then the order in which to read `rows`' features so each
   * stored chunk is read about once: row indices grouped by the chunk their
   * vector lives in (row order for TF-IDF, which stores nothing). For
   * labelling a whole corpus chunk by chunk.
   */
  storedOrder(rows: DataRow[], settings: EncoderSettings, fitOn: DataRow[]): Promise<Int32Array> {
    const s = $state.snapshot(settings) as EncoderSettings;
    return this.#enqueue(async () => {
      const key = await this.#prepareRun(rows, s, fitOn);
      if (key === null) return Int32Array.from({ length: rows.length }, (_, i) => i);
      const { slots } = await vectors.lookupSlots(this.#vectorDeps(), key, rows);
      return storageOrder(slots);
    });
  }

  /** What prepare() runs; returns the key the sentence vectors are stored under (null for TF-IDF). */
  async #prepareRun(rows: DataRow[], s: EncoderSettings, fitOn: DataRow[]): Promise<string | null> {
    if (s.kind === 'tfidf') {
      await this.#tfidfRun([], fitOn);
      return null;
    }
    const key = (await this.#transformersRun(rows, s, false)).storeKey;
    if (s.kind !== 'hybrid') return key;
    const { device, threads, last, dim } = this;
    this.#check();
    const tf = await this.#tfidfRun([], fitOn);
    [this.device, this.threads, this.dim] = [device, threads, dim! + tf.dim];
    this.last = { ...last!, fittedOn: fitOn.length, tfidfCols: tf.dim };
    return key;
  }

  /** Runs jobs one after another; the caller gets the error, the queue goes on. */
  #enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => this.#guard(job));
    // Settle to undefined: the queue must not keep the last result (features) alive.
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
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
    this.runtime = null;
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
      if (this.#cancelled || isCancel(e)) {
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

  /** The embed worker and this job's cancel, as the vector jobs (embed/vectors.ts) take them. */
  #vectorDeps(): vectors.VectorDeps {
    return { request: embedRequest, check: () => this.#check() };
  }

  /**
   * Makes sure every row's vector is stored (computing the missing ones in
   * the worker, which stores them) and, with `gather`, fetches the rows'
   * features from the worker. Without it the page never holds a vector.
   */
  async #transformersRun(rows: DataRow[], s: EncoderSettings, gather: true): Promise<Embedded>;
  async #transformersRun(rows: DataRow[], s: EncoderSettings, gather: false): Promise<{ key: string; storeKey: string }>;
  async #transformersRun(rows: DataRow[], s: EncoderSettings, gather: boolean): Promise<Embedded | { key: string; storeKey: string }> {
    const projectId = app.project?.id ?? null;
    const gpu = app.backend.webgpu;
    const asked = await resolveEncoder(s, gpu);
    // A warm encoder whose load fell back to another precision keys its vectors by the one it runs.
    const warm = this.#loaded?.key === this.#loadKey(s, asked.device, asked.dtype) ? this.#loaded.ready : null;
    let enc = warm && warm.dtype !== asked.dtype ? await resolveEncoder(s, gpu, warm.dtype) : asked;
    // Distinct texts only: identical texts (same hash) share a vector.
    const distinct = await distinctRows(rows);
    const unique = { length: distinct.length, at: (p: number) => rows[distinct[p]] };
    let storeKey = await vectorKeyFor(enc.key, projectId);
    let { dim, missing } = await vectors.missingVectors(this.#vectorDeps(), storeKey, unique);
    if (dim === null || missing.length > 0) {
      const ready = await this.#load(s, enc.modelId, asked.device, asked.dtype);
      if (ready.dtype !== enc.dtype) {
        enc = await resolveEncoder(s, gpu, ready.dtype);
        storeKey = await vectorKeyFor(enc.key, projectId);
        ({ dim, missing } = await vectors.missingVectors(this.#vectorDeps(), storeKey, unique));
      }
      // Vectors of another width under this key came from another model: all are recomputed (and replaced).
      if (ready.dim !== dim) [dim, missing] = [ready.dim, Int32Array.from({ length: distinct.length }, (_, i) => i)];
    }
    if (!dim) throw new Error('No embedding width is known for this encoder.');
    const key = enc.key;
    let rates: EmbedRates | undefined;
    if (missing.length > 0) {
      this.status = 'embedding';
      const input = { key: storeKey, recipe: enc.recipe, batchSize: s.batchSize, tokenBudget: s.tokenBudget, backend: this.device };
      rates = await vectors.embedMissing(
        { ...input, format: s.storage === 'f16' ? 'f16' : 'f32', rows: unique, missing },
        {
          ...this.#vectorDeps(),
          progress: (p) => (this.progress = p),
          running: (cancel) => (this.#stop = cancel),
          isCancel: (e) => this.#cancelled || e instanceof WorkerCancelled,
        },
      );
    }
    this.dim = dim;
    this.last = {
      key,
      rows: rows.length,
      texts: distinct.length,
      cached: distinct.length - missing.length,
      computed: missing.length,
      stored: true,
      ...(rates ? { rates } : {}),
    };
    if (!gather) return { key, storeKey };
    return {
      key,
      encoder: enc.modelId,
      dim,
      features: dense(await vectors.gatherVectors(this.#vectorDeps(), storeKey, dim, rows), dim),
      ids: rows.map((r) => r.id),
    };
  }

  /**
   * The sentence vectors (L2-normalised whatever the recipe, so both blocks
   * have unit length) beside TF-IDF columns fitted on `fitOn`; the linear
   * head's search weighs the two blocks.
   */
  async #hybridRun(rows: DataRow[], s: EncoderSettings, fitOn: DataRow[]): Promise<Embedded> {
    const emb = await this.#transformersRun(rows, s, true);
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
    const picked = s.source.kind === 'files' ? (this.picked?.pick ?? 0) : 0; // a new pick reloads, even of a same-named folder
    return JSON.stringify([resolveRecipe(s).modelId, s.source, picked, device, dtype]);
  }

  /** Loads the encoder in the worker unless the same one is already warm. */
  async #load(s: EncoderSettings, modelId: string, device: Device, dtype: Dtype): Promise<EmbedReady> {
    const source = this.#source(s);
    const loadKey = this.#loadKey(s, device, dtype);
    if (this.#loaded?.key === loadKey) return this.#loaded.ready;
    this.status = 'loading';
    const started = Date.now();
    const req = embedRequest<EmbedReady>({ type: 'load', modelId, source, device, dtype, ortBase: ortBase() }, (r) => {
      if (r.type === 'progress')
        this.progress = { stage: 'download', done: r.done, total: r.total, etaMs: etaMs(started, r.done, r.total) };
    });
    const ready = await req.done.catch(async (e: unknown) => {
      throw await offline.explainLoadFailure(e, s.source.kind === 'files' ? null : modelId);
    });
    this.#loaded = { key: loadKey, ready };
    this.device = ready.device;
    this.threads = ready.threads;
    this.dtype = ready.dtype;
    this.note = ready.note;
    this.shaderF16 = ready.shaderF16;
    this.runtime = { device: ready.device, threads: ready.threads };
    this.#check(); // a load cannot be interrupted; honour a cancel that came during it
    return ready;
  }

  #source(s: EncoderSettings): ModelSource {
    if (s.source.kind !== 'files') return s.source;
    if (!this.picked) throw new Error('Pick the model folder again: picked files are kept only for this browser session.');
    return { kind: 'files', files: this.picked.files };
  }

  async #tfidfRun(rows: DataRow[], fitOn: DataRow[]): Promise<Embedded> {
    const key = `tfidf-v${TFIDF_KEY_VERSION}|${hashPartsOf(fitOn.map((r) => r.hash).sort())}`;
    let model = this.#tfidf.get(key);
    if (!model) {
      this.status = 'loading';
      model = await fitTfidfSliced(fitOn.map((r) => r.text));
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
      parts.push(
        transformTfidfSparse(
          model,
          part.map((r) => r.text),
        ),
      );
      const done = start + part.length;
      this.progress = {
        stage: 'embed',
        done,
        total: rows.length,
        etaMs: etaMs(started, done, rows.length),
        ...vectors.ratesOf(done, 0, 0, Date.now() - started, TFIDF_DEVICE),
      };
      await new Promise((r) => setTimeout(r, 0)); // let the page repaint and a Cancel click land
    }
    this.device = TFIDF_DEVICE;
    this.threads = 1;
    this.dim = dim;
    this.last = {
      key,
      rows: rows.length,
      texts: new Set(rows.map((r) => r.hash)).size,
      cached: 0,
      computed: rows.length,
      stored: false,
      fittedOn: fitOn.length,
    };
    const features = parts.length > 0 ? concatRows(parts) : transformTfidfSparse(model, []);
    return { key, encoder: 'tfidf', dim, features, ids: rows.map((r) => r.id) };
  }
}

export const embedder = new EmbedderState();
app.backend.provideEmbedRuntime(() => embedder.runtime);
