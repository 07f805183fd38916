// Test data builders shared by the store specs (not part of the public API).
import type { StoredModel, StoredResult, StoredRow } from './types';

/** `n` rows with deterministic content; every third is unlabelled. */
export function makeRows(n: number, prefix = 'r'): StoredRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    text: `Text number ${i} — «unicode» ✓`,
    human: i % 3 === 0 ? null : i % 3 === 1 ? 'pos' : 'neg',
    hash: `h${i}`,
  }));
}

export function model(id: string, projectId: string, createdAt = 1): StoredModel {
  return {
    id,
    projectId,
    createdAt,
    name: `model ${id}`,
    encoder: 'distilbert@mean@v1',
    labels: ['neg', 'pos'],
    config: { lr: 0.001, epochs: 20, hidden: [] },
    weights: { shapes: [[4, 2], [2]], data: [new Float32Array([0.5, -1, 2, 3, 4, 5, 6, 7]), new Float32Array([0.1, NaN])] },
    backend: 'cpu',
  };
}

export function result(id: string, projectId: string, createdAt = 1): StoredResult {
  return { id, projectId, createdAt, kind: 'comparison', data: { f1: 0.8, ci: [0.7, 0.9], undefinedMetric: NaN } };
}
