// The embedder against a real (fake-indexeddb) store and the real embed
// handler running in-process on onnxruntime-node with the committed tiny model:
// what is cached is read back, never recomputed; TF-IDF is fitted on the pool only.
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetEncoder } from '../embed/embed';
import { TINY, TINY_BERT } from '../embed/testing';
import * as store from '../store';
import { resetDbForTests, countEmbeddings } from '../store';
import type { DataRow } from '../data/types';
import { hashText } from '../data/hash';
import type { EncoderSettings } from '../project/settings';
import { toDense } from '../train/matrix';
import '../../../tests/unit/page-globals';

const calls: string[] = [];
// The worker, in-process. Presets' real models are not here: BGE's id is served by the tiny BERT, DistilBERT's by the tiny DistilBERT.
vi.mock('../workers/embed-client', async () => {
  const t = await import('../embed/testing');
  const alias = { 'Xenova/bge-small-en-v1.5': t.TINY_BERT, 'Xenova/distilbert-base-uncased': t.TINY };
  return t.inProcessEmbedClient((msg) => calls.push(msg.type), alias);
});

const { EmbedderState, resolveEncoder, etaMs } = await import('./embedder.svelte');
const { app } = await import('./app.svelte');

const row = (id: string, text: string, human: string | null = null): DataRow => ({ id, text, human, hash: hashText(text) });
const texts = ['great product', 'awful product', 'great product', 'fine, I guess', 'terrible service'];
const rows = texts.map((t, i) => row(`r${i}`, t));
const settings: EncoderSettings = {
  kind: 'transformers',
  modelId: TINY,
  source: { kind: 'url', baseUrl: 'http://unused' },
  dtype: 'auto',
  device: 'wasm',
  batchSize: 2,
};

beforeEach(async () => {
  calls.length = 0;
  await resetDbForTests();
});
afterAll(() => resetEncoder());

describe('EmbedderState (transformers)', () => {
  it('embeds distinct texts once, stores them, and a fresh embedder (a reload) reads them back without loading the model', async () => {
    const first = new EmbedderState();
    const a = await first.ensure(rows, settings);
    expect(a.key).toBe('emb-v1|tiny-distilbert|q8|mean|l2');
    expect(a.features.kind).toBe('dense');
    const m = toDense(a.features).values;
    expect([a.dim, a.ids, m.length]).toEqual([32, rows.map((r) => r.id), 5 * 32]);
    expect(m.slice(0, 32)).toEqual(m.slice(64, 96)); // identical texts share a vector
    expect(first.last).toMatchObject({ texts: 4, cached: 0, computed: 4, stored: true });
    expect(calls).toEqual(['lookup', 'load', 'embed', 'gather']);
    expect(await countEmbeddings(a.key)).toBe(4);
    expect(first.runtime).toEqual({ device: first.device, threads: first.threads });

    calls.length = 0;
    const second = new EmbedderState();
    const b = await second.ensure(rows, settings);
    expect(calls).toEqual(['lookup', 'gather']); // no model load, no embedding
    expect(second.last).toMatchObject({ texts: 4, cached: 4, computed: 0 });
    expect(b.features).toEqual(a.features);
    expect(second.status).toBe('done');
  });

  it('computes only the texts that are new', async () => {
    const e = new EmbedderState();
    await e.ensure(rows.slice(0, 3), settings);
    const more = await e.ensure([...rows, row('r9', 'brand new text')], settings);
    expect(e.last).toMatchObject({ texts: 5, cached: 2, computed: 3 });
    expect(more.ids.at(-1)).toBe('r9');
  });

  it('keys vectors by dtype: auto is q8 on wasm and fp32 on webgpu', async () => {
    expect((await resolveEncoder(settings, false)).key).toContain('|q8|');
    expect(await resolveEncoder({ ...settings, device: 'auto' }, true)).toMatchObject({ device: 'webgpu', dtype: 'fp32' });
    expect(await resolveEncoder({ ...settings, device: 'webgpu' }, false)).toMatchObject({ device: 'wasm', dtype: 'q8' });
  });

  it('asks for the folder again when a picked-files source has no files in this session', async () => {
    const e = new EmbedderState();
    await expect(e.ensure(rows, { ...settings, source: { kind: 'files' } })).rejects.toThrow(/Pick the model folder again/);
    expect(e.status).toBe('error');
  });
});

