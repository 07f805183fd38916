// Sentence embeddings for the open project's rows: cached vectors come from
// IndexedDB (keyed by embedding key + text hash), the rest are computed in the
// embed worker and stored as they arrive, so a cancel or reload loses little.
// TF-IDF (the no-download baseline) is fitted on the training pool and
// computed here as sparse rows; they are cheap to recompute, so they are not stored.
import * as store from '../store';
import type { DataRow } from '../data/types';
import { hashParts } from '../data/hash';
import { defaultDtype, embeddingKey, type Device, type Dtype } from '../embed/embed';
import { missingFiles, filesFromPicker, type ModelSource } from '../embed/runtime';
import { fitTfidf, transformTfidfSparse, type TfidfModel } from '../embed/tfidf';
import { concatRows, dense, type FeatureMatrix } from '../train/matrix';
import type { EncoderSettings } from './project-settings';
import { hasWebGPU } from './backend.svelte';
import { app, errorText } from './app.svelte';
import { embedRequest, ortBase, type EmbedReady, type EmbedResult } from './embed-client';
import { WorkerCancelled } from './worker-client';

/**
 * Features for a set of rows: row i of `features` belongs to `ids[i]`; dense
 * for sentence encoders, CSR for TF-IDF (dim = features.cols).
 */
export interface Embedded { key: string; encoder: string; dim: number; features: FeatureMatrix; ids: string[] }

export type EmbedStatus = 'idle' | 'loading' | 'embedding' | 'done' | 'error' | 'cancelled';

export interface EmbedProgress { stage: 'download' | 'embed'; done: number; total: number; etaMs: number | null }

/** What the last ensure() did, counted in distinct texts (identical texts share one vector). */
export interface EmbedSummary {
  key: string; rows: number; texts: number; cached: number; computed: number;
  /** False for TF-IDF: its features are recomputed when needed. */
  stored: boolean;
  /** TF-IDF: texts the vocabulary was fitted on. */
  fittedOn?: number;
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

/** Milliseconds left at the current rate, or null before there is a rate. */
export function etaMs(startedAt: number, done: number, total: number, now = Date.now()): number | null {
  if (done <= 0 || total <= done) return done >= total && total > 0 ? 0 : null;
  return ((now - startedAt) / done) * (total - done);
}

/** The device and dtype a setting resolves to here ('auto' → webgpu when an adapter exists; q8 on wasm, fp32 on webgpu). */
export async function resolveEncoder(s: EncoderSettings, webgpu?: boolean | null): Promise<{ device: Device; dtype: Dtype; key: string }> {
  const gpu = webgpu ?? (await hasWebGPU());
  const device: Device = s.device === 'wasm' || !gpu ? 'wasm' : 'webgpu';
  const dtype: Dtype = s.dtype === 'auto' ? defaultDtype(device) : s.dtype;
  return { device, dtype, key: embeddingKey(s.modelId, dtype, 'mean', true) };
}

export class EmbedderState {
  status = $state<EmbedStatus>('idle');
  progress = $state<EmbedProgress | null>(null);
  error = $state<string | null>(null);
  device = $state<string | null>(null);
  dim = $state<number | null>(null);
  threads = $state<number | null>(null);
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
    const run = this.#queue.then(() => this.#run(rows, $state.snapshot(settings) as EncoderSettings, fitOn));
    this.#queue = run.catch(() => undefined); // the caller gets the error; the queue goes on
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
    this.progress = this.error = this.last = null;
  }

