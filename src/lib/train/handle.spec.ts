import { beforeEach, describe, expect, it } from 'vitest';
import { handleTrainRequest, resetBackend } from './handle';
import { transferablesOf, type TrainReply } from './protocol';
import { makeBlobs } from './synthetic';
import { dense } from './matrix';

const dim = 8;
const data = makeBlobs({ n: 80, dim, nClasses: 2, separation: 4, seed: 31 });
const live = () => new AbortController().signal;

beforeEach(() => resetBackend());

describe('handleTrainRequest (the worker without the Worker)', () => {
  it('initialises, trains with progress, then predicts', async () => {
    const init = await handleTrainRequest({ type: 'init', id: 1, preference: ['webgpu', 'cpu'] }, live(), () => undefined);
    expect(init).toMatchObject({ type: 'backend', id: 1, backend: 'cpu' });

    const progress: TrainReply[] = [];
    const res = await handleTrainRequest(
      { type: 'train', id: 2, X: data.X, dim, y: data.y, nClasses: 2, positive: 1, cfg: { epochs: 3, lr: 0.05 } },
      live(),
      (m) => progress.push(m),
    );
    expect(progress.map((p) => p.type === 'progress' && p.epoch)).toEqual([1, 2, 3]);
    if (res.type !== 'result' || res.kind !== 'train') throw new Error(`unexpected reply ${res.type}`);

    const probs = await handleTrainRequest(
      { type: 'predict', id: 3, weights: res.result.weights, X: data.X, dim },
      live(),
      () => undefined,
    );
    expect(probs.type === 'probs' && probs.probs.length).toBe(160);
  });

  it('runs a grid and reports per-config scores', async () => {
    const progress: TrainReply[] = [];
    const res = await handleTrainRequest(
      {
        type: 'grid',
        id: 4,
        X: data.X,
        dim,
        y: data.y,
        nClasses: 2,
        positive: 1,
        grid: { lr: [0.01, 0.05], epochs: [3] },
        base: {},
        selection: { kind: 'holdout', fraction: 0.25 },
        seed: 1,
      },
      live(),
      (m) => progress.push(m),
    );
    expect(res).toMatchObject({ type: 'result', id: 4, kind: 'grid' });
    expect(progress.filter((p) => p.type === 'progress' && p.score !== undefined)).toHaveLength(2);
    expect(progress.some((p) => p.type === 'progress' && p.phase === 'final')).toBe(true);
  });

  it('runs the linear search with progress, and predicts sparse rows with the same probabilities as dense ones', async () => {
    const progress: TrainReply[] = [];
    const X = dense(data.X.slice(), dim);
    const res = await handleTrainRequest(
      { type: 'linear', id: 7, X, y: data.y.slice(), nClasses: 2, positive: 1, seed: 1, Cs: [0.1, 1], folds: 3 },
      live(),
      (m) => progress.push(m),
    );
    if (res.type !== 'result' || res.kind !== 'linear') throw new Error(`unexpected reply ${res.type}`);
    expect(progress.filter((p) => p.type === 'progress')).toHaveLength(3 * 2 * 2 + 3 + 1); // the search, the 3 fold models the student deploys (their mean), done
    expect(res.result.scores).toHaveLength(4);
    const head = res.result.final.head;
    const a = await handleTrainRequest({ type: 'predict', id: 8, weights: head, X: data.X.slice(), dim }, live(), () => undefined);
    const csr = {
      kind: 'csr' as const,
      rows: 80,
      cols: dim,
      indptr: Int32Array.from({ length: 81 }, (_, i) => i * dim),
      indices: Int32Array.from({ length: 80 * dim }, (_, k) => k % dim),
      values: data.X.slice(),
    };
    const b = await handleTrainRequest({ type: 'predict', id: 9, weights: head, X: csr, dim }, live(), () => undefined);
    if (a.type !== 'probs' || b.type !== 'probs') throw new Error('no probabilities');
    a.probs.forEach((v, i) => expect(b.probs[i]).toBeCloseTo(v, 5));
  });

  it('answers cancelled and error instead of throwing', async () => {
    const ac = new AbortController();
    ac.abort();
    const req = { type: 'train' as const, id: 5, X: data.X, dim, y: data.y, nClasses: 2, positive: 1, cfg: {} };
    expect(await handleTrainRequest(req, ac.signal, () => undefined)).toEqual({ type: 'cancelled', id: 5 });
    const bad = await handleTrainRequest({ ...req, id: 6, dim: 7 }, live(), () => undefined);
    expect(bad).toEqual({ type: 'error', id: 6, message: expect.stringMatching(/not a multiple of dim 7/) });
  });
});

describe('transferablesOf', () => {
  it('lists each buffer once and never the sender-kept weights of a predict', () => {
    const X = new Float32Array(8);
    expect(transferablesOf({ type: 'probs', id: 1, probs: X })).toEqual([X.buffer]);
    const shared = new Float32Array(4);
    const weights = {
      format: 'surrogate-head/1' as const,
      config: {} as never,
      dim: 2,
      nClasses: 2,
      layers: [{ kernel: { shape: [2, 2], values: shared }, bias: { shape: [2], values: new Float32Array(2) } }],
    };
    expect(transferablesOf({ type: 'predict', id: 2, weights, X, dim: 2 })).toEqual([X.buffer]);
    expect(
      transferablesOf({
        type: 'grid',
        id: 3,
        X,
        dim: 2,
        y: new Int32Array(X.buffer, 0, 1),
        nClasses: 2,
        positive: 1,
        selection: { kind: 'kfold', k: 2 },
        seed: 1,
      }),
    ).toEqual([X.buffer]);
  });
});