describe("EmbedderState and a project file's vectors", () => {
  it('only the imported project reads them; another project with the same texts and encoder computes its own', async () => {
    const key = (await resolveEncoder(settings, false)).key;
    // Their project, exported with planted vectors (all 7s) for its texts, then gone from this browser.
    const theirs = await store.createProject('Theirs');
    await store.putRows(theirs.id, rows);
    const hashes = [...new Set(rows.map((r) => r.hash))];
    await store.putEmbeddings(key, hashes, new Float32Array(hashes.length * 32).fill(7), 32);
    const file = await store.exportProject(theirs.id, { includeEmbeddings: true });
    await resetDbForTests();
    const p = await store.importProject(file, 'theirs.zip');
    expect(await countEmbeddings(key)).toBe(0); // nothing entered the shared cache

    const ours = await store.createProject('Ours');
    await store.putRows(ours.id, rows);
    try {
      app.project = ours;
      const mine = await new EmbedderState().ensure(rows, settings);
      expect(mine.key).toBe(key);
      expect(toDense(mine.features).values.some((v) => v === 7)).toBe(false);
      expect(await countEmbeddings(key)).toBe(4);

      app.project = p;
      const e = new EmbedderState();
      const imported = await e.ensure(rows, settings);
      expect(e.last).toMatchObject({ texts: 4, cached: 4, computed: 0 });
      expect(imported.key).toBe(key); // its features keep the encoder's key (its students expect it)
      expect(toDense(imported.features).values.every((v) => v === 7)).toBe(true);

      await store.deleteProject(p.id);
      expect(await countEmbeddings(store.projectVectorKey(key, p.id))).toBe(0);
      expect(await countEmbeddings(key)).toBe(4);
    } finally {
      app.project = null;
    }
  });
});

describe('EmbedderState (presets and recipes)', () => {
  const bge: EncoderSettings = { ...settings, preset: 'bge-small', modelId: 'Xenova/bge-small-en-v1.5', dtype: 'fp32' };
  const distil: EncoderSettings = { ...settings, preset: 'distilbert', modelId: 'Xenova/distilbert-base-uncased', dtype: 'fp32' };

  it('switching preset re-embeds only what the new key lacks', async () => {
    const e = new EmbedderState();
    const a = await e.ensure(rows.slice(0, 3), bge);
    expect(a.key).toBe('emb-v1|Xenova/bge-small-en-v1.5|fp32|cls|l2');
    expect(e.last).toMatchObject({ texts: 2, computed: 2 });
    const b = await e.ensure(rows, distil);
    expect(b.key).toBe('emb-v1|Xenova/distilbert-base-uncased|fp32|mean|l2');
    expect(e.last).toMatchObject({ texts: 4, cached: 0, computed: 4 });
    await e.ensure(rows, bge);
    expect(e.last).toMatchObject({ texts: 4, cached: 2, computed: 2 });
    calls.length = 0;
    await e.ensure(rows, distil);
    expect(e.last).toMatchObject({ cached: 4, computed: 0 });
    expect(calls).toEqual(['lookup', 'gather']); // nothing to compute: not even a load
  });

  it('a custom recipe is part of the key and of the vectors', async () => {
    const e = new EmbedderState();
    const base: EncoderSettings = {
      ...settings,
      preset: 'custom',
      modelId: TINY_BERT,
      dtype: 'fp32',
      pooling: 'mean',
      normalize: true,
      prefix: '',
    };
    const mean = await e.ensure(rows, base);
    const cls = await e.ensure(rows, { ...base, pooling: 'cls' });
    const raw = await e.ensure(rows, { ...base, normalize: false, prefix: 'query: ' });
    expect([mean.key, cls.key, raw.key]).toEqual([
      'emb-v1|tiny-bert|fp32|mean|l2',
      'emb-v1|tiny-bert|fp32|cls|l2',
      'emb-v1|tiny-bert|fp32|mean|raw|pquery: ',
    ]);
    const first = (x: typeof mean) => Array.from(toDense(x.features).values.slice(0, 32));
    expect(first(cls)).not.toEqual(first(mean));
    expect(Math.hypot(...first(raw))).not.toBeCloseTo(1, 3);
  });

  it('reports texts/s, tokens/s, padding and the backend of a run', async () => {
    const e = new EmbedderState();
    await e.ensure(rows, bge);
    const r = e.last!.rates!;
    expect(r.backend).toBe('cpu');
    expect(r.textsPerSec).toBeGreaterThan(0);
    expect(r.tokensPerSec).toBeGreaterThan(r.textsPerSec!);
    expect(r.paddingWaste).toBeGreaterThanOrEqual(1);
    await e.ensure(rows, bge);
    expect(e.last!.rates).toBeUndefined(); // all cached: nothing was run
  });

  it('keys the vectors by the precision a fallback load runs, and says why', async () => {
    const e = new EmbedderState();
    // The tiny BERT has no fp16 file: the worker falls back to cpu's default (q8).
    const x = await e.ensure(rows, { ...bge, dtype: 'fp16' });
    expect(x.key).toBe('emb-v1|Xenova/bge-small-en-v1.5|q8|cls|l2');
    expect(e.dtype).toBe('q8');
    expect(e.note).toMatch(/fp16 on cpu failed .* so q8 on cpu is used instead/);
    calls.length = 0;
    await e.ensure(rows, { ...bge, dtype: 'fp16' });
    expect(calls).toEqual(['lookup', 'gather']);
    expect(e.last).toMatchObject({ cached: 4, computed: 0 });
  });
});

