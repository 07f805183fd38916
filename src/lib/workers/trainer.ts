// The one train worker (tfjs head training), created lazily and shared.
import { WorkerClient, type WithoutId } from './worker-client';
import { transferablesOf, type TrainReply, type TrainRequest } from '../train/protocol';
import type { BackendName } from '../train/backend';

export type TrainClient = WorkerClient<TrainRequest, TrainReply>;
let client: TrainClient | null = null;
let ready: Promise<Extract<TrainReply, { type: 'backend' }>> | null = null;

function create(): TrainClient {
  return new WorkerClient<TrainRequest, TrainReply>(
    new Worker(new URL('../train/train.worker.ts', import.meta.url), { type: 'module', name: 'train' }),
  );
}

/** Starts the worker and its tfjs backend once (webgpu → webgl → wasm → cpu unless told otherwise). */
export function initTrainer(preference: BackendName[]): Promise<Extract<TrainReply, { type: 'backend' }>> {
  client ??= create();
  ready ??= client
    .request<Extract<TrainReply, { type: 'backend' }>>({ type: 'init', preference, wasmPath: new URL('tfjs/', document.baseURI).href }, [
      'backend',
    ])
    .done.catch((e) => {
      ready = null; // let a later call try again
      throw e;
    });
  return ready;
}

/** Sends a request to the (initialised) worker, moving big arrays instead of copying them. */
export function trainRequest<T extends TrainReply>(
  msg: WithoutId<Exclude<TrainRequest, { type: 'init' | 'cancel' }>>,
  onMessage?: (r: TrainReply) => void,
): { id: number; done: Promise<T>; cancel: () => void } {
  if (!client) throw new Error('The training worker has not started yet');
  const c = client;
  const { id, done } = c.request<T>(msg as never, ['result', 'probs', 'student'], {
    onMessage,
    transfer: transferablesOf(msg as TrainRequest),
  });
  return { id, done, cancel: () => c.post({ type: 'cancel', id }) };
}
