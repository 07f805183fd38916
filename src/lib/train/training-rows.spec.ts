import { describe, expect, it } from 'vitest';
import {
  chooseTrainingRows,
  trainingPool,
  keepConfident,
  keepConsistent,
  meetsConsistency,
  type LlmLabel,
  type TrainingRowsInput,
} from './training-rows';
import { mulberry32 } from '../data/rng';

// 400 rows: r000..r049 are held out (not in the pool); every 4th human label is "pos".
const ids = Array.from({ length: 400 }, (_, i) => `r${String(i).padStart(3, '0')}`);
const pool = ids.slice(50);
const human = new Map(ids.map((id, i) => [id, i % 4 === 0 ? 'pos' : i % 13 === 0 ? null : 'neg']));
const rand = mulberry32(3);
const teacher = new Map<string, LlmLabel>(
  ids.map((id, i) => [
    id,
    { label: i % 17 === 0 ? null : i % 19 === 0 ? 'banana' : rand() < 0.3 ? 'pos' : 'neg', consistency: [1, 2 / 3, 1 / 3, 1][i % 4] },
  ]),
);
const base: TrainingRowsInput = {
  pool,
  human,
  teacher,
  labelNames: ['neg', 'pos'],
  source: 'llm',
  size: 120,
  consistencyMin: null,
  seed: 9,
};

describe('chooseTrainingRows', () => {
  it('samples size labelled pool rows, stratified and seeded, in pool order', () => {
    const a = chooseTrainingRows(base);
    expect(a.ids).toHaveLength(120);
    expect(a.sample).toEqual(a.ids);
    expect(a.dropped).toBe(0);
    expect(chooseTrainingRows(base).ids).toEqual(a.ids);
    expect(chooseTrainingRows({ ...base, seed: 10 }).ids).not.toEqual(a.ids);
    const order = a.ids.map((id) => pool.indexOf(id));
    expect(order.every((x, i) => x >= 0 && (i === 0 || x > order[i - 1]))).toBe(true);
    // Stratified by the LLM label: the sample's share of "pos" is the pool's.
    const labelled = pool.filter((id) => a.labelOf(id) !== null);
    expect(a.available).toBe(labelled.length);
    const share = (xs: string[]) => xs.filter((id) => a.labelOf(id) === 'pos').length / xs.length;
    expect(Math.abs(share(a.ids) - share(labelled))).toBeLessThan(0.01);
  });

  it('uses only pool rows with a codebook label from the chosen source', () => {
    const all = chooseTrainingRows({ ...base, size: 10_000 });
    for (const id of all.ids) {
      expect(pool).toContain(id);
      expect(['neg', 'pos']).toContain(teacher.get(id)!.label);
    }
    expect(all.ids).toHaveLength(all.available);
    const h = chooseTrainingRows({ ...base, source: 'human', size: 10_000 });
    expect(h.available).toBe(pool.filter((id) => human.get(id) !== null).length);
    expect(h.ids.every((id) => human.get(id) !== null)).toBe(true);
    expect(chooseTrainingRows({ ...base, size: 0 }).ids).toEqual([]);
    expect(chooseTrainingRows({ ...base, pool: [...pool, 'not-a-row'], size: 10_000 }).ids).not.toContain('not-a-row');
  });

  it('filters by consistency after sampling, so the size shows what the filter costs', () => {
    const main = chooseTrainingRows(base);
    const strict = chooseTrainingRows({ ...base, consistencyMin: 1 });
    expect(strict.sample).toEqual(main.ids);
    expect(strict.ids).toEqual(main.ids.filter((id) => teacher.get(id)!.consistency === 1));
    expect(strict.dropped).toBe(120 - strict.ids.length);
    expect(strict.ids.length).toBeLessThan(120);
    // 2/3 passes a threshold of 0.6666… despite rounding.
    expect(chooseTrainingRows({ ...base, consistencyMin: 2 / 3 }).ids).toEqual(main.ids.filter((id) => teacher.get(id)!.consistency > 0.6));
    expect(meetsConsistency(2 / 3, 0.6666666667)).toBe(true);
    expect(meetsConsistency(2 / 3, 0.67)).toBe(false);
  });

  it('keepConsistent is the same filter step', () => {
    const main = chooseTrainingRows(base);
    for (const t of [0.3, 0.5, 2 / 3, 1]) {
      expect(keepConsistent(main, teacher, t)).toMatchObject({ ids: chooseTrainingRows({ ...base, consistencyMin: t }).ids });
    }
    expect(keepConsistent(keepConsistent(main, teacher, 1), teacher, null).ids).toEqual(main.ids);
  });

  it('filters by the teacher probability the same way; a label without one is not kept', () => {
    // Probabilities 0.5…0.99 from logprobs on most rows; every 7th row has none.
    const withP = new Map<string, LlmLabel>(
      [...teacher].map(([id, l], i) => [id, { ...l, probability: i % 7 === 0 ? null : 0.5 + (i % 50) / 100 }]),
    );
    const main = chooseTrainingRows({ ...base, teacher: withP });
    const sure = chooseTrainingRows({ ...base, teacher: withP, probabilityMin: 0.9 });
    expect(sure.sample).toEqual(main.ids);
    expect(sure.ids).toEqual(main.ids.filter((id) => (withP.get(id)!.probability ?? 0) >= 0.9));
    expect(sure.ids.length).toBeGreaterThan(0);
    expect(sure.dropped).toBe(120 - sure.ids.length);
    expect(keepConfident(main, withP, 'probability', 0.9).ids).toEqual(sure.ids);
    // Both filters: the rows that pass each.
    const both = chooseTrainingRows({ ...base, teacher: withP, probabilityMin: 0.9, consistencyMin: 1 });
    expect(both.ids).toEqual(sure.ids.filter((id) => withP.get(id)!.consistency === 1));
    expect(both.dropped).toBe(120 - both.ids.length);
    for (const t of [0.5, 2 / 3, 1]) expect(keepConfident(main, withP, 'consistency', t).ids).toEqual(keepConsistent(main, withP, t).ids);
    // Human labels are never filtered.
    expect(chooseTrainingRows({ ...base, teacher: withP, source: 'human', probabilityMin: 0.99 }).dropped).toBe(0);
  });

  it('ignores the threshold for human labels', () => {
    const h = chooseTrainingRows({ ...base, source: 'human', consistencyMin: 1 });
    expect(h.ids).toEqual(chooseTrainingRows({ ...base, source: 'human' }).ids);
    expect(h.dropped).toBe(0);
  });
});

describe('trainingPool', () => {
  const rows = ['a', 'b', 'c', 'd'].map((id) => ({ id }));
  it('is the split’s pool in its order, dropping ids the dataset lacks', () => {
    expect(trainingPool(rows, { pool: ['c', 'gone', 'a'] }).map((r) => r.id)).toEqual(['c', 'a']);
  });
  it('is every row before a split exists', () => {
    expect(trainingPool(rows, null)).toEqual(rows);
  });
});
