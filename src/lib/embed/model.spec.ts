// The generated tiny model: deterministic generator, and it loads and embeds
// through the real transformers.js + onnxruntime-node path from every source.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env, pipeline } from '@huggingface/transformers';
import Papa from 'papaparse';
import { loadEncoder, resetEncoder, ModelLoadError, type Encoder, type LoadProgress } from './embed';
import { freshFileCache, listFiles, MODELS_DIR, removeTempDirs, serveModels, tempDir, TINY, TINY_BERT, type StaticServer } from './testing';

const LOCAL = { kind: 'local', path: MODELS_DIR } as const;
const POSITIVE = [
  'I loved this movie, it was great!',
  'Excellent service and friendly staff.',
  'What a wonderful, amazing day',
  'best phone ever, highly recommend',
];
const NEGATIVE = [
  'Terrible film. I hated it.',
  'Awful service, rude staff, never again',
  'worst phone ever, total waste of money',
  'boring and disappointing plot',
];

function row(m: Float32Array, i: number, dim: number): Float32Array {
  return m.subarray(i * dim, (i + 1) * dim);
}

// One shared encoder at a time: each new load disposes the previous one.
afterAll(async () => {
  await resetEncoder();
  removeTempDirs();
});

describe('make-tiny-model.mjs', () => {
  it('regenerates byte-identical files', () => {
    const out = tempDir('tiny-model-');
    execFileSync(process.execPath, ['scripts/make-tiny-model.mjs', out], { stdio: 'pipe' });
    for (const model of [TINY, TINY_BERT]) {
      const committed = listFiles(join(MODELS_DIR, model));
      const fresh = listFiles(join(out, model));
      expect([...fresh.keys()].sort()).toEqual([...committed.keys()].sort());
      for (const [rel, path] of committed) expect(readFileSync(fresh.get(rel)!).equals(readFileSync(path)), `${model}/${rel}`).toBe(true);
    }
  });

  it.each([
    [TINY, 'distilbert'],
    [TINY_BERT, 'bert'],
  ])('%s stays small and declares a %s config whose vocab matches the tokenizer', (model, type) => {
    let bytes = 0;
    for (const path of listFiles(join(MODELS_DIR, model)).values()) bytes += readFileSync(path).length;
    expect(bytes).toBeLessThan(200_000);
    const config = JSON.parse(readFileSync(join(MODELS_DIR, model, 'config.json'), 'utf8'));
    const tok = JSON.parse(readFileSync(join(MODELS_DIR, model, 'tokenizer.json'), 'utf8'));
    expect(config.model_type).toBe(type);
    expect(config.vocab_size).toBe(Object.keys(tok.model.vocab).length);
  });
});

describe('transformers.js pipeline on the tiny model (Node, local directory)', () => {
  it('gives mean-pooled, normalised vectors of the model width', async () => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = MODELS_DIR + '/';
    const extractor = await pipeline('feature-extraction', TINY, { device: 'cpu', dtype: 'fp32' });
    const out = await extractor(['a good movie', 'bad'], { pooling: 'mean', normalize: true });
    expect(out.dims).toEqual([2, 32]);
    const v = out.data as Float32Array;
    expect(Math.hypot(...row(v, 0, 32))).toBeCloseTo(1, 5);
    await extractor.dispose();
  });
});

