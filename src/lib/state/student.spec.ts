// StudentState with the real train handler in-process (tfjs cpu) and a real
// (fake-indexeddb) store: training sets, grid search, saving, predicting,
// corpus labelling and deleting.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handleTrainRequest } from '../train/handle';
import type { TrainReply, TrainRequest } from '../train/protocol';
import { makeBlobs } from '../train/synthetic';
import * as store from '../store';
import type { DataRow } from '../data/types';
import type { Embedded } from './embedder.svelte';
import type { StudentSpec } from './student.svelte';
import { dense } from '../train/matrix';
import { resolveHeadConfig } from '../train/types';
import '../../../tests/unit/page-globals';

vi.mock('../workers/trainer', () => {
  let id = 0;
  return {
    initTrainer: async () => ({ type: 'backend', id: 0, backend: 'cpu', tried: [] }),
    trainRequest: (msg: Omit<TrainRequest, 'id'>, onMessage?: (r: TrainReply) => void) => {
      const ac = new AbortController();
      const done = handleTrainRequest({ ...msg, id: ++id } as Exclude<TrainRequest, { type: 'cancel' }>, ac.signal, (r) =>
        onMessage?.(r),
      ).then((r) =>
        r.type === 'result' || r.type === 'probs' || r.type === 'student'
          ? r
          : Promise.reject(new Error(r.type === 'error' ? r.message : r.type)),
      );
      return { id, done, cancel: () => ac.abort() };
    },
  };
});

const { StudentState, buildTrainingSet, distribution, pinDtype, fromStored, toStored, loadPredictions } = await import('./student.svelte');
const { app } = await import('./app.svelte');

const dim = 6;
const blobs = makeBlobs({ n: 40, dim, nClasses: 2, separation: 4, seed: 3 });
const ids = Array.from({ length: 40 }, (_, i) => `r${i}`);
const names = ['neg', 'pos'];
const X: Embedded = { key: 'emb-v1|m|q8|mean|l2', encoder: 'm', dim, features: dense(blobs.X, dim), ids };
const labelOf = (id: string) => names[blobs.y[ids.indexOf(id)]];
/** A student spec on the blobs above (linear head, human labels), with `over` on top. */
const blobSpec = (over: Partial<StudentSpec>): StudentSpec => ({
  name: 'x',
  trainSource: 'human',
  X,
  trainIds: ids,
  labelOf,
  labelNames: names,
  positive: 'pos',
  headKind: 'linear',
  seed: 1,
  ...over,
});

beforeAll(() => tf.setBackend('cpu'));
beforeEach(async () => {
  await store.resetDbForTests();
  app.reset();
  app.project = await store.createProject('P');
});

describe('buildTrainingSet', () => {
  it('gathers the rows of trainIds with a known label, hard or soft', () => {
    const pick = ['r3', 'r1', 'r7'];
    const lab = (id: string) => (id === 'r7' ? null : labelOf(id));
    const hard = buildTrainingSet({ X, trainIds: pick, labelOf: lab, labelNames: names });
    expect(hard.ids).toEqual(['r3', 'r1']);
    expect(hard.X).toEqual(dense(Float32Array.from([...blobs.X.slice(3 * dim, 4 * dim), ...blobs.X.slice(dim, 2 * dim)]), dim));
    expect(Array.from(hard.y)).toEqual([blobs.y[3], blobs.y[1]]);
    const soft = buildTrainingSet({ X, trainIds: pick, labelOf: lab, labelNames: names, soft: (id) => (id === 'r3' ? [1, 3] : null) });
    expect(Array.from(soft.y)).toEqual([0.25, 0.75, ...(blobs.y[1] ? [0, 1] : [1, 0])]);
  });

  it('says when a training row has no embedding', () => {
    expect(() => buildTrainingSet({ X, trainIds: ['zz'], labelOf: () => 'pos', labelNames: names })).toThrow(/no embedding/);
  });
});

