// A student's files read back: the same head from a zip or the three files,
// and hostile or damaged files refused in words naming the file and the reason.
import * as tf from '@tensorflow/tfjs';
import { strToU8, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainHead } from '$lib/train/fit';
import { predictProbaAsync } from '$lib/train/head';
import { makeBlobs } from '$lib/train/synthetic';
import { exportTfjsModel } from './serialize';
import type { SerializedHead } from './types';
import {
  ModelFilesError,
  readStudent,
  readStudentFiles,
  studentFromFiles,
  SURROGATE_FORMAT,
  zipStudent,
  type StudentFiles,
  type SurrogateMeta,
} from './student-files';

const dim = 8;
const data = makeBlobs({ n: 60, dim, nClasses: 2, separation: 3, seed: 5 });
let trained: SerializedHead;
const meta: SurrogateMeta = {
  format: SURROGATE_FORMAT,
  name: 'Student on 60 LLM labels',
  trainSource: 'llm',
  trainSize: 60,
  encoder: 'tiny-distilbert',
  embeddingKey: 'emb-v1|tiny-distilbert|q8|mean|l2',
  encoderSettings: null,
  labels: ['negative', 'positive'],
  positive: 'positive',
  headKind: 'logreg',
  best: { kind: 'logreg' } as SurrogateMeta['best'],
  backend: 'cpu',
  createdAt: new Date(0).toISOString(),
};

beforeAll(async () => {
  await tf.setBackend('cpu');
  trained = (await trainHead({ ...data, dim, nClasses: 2, positive: 1, cfg: { epochs: 3, lr: 0.05 } })).weights;
});

/** What the Train step's export writes (components/train/model-files.ts studentFiles). */
const studentFiles = async (): Promise<StudentFiles> => ({ ...(await exportTfjsModel(trained)), 'surrogate.json': JSON.stringify(meta) });

const asFile = (name: string, data: ArrayBuffer | Uint8Array | string) => {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data);
  return { name, arrayBuffer: async () => bytes.slice().buffer as ArrayBuffer };
};
const three = (f: StudentFiles) => [
  asFile('model.json', f['model.json']),
  asFile('weights.bin', f['weights.bin']),
  asFile('surrogate.json', f['surrogate.json']),
];

describe('student model files', () => {
  it.each(['zip', 'three files'])('re-imports from %s with identical predictions', async (how) => {
    const files = await studentFiles();
    const picked = how === 'zip' ? [asFile('student.zip', zipStudent(files))] : three(files);
    const back = await readStudent(picked);
    expect(back.meta).toMatchObject({ name: meta.name, labels: meta.labels, positive: 'positive', embeddingKey: meta.embeddingKey });
    expect(await predictProbaAsync(back.weights, data.X, dim)).toEqual(await predictProbaAsync(trained, data.X, dim));
  });

  it('says which file is missing, and refuses a label order that does not fit the model', async () => {
    const files = await studentFiles();
    await expect(readStudentFiles(three(files).slice(0, 2))).rejects.toThrow(/surrogate\.json not found/);
    const meta = JSON.parse(files['surrogate.json']);
    const wrong = { ...files, 'surrogate.json': JSON.stringify({ ...meta, labels: ['a', 'b', 'c'] }) };
    await expect(studentFromFiles(wrong)).rejects.toThrow(ModelFilesError);
    await expect(readStudentFiles([asFile('x.zip', 'not a zip')])).rejects.toThrow(/not a readable zip/);
  });

  it('refuses hostile files in words: a traversal name, a bomb, reserved keys, wrong types; a long name is cut', async () => {
    const files = await studentFiles();
    const entries = {
      'model.json': strToU8(files['model.json']),
      'weights.bin': new Uint8Array(files['weights.bin']),
      'surrogate.json': strToU8(files['surrogate.json']),
    };
    const { ['surrogate.json']: meta, ...rest } = entries;
    const climbed = zipSync({ ...rest, '../../surrogate.json': meta });
    await expect(readStudentFiles([asFile('s.zip', climbed)])).rejects.toThrow(/surrogate\.json not found/);
    const bomb = zipSync({ ...entries, 'weights.bin': new Uint8Array(300 * 2 ** 20) });
    await expect(readStudentFiles([asFile('s.zip', bomb)])).rejects.toThrow(
      /s\.zip is not a readable zip file \(entry weights\.bin would inflate/,
    );
    const m = JSON.parse(files['surrogate.json']) as Record<string, unknown>;
    const withMeta = (v: unknown) => ({ ...files, 'surrogate.json': typeof v === 'string' ? v : JSON.stringify(v) });
    await expect(studentFromFiles(withMeta(files['surrogate.json'].replace('{', '{"__proto__":{"x":1},')))).rejects.toThrow(/reserved key/);
    await expect(studentFromFiles(withMeta({ ...m, trainSize: -4, positive: 'maybe' }))).rejects.toThrow(
      /no usable training size, positive class/,
    );
    await expect(studentFromFiles(withMeta({ ...m, labels: ['a', 7] }))).rejects.toThrow(/lacks the label order/);
    const long = await studentFromFiles(withMeta({ ...m, name: 'N'.repeat(4e6) }));
    expect(long.meta.name.length).toBeLessThan(250);
    // Through the worker's entry point, a refusal names the picked file first.
    await expect(readStudent([asFile('s.zip', climbed)])).rejects.toThrow(
      /^Could not import s\.zip: The model is incomplete: surrogate\.json not found/,
    );
    const cut = { ...files, 'weights.bin': files['weights.bin'].slice(0, 10) };
    await expect(readStudent(three(cut))).rejects.toThrow(
      /^model\.json and weights\.bin do not make a model this app reads \(.+\)\.$/, // it names the picked files itself
    );
  });
});
