// The app's own workers, driven through the app's own WorkerClient, so the
// bench measures exactly what the Embed and Train steps run.
import { WorkerClient } from '../../src/lib/workers/worker-client';
import type { EmbedReply, EmbedRequest } from '../../src/lib/embed/protocol';
import { transferablesOf, type TrainReply, type TrainRequest } from '../../src/lib/train/protocol';

export type EmbedWorker = WorkerClient<EmbedRequest, EmbedReply>;
export type TrainWorker = WorkerClient<TrainRequest, TrainReply>;
export type EmbedReady = Extract<EmbedReply, { type: 'ready' }>;
export type EmbedResult = Extract<EmbedReply, { type: 'result' }>;
export type TrainBackend = Extract<TrainReply, { type: 'backend' }>;

/** A fresh embed worker (a fresh ONNX Runtime session per benchmark case). */
export function embedWorker(): { client: EmbedWorker; worker: Worker } {
  const worker = new Worker(new URL('../../src/lib/embed/embed.worker.ts', import.meta.url), { type: 'module', name: 'bench-embed' });
  return { client: new WorkerClient<EmbedRequest, EmbedReply>(worker), worker };
}

/** A fresh train worker: tfjs keeps one global backend per worker, so each backend gets its own. */
export function trainWorker(): { client: TrainWorker; worker: Worker } {
  const worker = new Worker(new URL('../../src/lib/train/train.worker.ts', import.meta.url), { type: 'module', name: 'bench-train' });
  return { client: new WorkerClient<TrainRequest, TrainReply>(worker), worker };
}

/** The app's ORT wasm folder (served by build/runtime-assets.ts). */
export const ortBase = () => new URL('/ort/', location.href).href;
/** The app's tfjs-backend-wasm folder. */
export const tfjsWasmPath = () => new URL('/tfjs/', location.href).href;

/** Posts a train request, moving its big arrays, and waits for its terminal reply. */
export function trainCall<T extends TrainReply>(
  client: TrainWorker,
  msg: Exclude<TrainRequest, { type: 'cancel' | 'init' }> extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never,
  onMessage?: (r: TrainReply) => void,
): Promise<T> {
  const transfer = transferablesOf({ ...msg, id: 0 } as TrainRequest);
  return client.request<T>(msg as never, ['result', 'probs'], { onMessage, transfer }).done;
}
