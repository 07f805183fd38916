// The one embed worker (transformers.js encoder), created lazily and shared.
// Like trainer.ts: a thin façade over WorkerClient; EmbedderState drives it.
import { WorkerClient, type WithoutId } from './worker-client';
import type { EmbedReply, EmbedRequest } from '../embed/protocol';

export type EmbedClient = WorkerClient<EmbedRequest, EmbedReply>;
export type EmbedReady = Extract<EmbedReply, { type: 'ready' }>;
export type EmbedResult = Extract<EmbedReply, { type: 'result' }>;
export type EmbedStored = Extract<EmbedReply, { type: 'stored' }>;
export type EmbedSlots = Extract<EmbedReply, { type: 'slots' }>;
export type EmbedRows = Extract<EmbedReply, { type: 'rows' }>;
type Answer = EmbedReady | EmbedResult | EmbedStored | EmbedSlots | EmbedRows;

let client: EmbedClient | null = null;

function get(): EmbedClient {
  client ??= new WorkerClient<EmbedRequest, EmbedReply>(
    new Worker(new URL('../embed/embed.worker.ts', import.meta.url), { type: 'module', name: 'embed' }),
  );
  return client;
}

/** Absolute URL of the app's own ONNX Runtime wasm folder (computed here: a worker's location may sit in assets/). */
export function ortBase(): string {
  return new URL('ort/', document.baseURI).href;
}

/**
 * Sends a request to the worker; `done` settles on its answer ('ready',
 * 'result', 'stored', 'slots' or 'rows'), rejects with WorkerCancelled on
 * 'cancelled', Error on 'error'. `cancel` asks the worker to stop an embed
 * before its next batch.
 */
export function embedRequest<T extends Answer>(
  msg: WithoutId<Exclude<EmbedRequest, { type: 'cancel' }>>,
  onMessage?: (r: EmbedReply) => void,
): { id: number; done: Promise<T>; cancel: () => void } {
  const c = get();
  const { id, done } = c.request<T>(msg, ['ready', 'result', 'stored', 'slots', 'rows'], { onMessage });
  return { id, done, cancel: () => c.post({ type: 'cancel', id }) };
}

/** Stops the worker (and its encoder); the next request starts a fresh one. */
export function terminateEmbedder(): void {
  client?.terminate();
  client = null;
}