describe('StudentState.importFiles', () => {
  it('a damaged or hostile file is refused naming it, every store as it was; a good one is stored once', async () => {
    const { exportTfjsModel } = await import('../train/serialize');
    const { zipSync, strToU8 } = await import('fflate');
    const { digest } = await import('../store/fixtures');
    const head = {
      format: 'surrogate-head/1' as const,
      config: resolveHeadConfig({ kind: 'logreg' }),
      dim: 2,
      nClasses: 2,
      layers: [{ kernel: { shape: [2, 2], values: new Float32Array([1, -1, 0, 2]) }, bias: { shape: [2], values: new Float32Array(2) } }],
    };
    const tfjs = await exportTfjsModel(head);
    const meta = { format: 'surrogate-student/1', name: 'Theirs', embeddingKey: 'tfidf-v2|x', encoder: 'tfidf', labels: names };
    const entries = { 'model.json': strToU8(tfjs['model.json']), 'weights.bin': new Uint8Array(tfjs['weights.bin']) };
    const zip = (surrogate: unknown, rest = entries) =>
      new File([zipSync({ ...rest, 'surrogate.json': strToU8(JSON.stringify(surrogate)) })], 'theirs.zip');
    const s = new StudentState();
    const before = await digest();
    await expect(s.importFiles([zip({ ...meta, labels: ['a', 'b', 'c'] })])).rejects.toThrow(
      /^Could not import theirs\.zip: The model has 2 outputs but surrogate\.json names 3 labels\.$/,
    );
    await expect(s.importFiles([zip(meta, { ...entries, 'weights.bin': entries['weights.bin'].slice(0, 6) })])).rejects.toThrow(
      /^Could not import theirs\.zip: model\.json and weights\.bin do not make a model this app reads/,
    );
    expect(await digest()).toBe(before);
    const got = await s.importFiles([zip(meta)]);
    expect(got.spec.name).toBe('Theirs (imported)');
    expect((await store.listModels(app.project!.id)).items.map((m) => m.id)).toEqual([got.modelId]);
  });
});

describe('StudentState', () => {
  it('grid-searches, saves the student with its encoder and label order, and predicts', async () => {
    const s = new StudentState();
    const t = await s.train(
      blobSpec({ name: 'Student on 40 human labels', headKind: 'logreg', grid: { lr: [0.01, 0.05], batchSize: [8], epochs: [10] } }),
    );
    expect(t.scores).toHaveLength(2);
    expect([0.01, 0.05]).toContain(t.best.lr);
    expect(t.scores.every((c) => c.f1 > 0.8)).toBe(true); // well-separated blobs
    expect([t.backend, t.embeddingKey, t.spec.trainSize]).toEqual(['cpu', X.key, 40]);
    expect(s.status).toBe('done');
    expect(s.models.map((m) => m.modelId)).toEqual([t.modelId]);
    const stored = await store.getModel(t.modelId);
    expect(stored).toMatchObject({ projectId: app.project!.id, labels: names, backend: 'cpu', encoder: 'm' });
    expect(fromStored(stored!)).toEqual(t);

    const probs = await s.predict(t, X, ['r0', 'r1']);
    expect(probs).toHaveLength(4);
    expect(probs[0] + probs[1]).toBeCloseTo(1, 5);
    await expect(s.predict(t, { ...X, key: 'other' })).rejects.toThrow(/other features/);
  });

  it('fits the linear head by cross-validation, with out-of-fold label shares, and stores it', async () => {
    const s = new StudentState();
    const t = await s.train(blobSpec({ name: 'linear', trainSource: 'llm' }));
    expect(t.best.kind).toBe('linear');
    expect(t.search).toMatchObject({ kind: 'linear-cv', folds: 5, note: null });
    expect(t.scores).toHaveLength(9 * 2); // C grid × class weighting
    expect(t.search!.Cs).toContain(t.best.C);
    expect(t.backend).toBe('plain JS (L-BFGS)');
    // Out-of-fold predictions on well-separated blobs match the labels' shares.
    expect(t.shares).toMatchObject({ referenceName: 'the teacher', n: 40 });
    expect(t.shares!.maxGap).toBeLessThan(0.1);
    expect(t.shares!.on).toMatch(/out-of-fold/);
    expect(fromStored((await store.getModel(t.modelId))!)).toEqual(t);
    const probs = await s.predict(t, X, ['r0']);
    expect(probs[blobs.y[0]]).toBeGreaterThan(0.5);
  });

  it('reloads its list exactly once per training', async () => {
    const s = new StudentState();
    const reload = vi.spyOn(s, 'reload');
    await s.train(blobSpec({ name: 'once' }));
    expect(reload).toHaveBeenCalledTimes(1);
    expect(s.models).toHaveLength(1);
  });

  it('refuses a training set with one class', async () => {
    const s = new StudentState();
    await expect(s.train(blobSpec({ labelOf: () => 'pos', positive: null, headKind: 'logreg' }))).rejects.toThrow(
      /at least 4 labels in 2 classes/,
    );
    expect(s.status).toBe('error');
  });

  it('labels the corpus with the student’s encoder, stores the predictions, and deletes them with the student', async () => {
    const rows: DataRow[] = ['good good film', 'bad bad film', 'good acting', 'bad acting', 'good plot', 'bad plot', 'good', 'bad'].map(
      (text, i) => ({
        id: `c${i}`,
        text,
        human: i % 2 ? 'neg' : 'pos',
        hash: `h${i}`,
      }),
    );
    const { embedder } = await import('./embedder.svelte');
    const enc = { kind: 'tfidf', modelId: 'x', source: { kind: 'hub' }, dtype: 'auto', device: 'auto', batchSize: 16 } as const;
    const feats = await embedder.ensure(rows, enc, rows);
    const s = new StudentState();
    const t = await s.train({
      name: 'tfidf student',
      trainSource: 'human',
      X: feats,
      trainIds: feats.ids,
      labelOf: (id) => rows.find((r) => r.id === id)!.human,
      labelNames: names,
      positive: 'pos',
      headKind: 'logreg',
      seed: 2,
      grid: { lr: [0.1], batchSize: [4], epochs: [20] },
      encoder: enc,
    });
    const data = await s.labelCorpus(t, rows, rows, 3);
    // The ids go into the record packed (one string and its offsets), in the rows' order.
    expect(data.ids).toEqual(store.packIdList(rows.map((r) => r.id)));
    expect(data.probs).toHaveLength(16);
    expect(s.distributions.get(t.modelId)!.reduce((a, d) => a + d.count, 0)).toBe(8);
    const loaded = await loadPredictions(t.modelId);
    expect(loaded?.probs).toEqual(data.probs);
    expect(loaded?.ids).toEqual(data.ids);
    await s.remove(t.modelId);
    expect(s.models).toEqual([]);
    expect(await loadPredictions(t.modelId)).toBeUndefined();
  });
});

