// The real-encoders benchmark's arithmetic only: no datasets, no models, no Python.
import { describe, expect, it } from 'vitest';
import { gaps, realTables, summariseReal } from './real-encoders.mjs';

const scores = (f1: number) => ({ f1, macroF1: f1, accuracy: f1, kappa: 2 * f1 - 1, positiveRate: 0.5 });
const app = (dataset: string, source: string, seed: number, features: string, f1: number) => ({
  key: `${dataset}|${seed}|${source}`,
  dataset,
  seed,
  source,
  features,
  trainN: 100,
  testN: 50,
  ...scores(f1),
});
const teacher = (dataset: string, seed: number, f1: number) => ({
  key: `${dataset}|${seed}`,
  dataset,
  seed,
  testN: 50,
  truePositiveRate: 0.5,
  ...scores(f1),
});

describe('real-encoders summary', () => {
  const s = summariseReal(
    [
      app('a', 'llm', 1, 'tfidf', 0.7),
      app('a', 'llm', 2, 'tfidf', 0.8),
      app('a', 'llm', 1, 'minilm-q8', 0.6),
      app('a', 'llm', 2, 'minilm-q8', 0.9),
      app('a', 'human', 1, 'tfidf', 0.5),
    ],
    [teacher('a', 1, 0.85), teacher('a', 2, 0.85)],
    // SetFit on the first seed only; an lr row on both.
    [
      { key: 'a|1|llm', lr: scores(0.65), setfit: { ...scores(0.7), iterations: 2 } },
      { key: 'a|2|llm', lr: scores(0.85) },
    ],
  );

  it('averages each dataset × source × method over its seeds', () => {
    const cell = (method: string, source = 'llm') => s.cells.find((c) => c.method === method && c.source === source)!;
    expect(cell('tfidf').f1).toBeCloseTo(0.75);
    expect(cell('minilm-q8').seeds).toEqual([1, 2]);
    expect(cell('py-lr').f1).toBeCloseTo(0.75);
    expect(cell('py-setfit').seeds).toEqual([1]);
    expect(s.teachers[0].f1).toBeCloseTo(0.85);
  });

  it('compares on the seeds both sides have', () => {
    // minilm − SetFit on seed 1 only: 0.6 − 0.7.
    expect(gaps(s, 'minilm-q8', 'py-setfit')).toEqual([{ pair: 'a llm', gap: expect.closeTo(-0.1, 10), seeds: 1 }]);
    expect(gaps(s, 'minilm-q8', 'teacher', { source: 'llm' })[0].gap).toBeCloseTo(0.75 - 0.85);
    expect(gaps(s, 'tfidf', 'teacher', { datasets: ['b'] })).toEqual([]);
  });

  it('puts the teacher first in each dataset block of the table', () => {
    const lines = realTables(s).split('\n');
    const first = lines.findIndex((l) => l.startsWith('| a ('));
    expect(lines[first]).toContain('**teacher**');
    expect(lines.some((l) => l.includes('SetFit') && l.includes('| 1 |'))).toBe(true);
  });
});
