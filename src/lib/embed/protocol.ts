// Messages between the main thread and embed.worker.ts, declared once.
// Ids are chosen by the main thread; replies carry the id of the request they
// answer, so a stale reply can be told apart from the current one.
import type { Device, Dtype } from './embed';
import type { ModelSource } from './runtime';

export type EmbedRequest =
  /**
   * Load (or reuse) an encoder. `ortBase` is the absolute URL of the app's
   * `ort/` folder, e.g. `new URL('ort/', document.baseURI).href`; '' skips ORT
   * wasm setup (Node). A `files` source's Map of Blobs is structured-cloned.
   */
  | { type: 'load'; id: number; modelId: string; source: ModelSource; device: Device; dtype: Dtype; ortBase: string }
  /** Embed texts with the loaded encoder; normalize defaults to true, maxTokens to the model's limit. */
  | { type: 'embed'; id: number; texts: string[]; batchSize: number; maxTokens?: number; normalize?: boolean }
  /** Stop the embed request `id` before its next batch (a load cannot be cancelled). */
  | { type: 'cancel'; id: number };

export type EmbedReply =
  /** download: bytes of model files (`file` = which); embed: texts done. */
  | { type: 'progress'; id: number; stage: 'download' | 'embed'; done: number; total: number; file?: string }
  /**
   * The encoder is warm. `device` is the one actually used (webgpu falls back to
   * wasm when the browser has no adapter); `threads` = ORT wasm threads, 0 when
   * not applicable; `webgpu` = whether an adapter was available.
   */
  | { type: 'ready'; id: number; device: Device; dtype: Dtype; dim: number; threads: number; webgpu: boolean }
  /** [n × dim] row-major; its buffer is transferred, not copied. */
  | { type: 'result'; id: number; vectors: Float32Array; dim: number }
  | { type: 'error'; id: number; message: string }
  | { type: 'cancelled'; id: number };