describe('helpers', () => {
  it('pins an auto dtype to the one the features were made with', () => {
    const enc = { kind: 'transformers', modelId: 'm', source: { kind: 'hub' }, dtype: 'auto', device: 'auto', batchSize: 16 } as const;
    expect(pinDtype(enc, 'emb-v1|m|fp32|mean|l2').dtype).toBe('fp32');
    expect(pinDtype({ ...enc, dtype: 'q8' }, 'emb-v1|m|fp32|mean|l2').dtype).toBe('q8');
    expect(pinDtype(enc, 'tfidf-v1|abc').dtype).toBe('auto');
    expect(pinDtype(enc, 'hyb-v1|emb-v1|m|q8|cls|l2|tfidf-v2|abc').dtype).toBe('q8');
  });

  it('counts predicted labels by argmax', () => {
    expect(
      distribution({
        labels: ['a', 'b'],
        ids: store.packIdList(['1', '2', '3']),
        probs: Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.4, 0.6]),
      }),
    ).toEqual([
      { label: 'a', count: 1 },
      { label: 'b', count: 2 },
    ]);
  });

  it('stores plain data (no proxies) that round-trips', () => {
    const t = fromStored({
      id: 'm',
      projectId: 'p',
      createdAt: 1,
      name: 'n',
      encoder: 'e',
      labels: names,
      config: resolveHeadConfig({ kind: 'mlp' }),
      weights: { format: 'surrogate-head/1', config: resolveHeadConfig({ kind: 'mlp' }), dim: 1, nClasses: 2, layers: [] },
      backend: 'cpu',
    });
    expect(toStored(t, 'p')).toMatchObject({ id: 'm', name: 'n', encoder: 'e', labels: names, backend: 'cpu' });
  });
});

describe('StudentState.reset', () => {
  it('forgets what was loaded and any failure, leaving the stored students', async () => {
    const s = new StudentState();
    await s.train(blobSpec({ name: 'r' }));
    await expect(
      s.train({
        ...{ name: 'x', trainSource: 'human', X, labelNames: names, positive: null, seed: 1 },
        trainIds: [],
        labelOf,
        headKind: 'linear',
      }),
    ).rejects.toThrow();
    expect([s.models.length, s.status]).toEqual([1, 'error']);
    s.reset();
    expect([s.models, s.status, s.error, s.progress, s.labeling, s.distributions.size]).toEqual([[], 'idle', null, null, null, 0]);
    await s.reload();
    expect(s.models).toHaveLength(1);
  });
});