describe('EmbedderState (hybrid)', () => {
  it('puts the unit-length sentence vector beside TF-IDF columns fitted on the pool, storing only the vectors', async () => {
    const pool = [row('p1', 'great great product'), row('p2', 'awful product'), row('p3', 'great service'), row('p4', 'awful service')];
    const e = new EmbedderState();
    const hyb: EncoderSettings = { ...settings, kind: 'hybrid', preset: 'custom', modelId: TINY_BERT, pooling: 'cls', normalize: false };
    const X = await e.ensure([...pool, row('t1', 'zebra')], hyb, pool);
    expect(X.key).toMatch(/^hyb-v1\|emb-v1\|tiny-bert\|q8\|cls\|raw\|tfidf-v2\|/);
    expect(X.encoder).toBe('tiny-bert + TF-IDF');
    if (X.features.kind !== 'hybrid') throw new Error('expected hybrid features');
    expect([X.features.dense.cols, X.features.scale, X.dim]).toEqual([32, 1, 32 + X.features.sparse.cols]);
    const v = X.features.dense.values;
    for (let i = 0; i < 5; i++) expect(Math.hypot(...v.subarray(i * 32, (i + 1) * 32))).toBeCloseTo(1, 5);
    expect(e.last).toMatchObject({ texts: 5, computed: 5, fittedOn: 4, tfidfCols: X.features.sparse.cols, key: X.key });
    expect(e.device).toBe('cpu');
    await e.ensure(pool, hyb, pool);
    expect(e.last).toMatchObject({ cached: 4, computed: 0 });
  });
});

describe('EmbedderState.prepare ("Embed all texts")', () => {
  const pool = [row('p1', 'great great product'), row('p2', 'awful product'), row('p3', 'great service'), row('p4', 'awful service')];

  it('hybrid: stores every vector and fits TF-IDF on the pool, without building rows', async () => {
    const e = new EmbedderState();
    await e.prepare([...pool, row('t1', 'zebra')], { ...settings, kind: 'hybrid' }, pool);
    expect(e.last).toMatchObject({ texts: 5, computed: 5, stored: true, fittedOn: 4 });
    expect(e.dim).toBe(32 + e.last!.tfidfCols!);
    expect(e.device).toBe('cpu');
    const X = await e.ensure(pool, { ...settings, kind: 'hybrid' }, pool);
    expect(e.last).toMatchObject({ cached: 4, computed: 0 });
    expect(X.dim).toBe(e.dim);
  });

  it('TF-IDF: fits only; a sentence encoder: stores the vectors', async () => {
    const e = new EmbedderState();
    await e.prepare(pool, { ...settings, kind: 'tfidf' }, pool);
    expect(e.last).toMatchObject({ rows: 0, stored: false, fittedOn: 4 });
    await e.prepare(pool, settings, pool);
    expect(e.last).toMatchObject({ texts: 4, computed: 4, stored: true });
    expect(e.last!.tfidfCols).toBeUndefined();
  });
});

