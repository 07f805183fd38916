// The worker's logic without a Worker: load, embed with progress, transfer, cancel, errors.
import { afterAll, describe, expect, it } from 'vitest';
import { resetEncoder } from './embed';
import { createEmbedHandler } from './handler';
import type { EmbedReply } from './protocol';
import { MODELS_DIR, TINY, TINY_BERT } from './testing';
import { loadAttempts } from './handler';

function harness() {
  const replies: EmbedReply[] = [];
  const transfers: Transferable[][] = [];
  const handle = createEmbedHandler((reply, transfer = []) => {
    replies.push(reply);
    transfers.push(transfer);
  });
  return { replies, transfers, handle };
}

afterAll(() => resetEncoder());

describe('createEmbedHandler', () => {
  it('refuses to embed before a model is loaded', async () => {
    const { replies, handle } = harness();
    await handle({ type: 'embed', id: 1, texts: ['x'], batchSize: 8 });
    expect(replies).toEqual([{ type: 'error', id: 1, message: expect.stringMatching(/load one/) }]);
  });

  it('loads, reports ready, embeds with progress and transfers the vectors', async () => {
    const { replies, transfers, handle } = harness();
    const source = { kind: 'local', path: MODELS_DIR } as const;
    await handle({ type: 'load', id: 1, modelId: TINY, source, device: 'cpu', dtype: 'q8', ortBase: '' });
    expect(replies.at(-1)).toEqual({ type: 'ready', id: 1, device: 'cpu', dtype: 'q8', dim: 32, threads: 0, webgpu: false, shaderF16: false, maxTokens: 512, note: null });

    // Longest first: 'fine, really' (5 tokens) with 'great' (3) padded to 2 × 5, then 'awful' alone.
    await handle({ type: 'embed', id: 2, texts: ['great', 'awful', 'fine, really'], batchSize: 2 });
    const progress = replies.filter((r) => r.type === 'progress' && r.id === 2);
    expect(progress).toEqual([
      { type: 'progress', id: 2, stage: 'embed', done: 2, total: 3, tokens: 8, padded: 10 },
      { type: 'progress', id: 2, stage: 'embed', done: 3, total: 3, tokens: 11, padded: 13 },
    ]);
    const result = replies.at(-1);
    if (result?.type !== 'result') throw new Error(`expected a result, got ${JSON.stringify(result)}`);
    expect([result.vectors.length, result.dim]).toEqual([96, 32]);
    expect(result.stats).toEqual({ realTokens: 11, paddedTokens: 13, batches: 2 });
    expect(transfers.at(-1)).toEqual([result.vectors.buffer]);
  });

  it('cancels a running embed between batches', async () => {
    const { replies, handle } = harness();
    await handle({ type: 'load', id: 1, modelId: TINY, source: { kind: 'local', path: MODELS_DIR }, device: 'cpu', dtype: 'q8', ortBase: '' });
    const running = handle({ type: 'embed', id: 5, texts: Array.from({ length: 50 }, (_, i) => `text ${i}`), batchSize: 1 });
    await handle({ type: 'cancel', id: 5 });
    await running;
    expect(replies.at(-1)).toEqual({ type: 'cancelled', id: 5 });
    expect(replies.some((r) => r.type === 'result')).toBe(false);
  });

  it('falls back to a precision the model has, and says so', async () => {
    const { replies, handle } = harness();
    // tiny-bert has no fp16 file: the load falls back to cpu's default (q8).
    await handle({ type: 'load', id: 3, modelId: TINY_BERT, source: { kind: 'local', path: MODELS_DIR }, device: 'cpu', dtype: 'fp16', ortBase: '' });
    const ready = replies.at(-1);
    if (ready?.type !== 'ready') throw new Error(`expected ready, got ${JSON.stringify(ready)}`);
    expect([ready.device, ready.dtype]).toEqual(['cpu', 'q8']);
    expect(ready.note).toMatch(/^fp16 on cpu failed \(.*model_fp16\.onnx.*\), so q8 on cpu is used instead\.$/);
    await handle({ type: 'load', id: 4, modelId: TINY_BERT, source: { kind: 'local', path: MODELS_DIR }, device: 'cpu', dtype: 'fp16', ortBase: '', fallback: false });
    expect(replies.at(-1)).toMatchObject({ type: 'error', id: 4, message: expect.stringMatching(/model_fp16\.onnx/) });
  });

  it('tries the device default, then wasm', () => {
    expect(loadAttempts('webgpu', 'fp16')).toEqual([
      { device: 'webgpu', dtype: 'fp16' }, { device: 'webgpu', dtype: 'fp32' }, { device: 'wasm', dtype: 'q8' }, { device: 'wasm', dtype: 'fp32' },
    ]);
    expect(loadAttempts('wasm', 'q4')).toEqual([{ device: 'wasm', dtype: 'q4' }, { device: 'wasm', dtype: 'q8' }, { device: 'wasm', dtype: 'fp32' }]);
    expect(loadAttempts('wasm', 'fp32')).toEqual([{ device: 'wasm', dtype: 'fp32' }, { device: 'wasm', dtype: 'q8' }]);
    expect(loadAttempts('wasm', 'q8', false)).toEqual([{ device: 'wasm', dtype: 'q8' }]);
  });

  it('turns a failed load into an error reply a researcher can read', async () => {
    const { replies, handle } = harness();
    await handle({ type: 'load', id: 9, modelId: 'no-such-model', source: { kind: 'local', path: MODELS_DIR }, device: 'cpu', dtype: 'q8', ortBase: '' });
    expect(replies.at(-1)).toMatchObject({ type: 'error', id: 9, message: expect.stringMatching(/Could not load the embedding model "no-such-model"/) });
  });
});
