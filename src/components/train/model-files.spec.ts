// A student survives export → files (zip or three) → import with the same outputs and facts.
import '../../../tests/unit/page-globals'; // before the state it imports reads them
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainHead } from '$lib/train/fit';
import { predictProbaAsync } from '$lib/train/head';
import { makeBlobs } from '$lib/train/synthetic';
import { readStudent } from '$lib/train/student-files';
import { fromStudentFiles, type TrainedStudent } from '$lib/state/student.svelte';
import { studentFiles, zipStudent } from './model-files';

const dim = 8;
const data = makeBlobs({ n: 60, dim, nClasses: 2, separation: 3, seed: 5 });
let trained: TrainedStudent;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const { weights } = await trainHead({ ...data, dim, nClasses: 2, positive: 1, cfg: { epochs: 3, lr: 0.05 } });
  trained = {
    modelId: 'm1',
    spec: { name: 'Student on 60 LLM labels', trainSource: 'llm', trainSize: 60, encoder: 'tiny-distilbert', headKind: 'logreg' },
    best: weights.config,
    scores: [],
    backend: 'cpu',
    weights,
    labelNames: ['negative', 'positive'],
    positive: 'positive',
    embeddingKey: 'emb-v1|tiny-distilbert|q8|mean|l2',
    encoderSettings: null,
    selection: { kind: 'holdout', fraction: 0.2 },
    trainIds: [],
    createdAt: 0,
    origin: 'train',
  };
});

const asFile = (name: string, bytes: Uint8Array) => ({ name, arrayBuffer: async () => bytes.slice().buffer as ArrayBuffer });

describe('student model files', () => {
  it('writes surrogate.json with the encoder, embedding key and label order', async () => {
    const meta = JSON.parse((await studentFiles(trained))['surrogate.json']);
    expect(meta).toMatchObject({
      format: 'surrogate-student/1',
      encoder: 'tiny-distilbert',
      embeddingKey: trained.embeddingKey,
      labels: ['negative', 'positive'],
    });
  });

  it('re-imports as a new student with identical predictions', async () => {
    const back = fromStudentFiles(await readStudent([asFile('student.zip', zipStudent(await studentFiles(trained)))]));
    expect(back.modelId).not.toBe(trained.modelId);
    expect(back.spec.name).toBe('Student on 60 LLM labels (imported)');
    expect([back.labelNames, back.positive, back.embeddingKey]).toEqual([trained.labelNames, 'positive', trained.embeddingKey]);
    expect(await predictProbaAsync(back.weights, data.X, dim)).toEqual(await predictProbaAsync(trained.weights, data.X, dim));
  });
});
