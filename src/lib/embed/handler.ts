// The embed worker's logic as a plain function, so it runs (and is tested) in
// Node without a Worker. embed.worker.ts only wires it to postMessage.
import { EmbedCancelledError, loadEncoder, type Encoder } from './embed';
import { defaultDtype, fallbackDtype, probeWebGPU, type Device } from './device';
import type { Dtype } from './keys';
import type { EmbedReply, EmbedRequest } from './protocol';
import { configureOrt } from './runtime';
import { embeddingSlots, getEmbeddings, putEmbeddings } from '../store/embeddings';

export type Post = (reply: EmbedReply, transfer?: Transferable[]) => void;

type LoadRequest = Extract<EmbedRequest, { type: 'load' }>;

/** The (device, dtype) pairs a load tries in order: the asked one, the device's fallbacks, then wasm's. */
export function loadAttempts(device: Device, dtype: Dtype, fallback = true): { device: Device; dtype: Dtype }[] {
  const out = [{ device, dtype }];
  if (!fallback) return out;
  const chain = (d: Device, from: Dtype) => {
    for (let t = fallbackDtype(d, from); t !== null && !out.some((a) => a.device === d && a.dtype === t); t = fallbackDtype(d, t))
      out.push({ device: d, dtype: t });
  };
  chain(device, dtype);
  if (device === 'webgpu') {
    out.push({ device: 'wasm', dtype: defaultDtype('wasm') });
    chain('wasm', defaultDtype('wasm'));
  }
  return out;
}

const brief = (err: unknown) => {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
};

/** Returns the request handler for one worker; `post` sends a reply to the main thread. */
export function createEmbedHandler(post: Post): (req: EmbedRequest) => Promise<void> {
  let encoder: Encoder | null = null;
  const running = new Map<number, AbortController>();

  async function load(req: LoadRequest): Promise<void> {
    const gpu = await probeWebGPU();
    const notes: string[] = [];
    // Without an adapter a webgpu load can only fail; wasm gives the same vectors, slower.
    const device = req.device === 'webgpu' && !gpu.available ? 'wasm' : req.device;
    const dtype = req.dtype;
    if (device !== req.device) notes.push('This browser offers no WebGPU adapter, so the encoder runs on wasm.');
    const threads = req.ortBase ? configureOrt(req.ortBase) : 0;
    encoder = null;
    let first: unknown = null;
    for (const a of loadAttempts(device, dtype, req.fallback !== false)) {
      try {
        encoder = await loadEncoder({
          modelId: req.modelId,
          source: req.source,
          device: a.device,
          dtype: a.dtype,
          onProgress: (p) => post({ type: 'progress', id: req.id, stage: 'download', ...p }),
        });
        if (first !== null) notes.push(`${dtype} on ${device} failed (${brief(first)}), so ${a.dtype} on ${a.device} is used instead.`);
        break;
      } catch (err) {
        first ??= err;
      }
    }
    if (!encoder) throw first;
    post({
      type: 'ready',
      id: req.id,
      device: encoder.device,
      dtype: encoder.dtype,
      dim: encoder.dim,
      threads,
      webgpu: gpu.available,
      shaderF16: gpu.shaderF16,
      maxTokens: encoder.maxTokens,
      note: notes.length > 0 ? notes.join(' ') : null,
    });
  }

  async function embed(req: Extract<EmbedRequest, { type: 'embed' }>): Promise<void> {
    if (!encoder) throw new Error('No embedding model is loaded yet; load one before embedding.');
    const ctrl = new AbortController();
    running.set(req.id, ctrl);
    try {
      const { vectors, stats } = await encoder.run(req.texts, {
        batchSize: req.batchSize,
        tokenBudget: req.tokenBudget,
        sortByLength: req.sortByLength,
        maxTokens: req.maxTokens,
        pooling: req.pooling,
        prefix: req.prefix,
        normalize: req.normalize,
        signal: ctrl.signal,
        onProgress: (done, total, t) =>
          post({ type: 'progress', id: req.id, stage: 'embed', done, total, tokens: t.realTokens, padded: t.paddedTokens }),
      });
      if (!req.store) return post({ type: 'result', id: req.id, vectors, dim: encoder.dim, stats }, [vectors.buffer]);
      // Written here, so the page never holds the vectors; a failure (a full disk) loses only this batch.
      const { key, hashes, format } = req.store;
      if (hashes.length !== req.texts.length) throw new Error(`${req.texts.length} texts came with ${hashes.length} hashes.`);
      const count = await putEmbeddings(key, hashes, vectors, encoder.dim, format);
      post({ type: 'stored', id: req.id, count, dim: encoder.dim, stats });
    } finally {
      running.delete(req.id);
    }
  }

  return async (req) => {
    try {
      if (req.type === 'load') await load(req);
      else if (req.type === 'embed') await embed(req);
      else if (req.type === 'lookup') {
        const { dim, slots } = await embeddingSlots(req.key, req.hashes);
        post({ type: 'slots', id: req.id, dim, slots }, [slots.buffer]);
      } else if (req.type === 'gather') {
        const { matrix, missing } = await getEmbeddings(req.key, req.hashes, req.dim);
        const miss = Int32Array.from(missing);
        post({ type: 'rows', id: req.id, vectors: matrix, missing: miss }, [matrix.buffer, miss.buffer]);
      } else running.get(req.id)?.abort();
    } catch (err) {
      if (err instanceof EmbedCancelledError) post({ type: 'cancelled', id: req.id });
      else post({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) });
    }
  };
}