describe('EmbedderState at scale: the page holds ids and counts', () => {
  const many = Array.from({ length: 2300 }, (_, i) => row(`m${i}`, `text number ${i} ${'x'.repeat(i % 37)}`));

  it('prepare() stores every vector from the worker in chunks of 1,024 and never gathers a matrix', async () => {
    const e = new EmbedderState();
    await e.prepare(many, settings, many);
    expect(calls.filter((c) => c === 'embed')).toHaveLength(3);
    expect(calls).not.toContain('gather');
    expect(e.last).toMatchObject({ texts: 2300, computed: 2300, stored: true });
    expect(await countEmbeddings(e.last!.key)).toBe(2300);
    // Shortest texts first: the first chunk holds the 1,024 shortest.
    const order = await e.storedOrder(many, settings, many);
    expect(order.length).toBe(2300);
    expect(new Set(order).size).toBe(2300);
    const firstChunk = Array.from(order.subarray(0, 1024), (i) => many[i].text.length);
    const rest = Array.from(order.subarray(1024), (i) => many[i].text.length);
    expect(Math.max(...firstChunk)).toBeLessThanOrEqual(Math.min(...rest));
  });

  it('a full disk mid-run stops with plain words, keeps what was stored, and a rerun embeds only the rest', async () => {
    const e = new EmbedderState();
    const realPut = IDBObjectStore.prototype.put;
    let chunkPuts = 0;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      if (this.name === 'vectorChunks' && ++chunkPuts === 2) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realPut.apply(this, args);
    });
    const err = await e.prepare(many, settings, many).catch((x: unknown) => x);
    vi.restoreAllMocks();
    expect((err as Error).message).toMatch(
      /storage for this site is full.*The 1,024 texts embedded before this are stored and will not be embedded again\./,
    );
    expect(e.status).toBe('error');
    const key = (await resolveEncoder(settings, false)).key;
    expect(await countEmbeddings(key)).toBe(1024);
    await e.prepare(many, settings, many);
    expect(e.last).toMatchObject({ cached: 1024, computed: 2300 - 1024 });
    expect(await countEmbeddings(key)).toBe(2300);
  });
});

describe('EmbedderState (TF-IDF)', () => {
  it('fits on the given pool only and stores nothing', async () => {
    const pool = [row('p1', 'great great product'), row('p2', 'awful product'), row('p3', 'great service'), row('p4', 'awful service')];
    const test = row('t1', 'zebra zebra');
    const e = new EmbedderState();
    const X = await e.ensure([...pool, test], { ...settings, kind: 'tfidf' }, pool);
    expect(X.encoder).toBe('tfidf');
    expect(X.key).toMatch(/^tfidf-v2\|/);
    // Sparse rows; 'zebra' is not in the pool's vocabulary, so the test text has no features.
    expect(X.features.kind).toBe('csr');
    expect(
      toDense(X.features)
        .values.slice(4 * X.dim)
        .every((v) => v === 0),
    ).toBe(true);
    expect(e.last).toMatchObject({ stored: false, cached: 0 });
    expect(calls).toEqual([]);
    const other = await e.ensure(pool, { ...settings, kind: 'tfidf' }, pool.slice(0, 3));
    expect(other.key).not.toBe(X.key);
  });
});

describe('etaMs', () => {
  it('extrapolates the rate so far', () => {
    expect(etaMs(0, 0, 10, 1000)).toBeNull();
    expect(etaMs(0, 5, 10, 1000)).toBe(1000);
    expect(etaMs(0, 10, 10, 1000)).toBe(0);
  });
});
