// The parity benchmark's arithmetic only: no datasets, no Python.
import { describe, expect, it } from 'vitest';
import { median, parityTables, summariseParity, targetMet } from './parity.mjs';

const ref = (f1: number, positiveRate = 0.5) => ({ f1, precision: f1, recall: f1, positiveRate, C: 1, classWeight: 'none' });
const app = (dataset: string, source: string, seed: number, f1: number) => ({
  key: `${dataset}|${seed}|${source}`,
  dataset,
  seed,
  source,
  trainN: 100,
  testN: 50,
  f1,
  precision: f1,
  recall: f1,
  positiveRate: 0.6,
  truePositiveRate: 0.5,
  C: 1,
  classWeight: 'none',
});
const sk = (dataset: string, source: string, seed: number, plain: number, same = plain) => ({
  key: `${dataset}|${seed}|${source}`,
  plain: ref(plain),
  same: ref(same),
  same_scaled: ref(same),
});

describe('parity summary', () => {
  it('checks the target: median ≥ 0 and nothing below −0.02', () => {
    expect(targetMet([0.01, 0, -0.02])).toBe(true);
    expect(targetMet([0.05, 0.03, -0.021])).toBe(false);
    expect(targetMet([-0.01, -0.01, 0.02])).toBe(false);
    expect(targetMet([])).toBe(false);
    expect(median([3, 1, NaN, 2])).toBe(2);
  });

  it('averages app − sklearn over seeds per dataset × source, then takes medians over pairs', () => {
    const a = [app('d1', 'llm', 1, 0.7), app('d1', 'llm', 2, 0.5), app('d1', 'human', 1, 0.6), app('d2', 'llm', 1, 0.4)];
    const s = [sk('d1', 'llm', 1, 0.6), sk('d1', 'llm', 2, 0.5), sk('d1', 'human', 1, 0.7, 0.6), sk('d2', 'llm', 1, 0.45)];
    const sum = summariseParity(a, s);
    expect(sum.pairs.map((p) => `${p.dataset} ${p.source}`)).toEqual(['d1 llm', 'd1 human', 'd2 llm']);
    expect(sum.pairs[0].diffs.plain.mean).toBeCloseTo(0.05);
    expect(sum.pairs[0].diffs.plain.perSeed.map((x: number) => +x.toFixed(2))).toEqual([0.1, 0]);
    expect(sum.over.plain.median).toBeCloseTo(-0.05);
    expect(sum.over.plain.lowest).toBeCloseTo(-0.1);
    expect(sum.over.plain.lowestPair).toBe('d1 human');
    expect(sum.over.plain.met).toBe(false);
    expect(sum.over.same.median).toBeCloseTo(0);
    expect(sum.over.plain.shareGap).toBeCloseTo(0.1);
    const md = parityTables(sum, [1, 2]);
    expect(md).toContain('| d1 | LLM labels | 100 | 50 | 0.60 | 0.55 |');
    expect(md).toContain('| d2 | llm | −0.05 | — |');
  });

  it('keeps a case without a scikit-learn result out of the differences', () => {
    const sum = summariseParity([app('d', 'llm', 1, 0.5), app('d', 'llm', 2, 0.9)], [sk('d', 'llm', 1, 0.5)]);
    expect(sum.pairs[0].missing).toBe(1);
    expect(sum.pairs[0].diffs.plain.mean).toBe(0);
  });
});
