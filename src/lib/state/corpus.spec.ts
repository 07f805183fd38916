// Labelling a corpus with a sentence-encoder student: rows are read in the
// order their vectors are stored (not row order) and every probability must
// land back on its own row. The real embed handler (tiny model on
// onnxruntime-node) and train handler run in-process on a fake-indexeddb store.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { TINY } from '../embed/testing';
import { handleTrainRequest } from '../train/handle';
import type { TrainRequest } from '../train/protocol';
import { hashText } from '../data/hash';
import type { DataRow } from '../data/types';
import type { EncoderSettings } from '../project/settings';
import '../../../tests/unit/page-globals';

const calls: string[] = [];
vi.mock('../workers/embed-client', async () =>
  (await import('../embed/testing')).inProcessEmbedClient((msg) =>
    calls.push(msg.type === 'embed' && (msg as { store?: unknown }).store ? 'embed+store' : msg.type),
  ),
);
vi.mock('../workers/trainer', () => {
  let id = 0;
  return {
    initTrainer: async () => ({ type: 'backend', id: 0, backend: 'cpu', tried: [] }),
    trainRequest: (msg: Omit<TrainRequest, 'id'>) => {
      const done = handleTrainRequest(
        { ...msg, id: ++id } as Exclude<TrainRequest, { type: 'cancel' }>,
        new AbortController().signal,
        () => {},
      ).then((r) => (r.type === 'result' || r.type === 'probs' ? r : Promise.reject(new Error(r.type === 'error' ? r.message : r.type))));
      return { id, done, cancel: () => {} };
    },
  };
});
const { StudentState } = await import('./student.svelte');
const { embedder } = await import('./embedder.svelte');
const { app } = await import('./app.svelte');
const store = await import('../store');

beforeAll(async () => {
  await tf.setBackend('cpu');
  await store.resetDbForTests();
  app.reset();
  app.project = await store.createProject('Corpus');
});

describe('labelCorpus with stored sentence vectors', () => {
  it('reads rows in storage order and puts every probability back on its own row', async () => {
    const cue = ['great', 'awful'];
    // Lengths vary, so storage (shortest first) differs from row order; some texts repeat.
    const rows: DataRow[] = Array.from({ length: 2600 }, (_, i) => {
      const text = `${cue[i % 2]} ${'thing '.repeat((i * 7) % 13)}${i % 500}`;
      return { id: `r${i}`, text, human: i % 2 ? 'neg' : 'pos', hash: hashText(text) };
    });
    const enc: EncoderSettings = {
      kind: 'transformers',
      modelId: TINY,
      source: { kind: 'hub' },
      dtype: 'q8',
      device: 'wasm',
      batchSize: 32,
    };
    const train = rows.slice(0, 200);
    const X = await embedder.ensure(train, enc);
    const s = new StudentState();
    const t = await s.train({
      name: 'st',
      trainSource: 'human',
      X,
      trainIds: X.ids,
      labelOf: (id) => rows[Number(id.slice(1))].human,
      labelNames: ['pos', 'neg'],
      positive: 'pos',
      headKind: 'linear',
      seed: 1,
      encoder: enc,
      folds: 2,
    });
    calls.length = 0;
    const data = await s.labelCorpus(t, rows, rows, 700);
    expect(calls).toContain('embed+store'); // the worker stores what it computes ...
    expect(calls).not.toContain('embed'); // ... and never sends vectors back unasked
    expect(calls.filter((c) => c === 'gather')).toHaveLength(4); // one per chunk of 700
    const order = await embedder.storedOrder(rows, enc, rows);
    expect(order.some((r, k) => r !== k)).toBe(true); // storage order is not row order here
    // The same student on rows gathered in row order gives the same probabilities, row by row.
    const some = [0, 1, 2, 777, 1500, 2599].map((i) => rows[i]);
    const direct = await s.predict(t, await embedder.ensure(some, enc));
    some.forEach((r, k) => {
      const i = Number(r.id.slice(1));
      expect(data.probs[i * 2]).toBeCloseTo(direct[k * 2], 6);
      expect(data.probs[i * 2 + 1]).toBeCloseTo(direct[k * 2 + 1], 6);
    });
    const correct = rows.filter((r, i) => (data.probs[i * 2] > data.probs[i * 2 + 1] ? 'pos' : 'neg') === r.human).length;
    expect(correct / rows.length).toBeGreaterThan(0.9); // cue words decide
  });
});