  async #run(rows: DataRow[], s: EncoderSettings, fitOn?: DataRow[]): Promise<Embedded> {
    this.#cancelled = false;
    this.error = null;
    try {
      const out = s.kind === 'tfidf' ? await this.#tfidfRun(rows, fitOn ?? rows) : await this.#transformersRun(rows, s);
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
    const { device, dtype, key } = await resolveEncoder(s, app.backend.webgpu);
    // Distinct texts only: identical texts (same hash) share a vector.
    const textOf = new Map<string, string>();
    for (const r of rows) if (!textOf.has(r.hash)) textOf.set(r.hash, r.text);
    const hashes = [...textOf.keys()];
    let dim = (await store.kvGet<number>(dimKey(key))) ?? null;
    let found = dim ? await store.getEmbeddings(key, hashes, dim) : null;
    if (!found || found.missing.length > 0) {
      const ready = await this.#load(s, device, dtype);
      if (ready.dim !== dim) {
        dim = ready.dim;
        found = await store.getEmbeddings(key, hashes, dim);
        await store.kvSet(dimKey(key), dim);
      }
    }
    if (!found || !dim) throw new Error('No embedding width is known for this encoder.');
    const { matrix: unique, missing } = found;
    if (missing.length > 0) await this.#embedMissing(key, dim, s.batchSize, missing.map((i) => hashes[i]), textOf, unique, hashes);
    this.dim = dim;
    this.last = { key, rows: rows.length, texts: hashes.length, cached: hashes.length - missing.length, computed: missing.length, stored: true };
    return { key, encoder: s.modelId, dim, features: dense(gather(rows, hashes, unique, dim), dim), ids: rows.map((r) => r.id) };
  }

  /** Loads the encoder in the worker unless the same one is already warm. */
  async #load(s: EncoderSettings, device: Device, dtype: Dtype): Promise<EmbedReady> {
    const source = this.#source(s);
    const picked = source.kind === 'files' ? this.picked?.pick ?? 0 : 0; // a new pick reloads, even of a same-named folder
    const loadKey = JSON.stringify([s.modelId, s.source, picked, device, dtype]);
    if (this.#loaded?.key === loadKey) return this.#loaded.ready;
    this.status = 'loading';
    const started = Date.now();
    const req = embedRequest<EmbedReady>(
      { type: 'load', modelId: s.modelId, source, device, dtype, ortBase: ortBase() },
      (r) => {
        if (r.type === 'progress') this.progress = { stage: 'download', done: r.done, total: r.total, etaMs: etaMs(started, r.done, r.total) };
      },
    );
    const ready = await req.done;
    this.#loaded = { key: loadKey, ready };
    this.device = ready.device;
    this.threads = ready.threads;
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

  /** Embeds `todo` hashes chunk by chunk, storing each chunk and writing it into `unique` (rows aligned with `hashes`). */
  async #embedMissing(
    key: string, dim: number, batchSize: number, todo: string[], textOf: Map<string, string>, unique: Float32Array, hashes: string[],
  ): Promise<void> {
    this.status = 'embedding';
    const at = new Map(hashes.map((h, i) => [h, i]));
    const started = Date.now();
    const total = todo.length;
    this.progress = { stage: 'embed', done: 0, total, etaMs: null };
    for (let start = 0; start < total; start += CHUNK) {
      this.#check();
      const chunk = todo.slice(start, start + CHUNK);
      const req = embedRequest<EmbedResult>(
        { type: 'embed', texts: chunk.map((h) => textOf.get(h)!), batchSize: Math.max(1, batchSize || 16) },
        (r) => {
          if (r.type !== 'progress' || r.stage !== 'embed') return;
          const done = start + r.done;
          this.progress = { stage: 'embed', done, total, etaMs: etaMs(started, done, total) };
        },
      );
      this.#stop = req.cancel;
      const { vectors } = await req.done;
      await store.putEmbeddings(key, chunk, vectors, dim);
      chunk.forEach((h, i) => unique.set(vectors.subarray(i * dim, (i + 1) * dim), at.get(h)! * dim));
    }
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
      this.progress = { stage: 'embed', done, total: rows.length, etaMs: etaMs(started, done, rows.length) };
      await new Promise((r) => setTimeout(r, 0)); // let the page repaint and a Cancel click land
    }
    this.device = 'this page (TF-IDF)';
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
