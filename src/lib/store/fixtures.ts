// Test data builders shared by the store specs (not part of the public API).
import { codebookHash } from '../codebook/codebook';
import type { CodebookVersion } from '../codebook/types';
import { hashText } from '../data/hash';
import { cacheKey } from '../teacher/cache-key';
import type { TeacherResponse } from '../teacher/types';
import { resolveHeadConfig } from '../train/types';
import { STORES, tx, type StoreName } from './db';
import type { ComparisonData, PredictionsData } from './records';
import { packIdList } from './packed-ids';
import type { StoredModel, StoredResult, StoredRow } from './types';

/** `n` rows with deterministic content, hashed as the data stage hashes them; every third is unlabelled. */
export function makeRows(n: number, prefix = 'r'): StoredRow[] {
  return Array.from({ length: n }, (_, i) => {
    const text = `Text number ${i} — «unicode» ✓`;
    return { id: `${prefix}${i}`, text, human: i % 3 === 0 ? null : i % 3 === 1 ? 'pos' : 'neg', hash: hashText(text) };
  });
}

/** Codebook version `version` with labels pos and neg, hashed as the codebook stage hashes it. */
export function codebookVersion(version: number): CodebookVersion {
  const codebook = {
    task: `Task v${version}`,
    instructions: 'Code it.',
    labels: [label('pos'), label('neg')],
    positive: 'pos',
    examples: [],
  };
  return { version, createdAt: version, codebook, hash: codebookHash(codebook) };
}

const label = (name: string) => ({ name, definition: `It is ${name}.` });

/** A stored live answer of `projectId` for `textHash` under codebook hash `codebookHash`. */
export function liveAnswer(
  projectId: string | undefined,
  codebookHash: string,
  textHash: string,
  label: string | null,
  repeat = 0,
): TeacherResponse {
  const parts = {
    endpoint: 'https://api.openai.com/v1',
    model: 'gpt-4o-mini',
    codebookHash,
    template: 't1',
    textHash,
    repeat,
    temperature: 0,
  };
  return {
    key: cacheKey(parts),
    ...parts,
    raw: label === null ? 'I cannot help with that.' : JSON.stringify({ label }),
    label,
    valid: label !== null,
    ...(label === null ? { invalidReason: 'not-a-label' } : {}),
    usage: { prompt: 50, completion: 5 },
    at: 1_700_000_000_000,
    ...(projectId ? { projectId } : {}),
  };
}

/** A two-class linear student on 4-wide features; a NaN bias checks values survive as they are. */
export function model(id: string, projectId: string, createdAt = 1): StoredModel {
  const config = resolveHeadConfig({ kind: 'linear' });
  return {
    id,
    projectId,
    createdAt,
    name: `model ${id}`,
    encoder: 'distilbert@mean@v1',
    labels: ['neg', 'pos'],
    config,
    weights: {
      format: 'surrogate-head/1',
      config,
      dim: 4,
      nClasses: 2,
      layers: [
        {
          kernel: { shape: [4, 2], values: new Float32Array([0.5, -1, 2, 3, 4, 5, 6, 7]) },
          bias: { shape: [2], values: new Float32Array([0.1, NaN]) },
        },
      ],
    },
    backend: 'cpu',
  };
}

/** Corpus labels of `modelId` for `ids`, two classes. */
export function predictions(modelId: string, ids: string[]): PredictionsData {
  const probs = Float32Array.from({ length: ids.length * 2 }, (_, i) => (i % 2 ? 0.75 : 0.25));
  return { modelId, labels: ['neg', 'pos'], ids: packIdList(ids), probs, embeddingKey: 'enc@v1' };
}

/** A comparison that finished at `finishedAt`, with no conditions scored. */
export function comparison(finishedAt: number): ComparisonData {
  return {
    v: 1,
    rows: [],
    headlines: [],
    curve: [],
    sweep: [],
    references: [],
    labelNames: ['neg', 'pos'],
    positive: 'pos',
    notes: [`run ${finishedAt}`],
    students: [],
    teacherMissing: 0,
    run: {
      startedAt: finishedAt - 1,
      finishedAt,
      codebookVersion: 1,
      teacherModel: 'm',
      endpoint: 'e',
      repeats: 1,
      encoder: 'TF-IDF',
      embeddingKey: '',
      embedDevice: null,
      headKind: 'linear',
      grid: 'quick',
      seed: 1,
      trainN: 10,
      testN: 0,
      validationN: 0,
    },
  };
}

/** Every result record of a project as stored, whatever its kind or shape (what a project file carries). */
export function storedResults(projectId: string): Promise<StoredResult[]> {
  return tx([STORES.results], 'readonly', 'list results', (t) => t.objectStore(STORES.results).index('projectId').getAll(projectId));
}

/** Writes `record` as it is, bypassing the kind's guard (a damaged or foreign record). */
export function putRawResult(record: unknown): Promise<void> {
  return tx([STORES.results], 'readwrite', 'save the result', async (t) => {
    await t.objectStore(STORES.results).put(record as StoredResult);
  });
}

/** Every record of every store, keys and values, in one string (typed arrays and buffers by their bytes). */
export async function digest(): Promise<string> {
  const names = Object.values(STORES) as StoreName[];
  const dump = await tx(names, 'readonly', 'digest', async (t) =>
    Promise.all(names.map(async (n) => [n, await t.objectStore(n).getAllKeys(), await t.objectStore(n).getAll()])),
  );
  return JSON.stringify(dump, (_k, v: unknown) => {
    if (v instanceof ArrayBuffer) return { buf: Array.from(new Uint8Array(v)) };
    if (ArrayBuffer.isView(v)) return { view: v.constructor.name, bytes: Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
    if (typeof v === 'number' && !Number.isFinite(v)) return `num:${v}`;
    return v;
  });
}
