// The worker's logic without a Worker: load, embed with progress, transfer, cancel, errors.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { countEmbeddings, resetDbForTests } from '../store';
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
    expect(replies.at(-1)).toEqual({
      type: 'ready',
      id: 1,
      device: 'cpu',
      dtype: 'q8',
      dim: 32,
      threads: 0,
      webgpu: false,
      shaderF16: false,
      maxTokens: 512,
      note: null,
    });

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
    await handle({
      type: 'load',
      id: 1,
      modelId: TINY,
      source: { kind: 'local', path: MODELS_DIR },
      device: 'cpu',
      dtype: 'q8',
      ortBase: '',
    });
    const running = handle({ type: 'embed', id: 5, texts: Array.from({ length: 50 }, (_, i) => `text ${i}`), batchSize: 1 });
    await handle({ type: 'cancel', id: 5 });
    await running;
    expect(replies.at(-1)).toEqual({ type: 'cancelled', id: 5 });
    expect(replies.some((r) => r.type === 'result')).toBe(false);
  });

  it('falls back to a precision the model has, and says so', async () => {
    const { replies, handle } = harness();
    // tiny-bert has no fp16 file: the load falls back to cpu's default (q8).
    await handle({
      type: 'load',
      id: 3,
      modelId: TINY_BERT,
      source: { kind: 'local', path: MODELS_DIR },
      device: 'cpu',
      dtype: 'fp16',
      ortBase: '',
    });
    const ready = replies.at(-1);
    if (ready?.type !== 'ready') throw new Error(`expected ready, got ${JSON.stringify(ready)}`);
    expect([ready.device, ready.dtype]).toEqual(['cpu', 'q8']);
    expect(ready.note).toMatch(/^fp16 on cpu failed \(.*model_fp16\.onnx.*\), so q8 on cpu is used instead\.$/);
    await handle({
      type: 'load',
      id: 4,
      modelId: TINY_BERT,
      source: { kind: 'local', path: MODELS_DIR },
      device: 'cpu',
      dtype: 'fp16',
      ortBase: '',
      fallback: false,
    });
    expect(replies.at(-1)).toMatchObject({ type: 'error', id: 4, message: expect.stringMatching(/model_fp16\.onnx/) });
  });

  it('tries the device default, then wasm', () => {
    expect(loadAttempts('webgpu', 'fp16')).toEqual([
      { device: 'webgpu', dtype: 'fp16' },
      { device: 'webgpu', dtype: 'fp32' },
      { device: 'wasm', dtype: 'q8' },
      { device: 'wasm', dtype: 'fp32' },
    ]);
    expect(loadAttempts('wasm', 'q4')).toEqual([
      { device: 'wasm', dtype: 'q4' },
      { device: 'wasm', dtype: 'q8' },
      { device: 'wasm', dtype: 'fp32' },
    ]);
    expect(loadAttempts('wasm', 'fp32')).toEqual([
      { device: 'wasm', dtype: 'fp32' },
      { device: 'wasm', dtype: 'q8' },
    ]);
    expect(loadAttempts('wasm', 'q8', false)).toEqual([{ device: 'wasm', dtype: 'q8' }]);
  });

  it('turns a failed load into an error reply a researcher can read', async () => {
    const { replies, handle } = harness();
    await handle({
      type: 'load',
      id: 9,
      modelId: 'no-such-model',
      source: { kind: 'local', path: MODELS_DIR },
      device: 'cpu',
      dtype: 'q8',
      ortBase: '',
    });
    expect(replies.at(-1)).toMatchObject({
      type: 'error',
      id: 9,
      message: expect.stringMatching(/Could not load the embedding model "no-such-model"/),
    });
  });
});

describe('createEmbedHandler and the store', () => {
  const source = { kind: 'local', path: MODELS_DIR } as const;
  const texts = ['great', 'awful', 'fine, really', 'great day'];
  const hashes = texts.map((t) => `h-${t}`);

  afterEach(async () => {
    vi.restoreAllMocks();
    await resetDbForTests();
  });

  it('stores the vectors itself and answers with a count only; lookup and gather read them back', async () => {
    const { replies, transfers, handle } = harness();
    await handle({ type: 'load', id: 1, modelId: TINY, source, device: 'cpu', dtype: 'q8', ortBase: '' });
    await handle({ type: 'embed', id: 2, texts, batchSize: 2 });
    const plain = replies.at(-1);
    if (plain?.type !== 'result') throw new Error('expected a result');

    await handle({ type: 'embed', id: 3, texts, batchSize: 2, store: { key: 'k', hashes } });
    expect(replies.at(-1)).toEqual({ type: 'stored', id: 3, count: 4, dim: 32, stats: plain.stats });
    expect(transfers.at(-1)).toEqual([]); // nothing big crosses to the page
    expect(await countEmbeddings('k')).toBe(4);

    await handle({ type: 'lookup', id: 4, key: 'k', hashes: [hashes[2], 'nope', hashes[0]] });
    const slots = replies.at(-1);
    if (slots?.type !== 'slots') throw new Error('expected slots');
    expect([slots.dim, slots.slots[0] >= 0, slots.slots[1], slots.slots[2] >= 0]).toEqual([32, true, -1, true]);

    await handle({ type: 'gather', id: 5, key: 'k', dim: 32, hashes: [hashes[3], 'nope', hashes[3]] });
    const rows = replies.at(-1);
    if (rows?.type !== 'rows') throw new Error('expected rows');
    expect(Array.from(rows.missing)).toEqual([1]);
    const want = Array.from(plain.vectors.subarray(3 * 32, 4 * 32));
    expect(Array.from(rows.vectors.subarray(0, 32))).toEqual(want);
    expect(Array.from(rows.vectors.subarray(64, 96))).toEqual(want);
    expect(transfers.at(-1)).toEqual([rows.vectors.buffer, rows.missing.buffer]);
  });

  it('a full disk fails that batch in plain words and keeps the batches stored before it', async () => {
    const { replies, handle } = harness();
    await handle({ type: 'load', id: 1, modelId: TINY, source, device: 'cpu', dtype: 'q8', ortBase: '' });
    await handle({ type: 'embed', id: 2, texts: texts.slice(0, 2), batchSize: 2, store: { key: 'k', hashes: hashes.slice(0, 2) } });
    const realPut = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      if (this.name === 'vectorChunks') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realPut.apply(this, args);
    });
    await handle({ type: 'embed', id: 3, texts: texts.slice(2), batchSize: 2, store: { key: 'k', hashes: hashes.slice(2) } });
    vi.restoreAllMocks();
    expect(replies.at(-1)).toMatchObject({
      type: 'error',
      id: 3,
      message: expect.stringMatching(/storage for this site is full.*could not save embeddings/),
    });
    expect(await countEmbeddings('k')).toBe(2);
    await handle({ type: 'lookup', id: 4, key: 'k', hashes });
    const r = replies.at(-1);
    expect(r?.type === 'slots' && Array.from(r.slots, (s) => s >= 0)).toEqual([true, true, false, false]);
  });
});
