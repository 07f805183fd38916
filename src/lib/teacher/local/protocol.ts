// Messages between the main thread and local-teacher.worker.ts, declared once.
// Ids are chosen by the main thread; replies carry the id of the request they answer.
import type { ModelSource } from '../../embed/runtime';
import type { LocalDevice } from './model';
import type { LocalDtype } from './presets';
import type { ScoreMode } from './score';

export type LocalRequest =
  /**
   * Load (or reuse) a causal LM. `device` 'webgpu' falls back to wasm when the
   * browser has no adapter or the load fails there. `ortBase`: the absolute
   * URL of the app's `ort/` folder ('' in Node).
   */
  | {
      type: 'load';
      id: number;
      modelId: string;
      revision: string;
      source: ModelSource;
      device: LocalDevice;
      dtype: LocalDtype;
      ortBase: string;
    }
  /**
   * Set up the codebook prompt: run the prefix all texts share once and check
   * the KV cache against whole sequences on `probe`. `sentinels` are the user
   * messages of two unlike texts (where they part, the texts begin).
   */
  | { type: 'prepare'; id: number; system: string; labels: string[]; probe: string; sentinels: [string, string]; mode?: ScoreMode }
  /** Score user messages with the prepared prompt, in order. */
  | { type: 'score'; id: number; users: string[] };

export type LocalReply =
  | { type: 'progress'; id: number; done: number; total: number; file?: string }
  /** The model is loaded: what it actually runs on, and a warning in words when that is slow or a fallback. */
  | { type: 'ready'; id: number; device: LocalDevice; dtype: LocalDtype; webgpu: boolean; threads: number; note: string | null }
  /** The prompt is set up; `note` says why whole sequences are scored (a cache that did not check out). */
  | { type: 'prepared'; id: number; mode: ScoreMode; sharedTokens: number; note: string | null }
  | { type: 'scores'; id: number; probs: number[][]; logprobs: number[][]; tokens: number[]; ms: number }
  | { type: 'error'; id: number; message: string };
