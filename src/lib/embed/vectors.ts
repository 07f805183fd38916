// The stored sentence vectors of a set of rows, over an embed client passed
// in (the embed worker in the app, the handler in-process in tests): which are
// stored (lookup), which are not (missing), the rows' features (gather), and
// the missing ones computed and stored chunk by chunk (embedMissing). The
// worker stores each chunk before it answers, so the page holds ids, slots
// and counts, never a corpus-sized matrix unless it gathers one.
import type { DataRow } from '../data/types';
import { paddingWaste } from './batching';
import { byLength, yieldToPage } from './order';
import { defaultDtype, type Device } from './device';
import { embeddingKey, type Dtype } from './keys';
import { resolveRecipe, type Recipe } from './presets';
import type { EncoderSettings } from '../project/settings';
import type { EmbedReply, EmbedRequest } from './protocol';
import { VECTOR_CHUNK } from '../store/db';
import { etaMs } from '../ui/eta';

type Reply<T extends EmbedReply['type']> = Extract<EmbedReply, { type: T }>;
type Without<T> = T extends unknown ? Omit<T, 'id'> : never;
/** The replies that settle a request. */
type Answer = Exclude<EmbedReply, { type: 'progress' | 'error' | 'cancelled' }>;

/** One request to the embed worker: `done` settles on its answer, `cancel` asks it to stop before its next batch. */
/** A request as the page sends it (the client adds the id; cancel is its own verb). */
export type EmbedMessage = Without<Exclude<EmbedRequest, { type: 'cancel' }>>;

export type EmbedCall = <T extends Answer>(
  msg: EmbedMessage,
  onMessage?: (r: EmbedReply) => void,
) => { done: Promise<T>; cancel: () => void };

/** What the vector jobs need from their owner: the client, and a check that throws once the job is cancelled. */
export interface VectorDeps {
  request: EmbedCall;
  check(): void;
}

/** Rates of an embedding run so far (null before the first batch, or for TF-IDF's tokens). */
export interface EmbedRates {
  textsPerSec: number | null;
  tokensPerSec: number | null;
  /** Padded ÷ real tokens of the batches run (1 = no padding). */
  paddingWaste: number | null;
  /** Where it runs: 'webgpu', 'wasm', or 'this page (TF-IDF)'. */
  backend: string | null;
}

export interface EmbedProgress extends Partial<EmbedRates> {
  stage: 'download' | 'embed';
  done: number;
  total: number;
  etaMs: number | null;
}

/** What the last embedder's ensure() did, counted in distinct texts (identical texts share one vector). */
export interface EmbedSummary {
  key: string;
  rows: number;
  texts: number;
  cached: number;
  computed: number;
  /** False for TF-IDF: its features are recomputed when needed. */
  stored: boolean;
  /** TF-IDF and hybrid: texts the vocabulary was fitted on. */
  fittedOn?: number;
  /** Hybrid: TF-IDF columns beside the sentence vector. */
  tfidfCols?: number;
  /** The texts embedded now (absent when every vector was cached). */
  rates?: EmbedRates;
}

/** Rows read by position: an array, or a view that maps positions to rows (the distinct texts). */
export type RowsAt = { length: number; at(i: number): DataRow } | DataRow[];

/** Texts per embed request: one stored chunk each, so a cancel or reload loses at most one. */
const CHUNK = VECTOR_CHUNK;
/** Hashes per lookup request: small enough that cloning them never blocks the page. */
const LOOKUP = 16_384;
/** Rows per gather request (each reply is rows × dim floats). */
const GATHER = 8_192;

/** What an encoder setting resolves to on a device, and the key its vectors are stored under. */
export interface Encoder {
  device: Device;
  dtype: Dtype;
  key: string;
  modelId: string;
  recipe: Recipe;
}

/**
 * The model, recipe, device and dtype a setting resolves to ('auto' → webgpu
 * when an adapter exists; q8 on wasm, fp32 on webgpu), and the cache key of
 * its vectors. `dtypeUsed` overrides the precision (a load that fell back).
 */
