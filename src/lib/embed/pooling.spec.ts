// Each pooling path of the real encoder (transformers.js + onnxruntime-node)
// against vectors recomputed here from the tiny BERT's own weights: token ids
// looked up in its vocabulary by hand, the graph's arithmetic redone in plain
// JS, then CLS or mean pooling, prefix and normalisation applied by this file,
// not by embed.ts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEncoder, resetEncoder, type Encoder } from './embed';
import { MODELS_DIR, TINY_BERT } from './testing';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as {
  onnx: { ModelProto: { decode(b: Uint8Array): { graph: { initializer: { name: string; dims: unknown[]; rawData: Uint8Array }[] } } } };
};

const dir = join(MODELS_DIR, TINY_BERT);
const vocab: Record<string, number> = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')).model.vocab;
const weights = new Map(
  onnx.ModelProto.decode(readFileSync(join(dir, 'onnx/model.onnx'))).graph.initializer.map((t) => {
    const bytes = Uint8Array.from(t.rawData); // aligned copy
    return [t.name, new Float32Array(bytes.buffer, 0, bytes.length / 4)] as const;
  }),
);
const E = weights.get('word_embeddings')!;
const T = weights.get('token_type_embeddings')!;
const A = weights.get('mix')!;
const D = 32;

/** [CLS] words [SEP] for texts of whole vocabulary words and punctuation, split by hand. */
function ids(text: string): number[] {
  const pieces = text
    .toLowerCase()
    .replace(/([:.,!?])/g, ' $1 ')
    .split(/\s+/)
    .filter(Boolean);
  return [
    vocab['[CLS]'],
    ...pieces.map((p) => {
      if (!(p in vocab)) throw new Error(`test text uses "${p}", which is not a whole token`);
      return vocab[p];
    }),
    vocab['[SEP]'],
  ];
}

/** The tiny BERT's outputs for one unpadded text: tanh(h + mean(h)·A), h = E[id] + T[0]. */
function hiddenStates(tokenIds: number[]): Float64Array[] {
  const h = tokenIds.map((id) => Float64Array.from({ length: D }, (_, k) => E[id * D + k] + T[k]));
  const c = new Float64Array(D);
  for (const v of h) v.forEach((x, k) => (c[k] += x / h.length));
  return h.map((v) =>
    v.map((x, k) => {
      let mixed = 0;
      for (let j = 0; j < D; j++) mixed += c[j] * A[j * D + k];
      return Math.tanh(x + mixed);
    }),
  );
}

function expected(text: string, pooling: 'cls' | 'mean', normalize: boolean, prefix = ''): number[] {
  const out = hiddenStates(ids(prefix + text));
  const v = pooling === 'cls' ? Array.from(out[0]) : Array.from({ length: D }, (_, k) => out.reduce((s, r) => s + r[k], 0) / out.length);
  const norm = Math.hypot(...v);
  return normalize ? v.map((x) => x / norm) : v;
}

function rows(m: Float32Array): number[][] {
  return Array.from({ length: m.length / D }, (_, i) => Array.from(m.subarray(i * D, (i + 1) * D)));
}

function expectClose(actual: number[][], want: number[][]): void {
  expect(actual.length).toBe(want.length);
  let worst = 0;
  actual.forEach((r, i) => r.forEach((x, k) => (worst = Math.max(worst, Math.abs(x - want[i][k])))));
  expect(worst).toBeLessThan(1e-5);
}

// Lengths 3 to 16 tokens, so batches pad.
const TEXTS = [
  'great',
  'the movie was boring and the ending was bad',
  'i love this phone',
  'awful service , rude staff , never again',
  'fine',
];

let enc: Encoder;
beforeAll(async () => {
  enc = await loadEncoder({ modelId: TINY_BERT, source: { kind: 'local', path: MODELS_DIR }, device: 'cpu', dtype: 'fp32' });
});
afterAll(() => resetEncoder());

describe('pooling paths on the tiny BERT', () => {
  it("CLS pooling returns the first token's output, normalised or not", async () => {
    expectClose(
      rows(await enc.embed(TEXTS, { pooling: 'cls', normalize: true })),
      TEXTS.map((t) => expected(t, 'cls', true)),
    );
    expectClose(
      rows(await enc.embed(TEXTS, { pooling: 'cls', normalize: false })),
      TEXTS.map((t) => expected(t, 'cls', false)),
    );
  });

  it('mean pooling averages the real tokens only, normalised or not', async () => {
    expectClose(
      rows(await enc.embed(TEXTS, { pooling: 'mean', normalize: true, batchSize: 5 })),
      TEXTS.map((t) => expected(t, 'mean', true)),
    );
    expectClose(
      rows(await enc.embed(TEXTS, { pooling: 'mean', normalize: false })),
      TEXTS.map((t) => expected(t, 'mean', false)),
    );
  });

  it('the two paths give different vectors (the fixture can tell them apart)', () => {
    const cls = expected(TEXTS[2], 'cls', true);
    const mean = expected(TEXTS[2], 'mean', true);
    expect(Math.max(...cls.map((x, k) => Math.abs(x - mean[k])))).toBeGreaterThan(0.05);
  });

  it('a prefix is embedded as part of every text', async () => {
    const withPrefix = rows(await enc.embed(TEXTS, { pooling: 'mean', normalize: true, prefix: 'query: ' }));
    expectClose(
      withPrefix,
      TEXTS.map((t) => expected(t, 'mean', true, 'query: ')),
    );
    expect(Math.abs(withPrefix[0][0] - expected(TEXTS[0], 'mean', true)[0])).toBeGreaterThan(1e-3);
  });

  it('length-sorted batches under a tight token budget give the same rows, in input order', async () => {
    const many = Array.from({ length: 23 }, (_, i) => TEXTS[(i * 7) % TEXTS.length] + ' !'.repeat(i % 4));
    const { vectors, stats } = await enc.run(many, { pooling: 'cls', tokenBudget: 40, batchSize: 8 });
    const oneByOne = await Promise.all(many.map((t) => enc.embed([t], { pooling: 'cls' })));
    expectClose(
      rows(vectors),
      oneByOne.map((v) => Array.from(v)),
    );
    expect(stats.batches).toBeGreaterThan(23 / 8);
    expect(stats.realTokens).toBe(many.reduce((s, t) => s + ids(t).length, 0));
  });
});
