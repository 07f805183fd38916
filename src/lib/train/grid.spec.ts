import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainHead } from './fit';
import { DEFAULT_GRID, expandGrid, gridSearch, type Grid } from './grid';
import { predictProbaAsync } from './head';
import { argmaxRows, f1Scores } from './metrics';
import { stratifiedHoldout, stratifiedKFold, takeLabels, takeRows } from './split';
import { makeBlobs } from './synthetic';

const dim = 16;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('splits', () => {
  const y = Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));

  it('holdout is stratified, disjoint, complete and seeded', () => {
    const a = stratifiedHoldout(y, 0.2, 1);
    expect(a.val).toHaveLength(20);
    expect([...a.val].filter((i) => y[i] === 1)).toHaveLength(4);
    expect(new Set([...a.train, ...a.val]).size).toBe(100);
    expect(stratifiedHoldout(y, 0.2, 1)).toEqual(a);
    expect(stratifiedHoldout(y, 0.2, 2).val).not.toEqual(a.val);
  });

  it('k folds partition the rows, each stratified', () => {
    const folds = stratifiedKFold(y, 5, 3);
    expect(folds.flatMap((f) => [...f.val]).sort((p, q) => p - q)).toEqual([...Array(100).keys()]);
    for (const f of folds) {
      expect(f.val).toHaveLength(20);
      expect([...f.val].filter((i) => y[i] === 1)).toHaveLength(4);
      expect(f.train.length + f.val.length).toBe(100);
    }
  });
});

describe('expandGrid', () => {
  it('runs the Cartesian product over a base config', () => {
    const cfgs = expandGrid(DEFAULT_GRID, { kind: 'mlp', seed: 9 });
    expect(cfgs).toHaveLength(DEFAULT_GRID.lr!.length * 2);
    expect(cfgs.every((c) => c.kind === 'mlp' && c.seed === 9 && c.epochs === 50 && c.patience === 5)).toBe(true);
    expect(cfgs.slice(0, 2).map((c) => [c.lr, c.batchSize])).toEqual([
      [1e-4, 16],
      [1e-4, 32],
    ]);
  });
});

describe('gridSearch', () => {
  const train = makeBlobs({ n: 160, dim, nClasses: 2, separation: 3, seed: 21 });
  const grid: Grid = { lr: [1e-5, 0.05], epochs: [12] };
  const base = { batchSize: 32, patience: 3 };

  it('chooses by validation carved from the training labels, never by the test set', async () => {
    // A "test" set whose labels are the reverse of the training labels: the
    // config that learned the training task is the worst on it. A search that
    // peeked at the test set would pick lr 1e-5 (barely moved from its
    // initialisation); selection on validation must pick lr 0.05.
    const shifted = makeBlobs({ n: 200, dim, nClasses: 2, separation: 3, seed: 22 });
    const testY = Int32Array.from(shifted.y, (v) => 1 - v);
    const r = await gridSearch({
      ...train,
      dim,
      nClasses: 2,
      positive: 1,
      grid,
      base,
      selection: { kind: 'holdout', fraction: 0.2 },
      seed: 5,
    });

    const testF1 = await Promise.all(
      r.scores.map(async (s) => {
        const { weights } = await trainHead({ ...train, dim, nClasses: 2, positive: 1, cfg: { ...s.cfg, epochs: s.bestEpoch } });
        return f1Scores(testY, argmaxRows(await predictProbaAsync(weights, shifted.X, dim), 2), 2, 1).f1;
      }),
    );
    const byVal = r.scores.map((s) => s.f1);
    expect(byVal.indexOf(Math.max(...byVal))).not.toBe(testF1.indexOf(Math.max(...testF1)));
    expect(r.best.lr).toBe(0.05);
    expect(r.best.lr).toBe(r.scores[byVal.indexOf(Math.max(...byVal))].cfg.lr);

    // The reported score is exactly a stratified 20 % holdout of the training rows, seed 5.
    const { train: tr, val } = stratifiedHoldout(train.y, 0.2, 5);
    const manual = await trainHead({
      X: takeRows(train.X, dim, tr),
      dim,
      y: takeLabels(train.y, tr),
      nClasses: 2,
      positive: 1,
      cfg: r.scores[1].cfg,
      val: { X: takeRows(train.X, dim, val), y: takeLabels(train.y, val) },
    });
    const valPred = argmaxRows(await predictProbaAsync(manual.weights, takeRows(train.X, dim, val), dim), 2);
    expect(f1Scores(takeLabels(train.y, val), valPred, 2, 1).f1).toBe(r.scores[1].f1);
    expect(manual.bestEpoch).toBe(r.scores[1].bestEpoch);

    // Final model: refit on all training rows for the chosen epoch count.
    expect(r.best.epochs).toBe(r.scores[1].bestEpoch);
    expect(r.final.history).toHaveLength(r.best.epochs);
  });

  it('k-fold selection scores every config on every fold and reports progress', async () => {
    const three = makeBlobs({ n: 150, dim, nClasses: 3, separation: 3, seed: 23 });
    const seen: number[] = [];
    let epochs = 0;
    const r = await gridSearch({
      ...three,
      dim,
      nClasses: 3,
      positive: null,
      grid,
      base,
      seed: 6,
      selection: { kind: 'kfold', k: 3 },
      onConfig: (i, total, _cfg, score) => {
        expect(total).toBe(2);
        expect(score).toBeGreaterThanOrEqual(0);
        seen.push(i);
      },
      onProgress: () => epochs++,
    });
    expect(seen).toEqual([1, 2]);
    expect(epochs).toBeGreaterThan(2 * 3);
    expect(r.scores).toHaveLength(2);
    for (const s of r.scores) expect(s.f1).toBe(s.macroF1); // no positive class: selection by macro F1
    expect(r.best.lr).toBe(0.05);
    expect(r.scores[1].macroF1).toBeGreaterThan(0.9);
    expect(r.final.weights.nClasses).toBe(3);
  });

  it('accepts soft training targets and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const soft = new Float32Array(train.y.length * 2);
    train.y.forEach((t, i) => {
      soft[2 * i + t] = 0.9;
      soft[2 * i + 1 - t] = 0.1;
    });
    const r = await gridSearch({
      X: train.X,
      dim,
      y: soft,
      nClasses: 2,
      positive: 1,
      grid: { lr: [0.05], epochs: [4] },
      base,
      selection: { kind: 'holdout', fraction: 0.2 },
      seed: 1,
    });
    expect(r.scores[0].f1).toBeGreaterThan(0.9);
    expect(tf.memory().numTensors).toBe(before);
  });
});