export function encoderFor(s: EncoderSettings, webgpu: boolean, dtypeUsed?: Dtype): Encoder {
  const device: Device = s.device === 'wasm' || !webgpu ? 'wasm' : 'webgpu';
  const dtype: Dtype = dtypeUsed ?? (s.dtype === 'auto' ? defaultDtype(device) : s.dtype);
  const { modelId, recipe } = resolveRecipe(s);
  const key = embeddingKey(modelId, dtype, recipe.pooling, recipe.normalize, recipe.maxTokens, recipe.prefix);
  return { device, dtype, modelId, recipe, key };
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

/** Slots of `rows`' vectors under `key` (-1 = not stored), asked in slices; reads the worker's hash index only. */
export async function lookupSlots(deps: VectorDeps, key: string, rows: RowsAt): Promise<{ dim: number | null; slots: Int32Array }> {
  const at = Array.isArray(rows) ? (i: number) => rows[i] : rows.at;
  const slots = new Int32Array(rows.length);
  let dim: number | null = null;
  for (let start = 0; start < rows.length; start += LOOKUP) {
    deps.check();
    const end = Math.min(rows.length, start + LOOKUP);
    const hashes: string[] = [];
    for (let i = start; i < end; i++) hashes.push(at(i).hash);
    const r = await deps.request<Reply<'slots'>>({ type: 'lookup', key, hashes }).done;
    slots.set(r.slots, start);
    dim ??= r.dim;
  }
  return { dim, slots };
}

/** Positions in `rows` with no stored vector under `key`, and the key's width (null when nothing is stored). */
export async function missingVectors(deps: VectorDeps, key: string, rows: RowsAt): Promise<{ dim: number | null; missing: Int32Array }> {
  const { dim, slots } = await lookupSlots(deps, key, rows);
  const missing = new Int32Array(slots.length);
  let n = 0;
  for (let i = 0; i < slots.length; i++) if (slots[i] < 0) missing[n++] = i;
  return { dim, missing: missing.slice(0, n) };
}

/** The stored features of `rows` in row order ([rows × dim]), gathered by the worker; throws when one is gone. */
export async function gatherVectors(deps: VectorDeps, key: string, dim: number, rows: DataRow[]): Promise<Float32Array> {
  // One request's answer is used as it came (a copy would double the page's memory for it).
  const out = rows.length > GATHER ? new Float32Array(rows.length * dim) : null;
  for (let start = 0; start < rows.length; start += GATHER) {
    deps.check();
    const part = rows.slice(start, start + GATHER);
    const r = await deps.request<Reply<'rows'>>({ type: 'gather', key, dim, hashes: part.map((x) => x.hash) }).done;
    if (r.missing.length > 0) {
      throw new Error(
        `${r.missing.length.toLocaleString('en-US')} vectors are no longer in this browser's storage (deleted in another tab?); embed the texts again.`,
      );
    }
    if (!out) return r.vectors;
    out.set(r.vectors, start * dim);
  }
  return out ?? new Float32Array(0);
}

export interface EmbedMissingInput {
  key: string;
  recipe: Recipe;
  batchSize: number;
  tokenBudget?: number;
  format: 'f16' | 'f32';
  /** Where it runs, for the rates. */
  backend: string | null;
  rows: RowsAt;
  /** Positions in `rows` to embed. */
  missing: Int32Array;
}

export interface EmbedMissingDeps extends VectorDeps {
  progress(p: EmbedProgress): void;
  /** The running request's cancel (the owner's Cancel calls it). */
  running(cancel: () => void): void;
  /** Whether a failure is a cancel: it is passed on as it is, not as a partial failure. */
  isCancel(e: unknown): boolean;
  now?: () => number;
}

/**
 * Embeds the `missing` rows chunk by chunk; the worker stores each chunk
 * before answering. Texts go shortest-first by characters, so each chunk
 * holds texts of similar length and the worker's token-sorted batches pad
 * little. A failure (a full disk) keeps every chunk stored before it and
 * says so. Returns the run's rates.
 */
export async function embedMissing(input: EmbedMissingInput, deps: EmbedMissingDeps): Promise<EmbedRates> {
  const { key, recipe, backend, missing } = input;
  const at = Array.isArray(input.rows) ? (i: number) => (input.rows as DataRow[])[i] : input.rows.at;
  const now = deps.now ?? Date.now;
  const order = await byLength(missing, (p) => at(p).text.length);
  const started = now();
  const total = order.length;
  let tokens = 0;
  let padded = 0;
  let stored = 0;
  deps.progress({ stage: 'embed', done: 0, total, etaMs: null, ...ratesOf(0, 0, 0, 0, backend) });
  for (let start = 0; start < total; start += CHUNK) {
    deps.check();
    const chunk = Array.from(order.subarray(start, start + CHUNK), (p) => at(p));
    const req = deps.request<Reply<'stored'>>(
      {
        type: 'embed',
        texts: chunk.map((r) => r.text),
        batchSize: Math.max(1, input.batchSize || 16),
        tokenBudget: input.tokenBudget,
        pooling: recipe.pooling,
        prefix: recipe.prefix,
        normalize: recipe.normalize,
        maxTokens: recipe.maxTokens,
        store: { key, hashes: chunk.map((r) => r.hash), format: input.format },
      },
      (r) => {
        if (r.type !== 'progress' || r.stage !== 'embed') return;
        const done = start + r.done;
        deps.progress({
          stage: 'embed',
          done,
          total,
          etaMs: etaMs(started, done, total, now()),
          ...ratesOf(done, tokens + (r.tokens ?? 0), padded + (r.padded ?? 0), now() - started, backend),
        });
      },
    );
    deps.running(req.cancel);
    let stats: Reply<'stored'>['stats'];
    try {
      ({ stats } = await req.done);
    } catch (e) {
      if (deps.isCancel(e) || stored === 0) throw e;
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(
        `${why} The ${stored.toLocaleString('en-US')} texts embedded before this are stored and will not be embedded again.`,
        {
          cause: e,
        },
      );
    }
    stored += chunk.length;
    tokens += stats.realTokens;
    padded += stats.paddedTokens;
    if (start % (CHUNK * 16) === 0) await yieldToPage();
  }
  return ratesOf(total, tokens, padded, now() - started, backend);
}
