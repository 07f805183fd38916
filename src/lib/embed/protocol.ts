// Messages between the main thread and embed.worker.ts, declared once.
// Ids are chosen by the main thread; replies carry the id of the request they
// answer, so a stale reply can be told apart from the current one.
import type { PaddingStats } from './batching';
import type { Device } from './device';
import type { Dtype } from './keys';
import type { EmbedOptions } from './embed';
import type { VectorFormat } from '../store/db';
import type { ModelSource } from './model-files';

/** The embed call's options that cross to the worker (type-only: the page never loads embed.ts). */
type EmbedMessageOptions = Pick<EmbedOptions, 'tokenBudget' | 'sortByLength' | 'maxTokens' | 'pooling' | 'prefix' | 'normalize'>;

export type EmbedRequest =
  /**
   * Load (or reuse) an encoder. `ortBase` is the absolute URL of the app's
   * `ort/` folder, e.g. `new URL('ort/', document.baseURI).href`; '' skips ORT
   * wasm setup (Node). A `files` source's Map of Blobs is structured-cloned.
   * When the asked precision or device fails, the worker tries the device's
   * default precision, then wasm, and says so in `ready.note`, unless
   * `fallback` is false.
   */
  | { type: 'load'; id: number; modelId: string; source: ModelSource; device: Device; dtype: Dtype; ortBase: string; fallback?: boolean }
  /**
   * Embed texts with the loaded encoder. Batches are cut by `tokenBudget`
   * (texts × longest, default 8192) and at most `batchSize` texts, longest
   * first unless `sortByLength` is false; pooling defaults to mean, prefix to
   * none, normalize to true, maxTokens to the model's limit.
   */
  | (EmbedMessageOptions & {
      type: 'embed';
      id: number;
      texts: string[];
      batchSize: number;
      /**
       * Store the vectors in IndexedDB here, under embedding key `key` by
       * `hashes` (one per text), and answer 'stored' instead of 'result': the
       * vectors never reach the page.
       */
      store?: { key: string; hashes: string[]; format?: VectorFormat };
    })
  /** Which of `hashes` have a vector under `key` (answered by 'slots'; reads the hash index only). */
  | { type: 'lookup'; id: number; key: string; hashes: string[] }
  /** The stored vectors of `hashes` (repeats allowed), row i for hashes[i] (answered by 'rows'). */
  | { type: 'gather'; id: number; key: string; dim: number; hashes: string[] }
  /** Stop the embed request `id` before its next batch (a load cannot be cancelled). */
  | { type: 'cancel'; id: number };

export type EmbedReply =
  /**
   * download: bytes of model files (`file` = which); embed: texts done, with
   * the real and padded tokens of the batches run so far.
   */
  | {
      type: 'progress';
      id: number;
      stage: 'download' | 'embed';
      done: number;
      total: number;
      file?: string;
      tokens?: number;
      padded?: number;
    }
  /**
   * The encoder is warm. `device` and `dtype` are the ones actually used
   * (see `note` when they differ from the asked ones); `threads` = ORT wasm
   * threads, 0 when not applicable; `webgpu` = whether an adapter was
   * available, `shaderF16` = whether it runs fp16; `maxTokens` = the model's limit.
   */
  | {
      type: 'ready';
      id: number;
      device: Device;
      dtype: Dtype;
      dim: number;
      threads: number;
      webgpu: boolean;
      shaderF16: boolean;
      maxTokens: number;
      note: string | null;
    }
  /** [n × dim] row-major, in the order of the request's texts; its buffer is transferred, not copied. */
  | { type: 'result'; id: number; vectors: Float32Array; dim: number; stats: PaddingStats }
  /** An embed with `store`: how many new vectors were written (texts already stored are skipped). */
  | { type: 'stored'; id: number; count: number; dim: number; stats: PaddingStats }
  /** Per hash of a 'lookup', its slot (-1 = not stored); `dim` = the key's width, null when nothing is stored. */
  | { type: 'slots'; id: number; dim: number | null; slots: Int32Array }
  /** A 'gather''s [n × dim] rows (zeros where missing) and the indices of the missing ones; buffers transferred. */
  | { type: 'rows'; id: number; vectors: Float32Array; missing: Int32Array }
  | { type: 'error'; id: number; message: string }
  | { type: 'cancelled'; id: number };
