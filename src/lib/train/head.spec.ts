import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainHead } from './fit';
import { predictProbaAsync } from './head';
import { argmaxRows, f1Scores } from './metrics';
import { makeBlobs } from './synthetic';
import { TrainingCancelledError, type HeadConfig, type SerializedHead } from './types';

const dim = 16;
const train = makeBlobs({ n: 200, dim, nClasses: 2, separation: 4, seed: 1 });
const test = makeBlobs({ n: 200, dim, nClasses: 2, separation: 4, seed: 2 });
const fast: Partial<HeadConfig> = { lr: 0.05, epochs: 15, batchSize: 32 };

const predict = async (w: SerializedHead, X: Float32Array) => argmaxRows(await predictProbaAsync(w, X, dim), w.nClasses);
const allWeights = (w: SerializedHead) => w.layers.flatMap((l) => [...l.kernel.values, ...l.bias.values]);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainHead', () => {
  it.each(['logreg', 'mlp'] as const)('%s learns a separable set (test F1 > 0.95)', async (kind) => {
    const r = await trainHead({ ...train, dim, nClasses: 2, positive: 1, cfg: { ...fast, kind, hidden: 16, dropout: 0.1 } });
    expect(r.history).toHaveLength(15);
    expect(r.bestEpoch).toBe(15);
    expect(r.history[14].loss).toBeLessThan(r.history[0].loss);
    expect(f1Scores(test.y, await predict(r.weights, test.X), 2, 1).f1).toBeGreaterThan(0.95);
  });

  it('gives probabilities in [0, 1] whose rows sum to 1 (3 classes)', async () => {
    const three = makeBlobs({ n: 90, dim, nClasses: 3, separation: 3, seed: 3 });
    const r = await trainHead({ ...three, dim, nClasses: 3, positive: null, cfg: { ...fast, epochs: 3, kind: 'mlp', hidden: 8 } });
    expect(r.weights.layers.map((l) => l.kernel.shape)).toEqual([
      [dim, 8],
      [8, 3],
    ]);
    const p = await predictProbaAsync(r.weights, three.X, dim);
    expect(p).toHaveLength(90 * 3);
    for (let i = 0; i < 90; i++) {
      const row = [p[3 * i], p[3 * i + 1], p[3 * i + 2]];
      for (const v of row) expect(v >= 0 && v <= 1).toBe(true);
      expect(row[0] + row[1] + row[2]).toBeCloseTo(1, 5);
    }
  });

  it('reproduces identical weights from the same seed, and different ones from another', async () => {
    const cfg = { ...fast, epochs: 4, kind: 'mlp' as const, hidden: 8, dropout: 0.3, seed: 7 };
    const args = { ...train, dim, nClasses: 2, positive: 1 };
    const a = await trainHead({ ...args, cfg });
    const b = await trainHead({ ...args, cfg });
    const c = await trainHead({ ...args, cfg: { ...cfg, seed: 8 } });
    expect(allWeights(a.weights)).toEqual(allWeights(b.weights));
    expect(a.history).toEqual(b.history);
    expect(allWeights(a.weights)).not.toEqual(allWeights(c.weights));
  });

  it('class weights raise minority recall on an imbalanced set', async () => {
    const imb = makeBlobs({ n: 200, dim, nClasses: 2, separation: 1.5, seed: 4, proportions: [0.9, 0.1] });
    const evalSet = makeBlobs({ n: 400, dim, nClasses: 2, separation: 1.5, seed: 5, proportions: [0.5, 0.5] });
    const recall1 = async (classWeights: boolean) => {
      const r = await trainHead({ ...imb, dim, nClasses: 2, positive: 1, cfg: { ...fast, epochs: 10, classWeights } });
      const pred = await predict(r.weights, evalSet.X);
      let tp = 0;
      let pos = 0;
      evalSet.y.forEach((t, i) => {
        if (t === 1) {
          pos++;
          if (pred[i] === 1) tp++;
        }
      });
      return tp / pos;
    };
    const plain = await recall1(false);
    const weighted = await recall1(true);
    expect(weighted).toBeGreaterThan(plain + 0.1);
  });

  it('stops early and restores the best epoch', async () => {
    // Few noisy examples, a wide MLP and a large step: validation loss turns up quickly.
    const noisy = makeBlobs({ n: 60, dim, nClasses: 2, separation: 0.5, seed: 6 });
    const val = makeBlobs({ n: 100, dim, nClasses: 2, separation: 0.5, seed: 7 });
    const r = await trainHead({
      ...noisy,
      dim,
      nClasses: 2,
      positive: 1,
      val,
      cfg: { kind: 'mlp', hidden: 64, dropout: 0, lr: 0.01, batchSize: 16, epochs: 60, patience: 3 },
    });
    const losses = r.history.map((h) => h.valLoss as number);
    expect(r.bestEpoch).toBeGreaterThan(1);
    expect(r.history.length).toBeLessThan(60);
    expect(r.history.length).toBe(r.bestEpoch + 3);
    expect(losses[r.bestEpoch - 1]).toBe(Math.min(...losses));
    expect(losses[losses.length - 1]).toBeGreaterThan(losses[r.bestEpoch - 1]);
    // The returned weights are the best epoch's: recompute its validation loss.
    const p = await predictProbaAsync(r.weights, val.X, dim);
    let ce = 0;
    val.y.forEach((t, i) => (ce -= Math.log(p[2 * i + t])));
    expect(ce / val.y.length).toBeCloseTo(losses[r.bestEpoch - 1], 4);
  });

  it('accepts soft targets (n × nClasses probabilities)', async () => {
    const soft = new Float32Array(train.y.length * 2);
    train.y.forEach((t, i) => {
      soft[2 * i + t] = 0.8;
      soft[2 * i + 1 - t] = 0.2;
    });
    const r = await trainHead({ X: train.X, dim, y: soft, nClasses: 2, positive: 1, cfg: fast });
    expect(f1Scores(test.y, await predict(r.weights, test.X), 2, 1).f1).toBeGreaterThan(0.95);
    await expect(trainHead({ X: train.X, dim, y: soft.subarray(1), nClasses: 2, positive: 1, cfg: fast })).rejects.toThrow(/Soft targets/);
  });

  it('rejects labels outside the classes and bad configurations in words', async () => {
    const y = Int32Array.from(train.y, (v) => v * 2);
    await expect(trainHead({ X: train.X, dim, y, nClasses: 2, positive: 1, cfg: fast })).rejects.toThrow(/outside 0…1/);
    await expect(trainHead({ ...train, dim, nClasses: 2, positive: 1, cfg: { lr: -1 } })).rejects.toThrow(/learning rate/);
  });

  it('can be cancelled between epochs', async () => {
    const ac = new AbortController();
    const run = trainHead({
      ...train,
      dim,
      nClasses: 2,
      positive: 1,
      cfg: fast,
      signal: ac.signal,
      onEpoch: (l) => l.epoch === 2 && ac.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(TrainingCancelledError);
  });

  it('leaks no tensors across train, predict and cancel', async () => {
    const before = tf.memory().numTensors;
    const val = makeBlobs({ n: 40, dim, nClasses: 2, separation: 4, seed: 8 });
    const r = await trainHead({
      ...train,
      dim,
      nClasses: 2,
      positive: 1,
      val,
      cfg: { ...fast, epochs: 3, kind: 'mlp', hidden: 8, l2: 1e-3, classWeights: true },
    });
    await predictProbaAsync(r.weights, test.X, dim);
    const ac = new AbortController();
    await trainHead({ ...train, dim, nClasses: 2, positive: 1, cfg: fast, signal: ac.signal, onEpoch: () => ac.abort() }).catch(
      () => undefined,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