describe('loadEncoder', () => {
  let enc: Encoder;
  beforeAll(async () => {
    enc = await loadEncoder({ modelId: TINY, source: LOCAL, device: 'cpu', dtype: 'q8' });
  });

  it('reports its shape and shares one promise for the same options', async () => {
    expect([enc.dim, enc.device, enc.dtype, enc.maxTokens]).toEqual([32, 'cpu', 'q8', 512]);
    const again = loadEncoder({ modelId: TINY, source: LOCAL, device: 'cpu', dtype: 'q8' });
    expect(again).toBe(loadEncoder({ modelId: TINY, source: LOCAL, device: 'cpu', dtype: 'q8' }));
    expect(await again).toBe(enc);
  });

  it('embeds into a finite [n × dim] matrix with unit rows, in batches, reporting progress', async () => {
    const texts = [...POSITIVE, ...NEGATIVE, ''];
    const seen: number[] = [];
    const m = await enc.embed(texts, { batchSize: 3, onProgress: (done) => seen.push(done) });
    expect(m.length).toBe(texts.length * enc.dim);
    expect(m.every(Number.isFinite)).toBe(true);
    for (let i = 0; i < texts.length; i++) expect(Math.hypot(...row(m, i, enc.dim))).toBeCloseTo(1, 5);
    expect(seen).toEqual([3, 6, 9]);
    const unnormalised = await enc.embed(['great'], { normalize: false });
    expect(Math.hypot(...unnormalised)).not.toBeCloseTo(1, 2);
  });

  it('ignores padding: a text batched with a longer one gets the same vector', async () => {
    const alone = await enc.embed(['good movie']);
    const batched = await enc.embed(['good movie', 'a much longer review that goes on and on about the plot and the acting'], {
      batchSize: 2,
    });
    const a = Array.from(alone);
    Array.from(row(batched, 0, enc.dim)).forEach((x, k) => expect(x).toBeCloseTo(a[k], 5));
  });

  it('truncates to maxTokens', async () => {
    const start = 'great ' + 'movie '.repeat(10);
    const [a, b] = [start + 'terrible awful bad', start + 'love excellent'];
    const cut = await enc.embed([a, b], { maxTokens: 8 });
    const full = await enc.embed([a, b]);
    expect(Array.from(row(cut, 0, enc.dim))).toEqual(Array.from(row(cut, 1, enc.dim)));
    expect(Array.from(row(full, 0, enc.dim))).not.toEqual(Array.from(row(full, 1, enc.dim)));
  });

  it('separates positive from negative cue texts', async () => {
    const m = await enc.embed([...POSITIVE, ...NEGATIVE]);
    const d = enc.dim;
    // Nearest class centroid, each text left out of its own centroid.
    const centroid = (idx: number[]) => {
      const c = new Float32Array(d);
      for (const i of idx) row(m, i, d).forEach((x, k) => (c[k] += x / idx.length));
      return c;
    };
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, k) => s + x * b[k], 0);
    const pos = [0, 1, 2, 3],
      neg = [4, 5, 6, 7];
    for (const i of [...pos, ...neg]) {
      const cp = centroid(pos.filter((j) => j !== i)),
        cn = centroid(neg.filter((j) => j !== i));
      expect(dot(row(m, i, d), cp) > dot(row(m, i, d), cn), `text ${i}`).toBe(pos.includes(i));
    }
  });

  it("puts the fixture dataset's classes on opposite sides of dimension 0", async () => {
    const csv = readFileSync(join(MODELS_DIR, '../data/tiny-sentiment.csv'), 'utf8');
    const rows = Papa.parse<{ text: string; label: string }>(csv, { header: true, skipEmptyLines: true }).data;
    const m = await enc.embed(rows.map((r) => r.text));
    const right = rows.filter((r, i) => m[i * enc.dim] > 0 === (r.label === 'positive')).length;
    expect(rows.length).toBeGreaterThan(20);
    expect(right / rows.length).toBeGreaterThanOrEqual(0.9);
  });

  it('stops between batches when the signal is aborted', async () => {
    const ctrl = new AbortController();
    const run = enc.embed(POSITIVE, { batchSize: 1, onProgress: (done) => done === 2 && ctrl.abort(), signal: ctrl.signal });
    await expect(run).rejects.toMatchObject({ name: 'EmbedCancelledError' });
  });
});

describe('model sources', () => {
  let server: StaticServer;
  beforeAll(async () => {
    server = await serveModels();
  });
  afterAll(() => server.close());

  it('loads from a plain static mirror (url source, default layout)', async () => {
    freshFileCache();
    const progress: LoadProgress[] = [];
    const source = { kind: 'url', baseUrl: `${server.url}/models` } as const;
    const enc = await loadEncoder({ modelId: TINY, source, device: 'cpu', dtype: 'fp32', onProgress: (p) => progress.push(p) });
    expect(server.requests).toContain(`/models/${TINY}/onnx/model.onnx`);
    expect(progress.map((p) => p.file)).toContain('onnx/model.onnx');
    const last = progress.at(-1)!;
    expect(last.done).toBe(last.total);
    expect(last.total).toBeGreaterThan(50_000);
    expect(server.requests).toContain(`/models/${TINY}/tokenizer.json`);
    expect((await enc.embed(['great'])).length).toBe(32);
  });

  it('loads from a hub-layout mirror', async () => {
    freshFileCache();
    const enc = await loadEncoder({
      modelId: TINY,
      source: { kind: 'url', baseUrl: `${server.url}/hub/`, layout: 'hub' },
      device: 'cpu',
      dtype: 'q8',
    });
    expect(server.requests).toContain(`/hub/${TINY}/resolve/main/onnx/model_quantized.onnx`);
    expect(enc.dim).toBe(32);
  });

  it('loads from picked files without any network request', async () => {
    freshFileCache();
    const before = server.requests.length;
    const files = new Map<string, Blob>();
    for (const [rel, path] of listFiles(join(MODELS_DIR, TINY))) files.set(rel, new Blob([readFileSync(path)]));
    const enc = await loadEncoder({ modelId: 'my-picked-model', source: { kind: 'files', files }, device: 'cpu', dtype: 'q8' });
    const local = await loadEncoder({ modelId: TINY, source: LOCAL, device: 'cpu', dtype: 'q8' }).then((e) => e.embed(['love it']));
    expect(server.requests.length).toBe(before);
    expect(enc.dim).toBe(32);
    expect(local.length).toBe(32);
  });

  it('explains a missing ONNX file and lets the next call retry', async () => {
    freshFileCache();
    const files = new Map<string, Blob>();
    for (const [rel, path] of listFiles(join(MODELS_DIR, TINY)))
      if (!rel.startsWith('onnx/')) files.set(rel, new Blob([readFileSync(path)]));
    const opts = { modelId: 'incomplete', source: { kind: 'files', files }, device: 'cpu', dtype: 'q8' } as const;
    const first = loadEncoder(opts);
    await expect(first).rejects.toBeInstanceOf(ModelLoadError);
    await expect(first).rejects.toThrow(/onnx\/model_quantized\.onnx/);
    expect(loadEncoder(opts)).not.toBe(first);
    await expect(loadEncoder(opts)).rejects.toBeInstanceOf(ModelLoadError);
  });
});
