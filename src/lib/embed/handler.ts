// The embed worker's logic as a plain function, so it runs (and is tested) in
// Node without a Worker. embed.worker.ts only wires it to postMessage.
import { EmbedCancelledError, loadEncoder, type Encoder } from './embed';
import type { EmbedReply, EmbedRequest } from './protocol';
import { configureOrt, detectWebGPU } from './runtime';

export type Post = (reply: EmbedReply, transfer?: Transferable[]) => void;

/** Returns the request handler for one worker; `post` sends a reply to the main thread. */
export function createEmbedHandler(post: Post): (req: EmbedRequest) => Promise<void> {
  let encoder: Encoder | null = null;
  const running = new Map<number, AbortController>();

  async function load(req: Extract<EmbedRequest, { type: 'load' }>): Promise<void> {
    const webgpu = await detectWebGPU();
    // Without an adapter a webgpu load can only fail; wasm gives the same vectors, slower.
    const device = req.device === 'webgpu' && !webgpu ? 'wasm' : req.device;
    const threads = req.ortBase ? configureOrt(req.ortBase) : 0;
    encoder = null;
    encoder = await loadEncoder({
      modelId: req.modelId,
      source: req.source,
      device,
      dtype: req.dtype,
      onProgress: (p) => post({ type: 'progress', id: req.id, stage: 'download', ...p }),
    });
    post({ type: 'ready', id: req.id, device, dtype: req.dtype, dim: encoder.dim, threads, webgpu });
  }

  async function embed(req: Extract<EmbedRequest, { type: 'embed' }>): Promise<void> {
    if (!encoder) throw new Error('No embedding model is loaded yet; load one before embedding.');
    const ctrl = new AbortController();
    running.set(req.id, ctrl);
    try {
      const vectors = await encoder.embed(req.texts, {
        batchSize: req.batchSize,
        maxTokens: req.maxTokens,
        normalize: req.normalize,
        signal: ctrl.signal,
        onProgress: (done, total) => post({ type: 'progress', id: req.id, stage: 'embed', done, total }),
      });
      post({ type: 'result', id: req.id, vectors, dim: encoder.dim }, [vectors.buffer]);
    } finally {
      running.delete(req.id);
    }
  }

  return async (req) => {
    try {
      if (req.type === 'load') await load(req);
      else if (req.type === 'embed') await embed(req);
      else running.get(req.id)?.abort();
    } catch (err) {
      if (err instanceof EmbedCancelledError) post({ type: 'cancelled', id: req.id });
      else post({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) });
    }
  };
}
