import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainHead } from './fit';
import { predictProbaAsync } from './head';
import { exportTfjsModel, HeadImportError, headFromJSON, headToJSON, importTfjsModel } from './serialize';
import { makeBlobs } from './synthetic';

const dim = 16;
const data = makeBlobs({ n: 120, dim, nClasses: 3, separation: 3, seed: 11 });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tfjs model files', () => {
  it.each(['logreg', 'mlp'] as const)('%s: export → import gives identical predictions and config', async (kind) => {
    const before = tf.memory().numTensors;
    const { weights } = await trainHead({
      ...data,
      dim,
      nClasses: 3,
      positive: null,
      cfg: { kind, hidden: 8, dropout: 0.2, epochs: 3, lr: 0.05, seed: 3 },
    });
    const files = await exportTfjsModel(weights);
    const json = JSON.parse(files['model.json']);
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect(files['weights.bin'].byteLength).toBe(
      weights.layers.reduce((s, l) => s + 4 * (l.kernel.values.length + l.bias.values.length), 0),
    );

    const back = await importTfjsModel(files);
    expect(back.config).toEqual(weights.config);
    expect([back.dim, back.nClasses]).toEqual([dim, 3]);
    expect(await predictProbaAsync(back, data.X, dim)).toEqual(await predictProbaAsync(weights, data.X, dim));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the exported files load as an ordinary tfjs model with the same outputs', async () => {
    const { weights } = await trainHead({ ...data, dim, nClasses: 3, positive: null, cfg: { kind: 'mlp', hidden: 8, epochs: 2 } });
    const files = await exportTfjsModel(weights);
    const json = JSON.parse(files['model.json']) as tf.io.ModelJSON;
    const model = await tf.loadLayersModel(
      tf.io.fromMemory(tf.io.getModelArtifactsForJSONSync(json, json.weightsManifest[0].weights, files['weights.bin'])),
    );
    const out = tf.tidy(() => (model.predict(tf.tensor2d(data.X, [120, dim])) as tf.Tensor).dataSync());
    model.dispose();
    const ours = await predictProbaAsync(weights, data.X, dim);
    out.forEach((v, i) => expect(v).toBeCloseTo(ours[i], 6));
  });

  it('refuses files that are not a dense softmax head', async () => {
    await expect(importTfjsModel({ 'model.json': '{not json', 'weights.bin': new ArrayBuffer(0) })).rejects.toBeInstanceOf(HeadImportError);
    const { weights } = await trainHead({ ...data, dim, nClasses: 3, positive: null, cfg: { epochs: 1 } });
    const files = await exportTfjsModel(weights);
    const tampered = files['model.json'].replace('"softmax"', '"sigmoid"');
    await expect(importTfjsModel({ ...files, 'model.json': tampered })).rejects.toThrow(/expected softmax/);
  });
});

describe('JSON', () => {
  it('round-trips a head exactly', async () => {
    const { weights } = await trainHead({ ...data, dim, nClasses: 3, positive: null, cfg: { kind: 'mlp', hidden: 4, epochs: 1 } });
    const text = headToJSON(weights);
    expect(typeof JSON.parse(text).layers[0].kernel.values[0]).toBe('number');
    expect(headFromJSON(text)).toEqual(weights);
    expect(() => headFromJSON('{"format":"other"}')).toThrow(/Not a usable classifier head/);
  });
});
