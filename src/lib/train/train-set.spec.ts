import { describe, expect, it } from 'vitest';
import type { DataRow } from '../data/types';
import { chooseTrainingSet, HumanLabels, labelNamesFor, parseNumberList, type LabelVotes } from './train-set';
import { planExperiment } from '../experiment/experiment';
import { mulberry32 } from '../data/rng';

const row = (id: string, human: string | null): DataRow => ({ id, text: `text ${id}`, human, hash: id });
const rows = Array.from({ length: 20 }, (_, i) => row(`r${i}`, i % 2 ? 'pos' : 'neg'));
const pool = rows.slice(0, 16).map((r) => r.id); // r16..r19 are validation/test
const teacher = new Map<string, LabelVotes>(
  rows.map((r, i): [string, LabelVotes] => [
    r.id,
    { label: i % 3 === 0 ? 'neg' : 'pos', consistency: i % 4 === 0 ? 2 / 3 : 1, votes: i % 4 === 0 ? { pos: 1, neg: 2 } : { pos: 3 } },
  ]),
);
const base = { source: 'human' as const, n: 1000, consistencyMin: null, soft: false, seed: 7 };

describe('chooseTrainingSet', () => {
  it('uses only training-pool rows and caps N at what exists', () => {
    const s = chooseTrainingSet(rows, pool, teacher, ['neg', 'pos'], base);
    expect(s.available).toBe(16);
    expect(s.trainIds).toEqual(pool);
    expect(s.counts).toEqual([8, 8]);
    expect(s.labelOf('r1')).toBe('pos');
  });

  it("chooses the same set with the rows by id (the page's index) as without", () => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const c of [base, { ...base, n: 6 }, { ...base, source: 'llm' as const, n: 5, consistencyMin: 1 }]) {
      const a = chooseTrainingSet(rows, pool, teacher, ['neg', 'pos'], c);
      const b = chooseTrainingSet(rows, pool, teacher, ['neg', 'pos'], c, byId);
      expect([b.trainIds, b.counts, b.available, b.labelOf('r3')]).toEqual([a.trainIds, a.counts, a.available, a.labelOf('r3')]);
    }
    const human = new HumanLabels(rows, byId);
    expect([human.size, human.has('r1'), human.get('r1'), human.get('nope')]).toEqual([20, true, 'pos', undefined]);
    expect([...human]).toEqual(rows.map((r) => [r.id, r.human]));
    expect([...human.keys()]).toEqual([...byId.keys()]);
    expect([...human.values()]).toEqual(rows.map((r) => r.human));
  });

  it('samples N rows stratified and seeded, the same each time', () => {
    const a = chooseTrainingSet(rows, pool, teacher, ['neg', 'pos'], { ...base, n: 6 });
    const b = chooseTrainingSet(rows, pool, teacher, ['neg', 'pos'], { ...base, n: 6 });
    expect(a.trainIds).toEqual(b.trainIds);
    expect(a.counts).toEqual([3, 3]);
    expect(a.trainIds.every((id) => pool.includes(id))).toBe(true);
  });

  it('takes LLM majority labels, filters by consistency and offers vote shares as soft targets', () => {
    const all = chooseTrainingSet(rows, pool, teacher, ['neg', 'pos'], { ...base, source: 'llm', soft: true });
    expect(all.available).toBe(16);
    expect(all.labelOf('r3')).toBe('neg');
    expect(all.soft?.('r4')).toEqual([2, 1]);
    const strict = chooseTrainingSet(rows, pool, teacher, ['neg', 'pos'], { ...base, source: 'llm', consistencyMin: 1 });
    // Sample first (all 16), then filter: r0, r4, r8, r12 have consistency 2/3.
    expect(strict).toMatchObject({ available: 16, sampled: 16, dropped: 4 });
    expect(strict.trainIds).toHaveLength(12);
    expect(strict.trainIds).not.toContain('r4');
    expect(strict.soft).toBeUndefined();
  });

  it('filters by the teacher probability and takes soft targets from the label probabilities', () => {
    const withP = new Map(
      [...teacher].map(([id, l], i) => [id, { ...l, probability: i % 2 ? 0.95 : 0.6, probs: { neg: 0.3, pos: 0.65 } }]),
    );
    const sure = chooseTrainingSet(rows, pool, withP, ['neg', 'pos'], {
      ...base,
      source: 'llm',
      probabilityMin: 0.9,
      soft: true,
      softFrom: 'probabilities',
    });
    expect(sure.trainIds.length).toBeGreaterThan(0);
    expect(sure.trainIds.every((id) => withP.get(id)!.probability === 0.95)).toBe(true);
    expect(sure.dropped).toBe(sure.sampled - sure.trainIds.length);
    expect(sure.soft?.(sure.trainIds[0])).toEqual([0.3, 0.65]);
    // Votes unless asked for probabilities.
    expect(chooseTrainingSet(rows, pool, withP, ['neg', 'pos'], { ...base, source: 'llm', soft: true }).soft?.('r4')).toEqual([2, 1]);
  });

  it('skips rows without a label or with a label outside the codebook', () => {
    const odd = [row('a', null), row('b', 'other'), row('c', 'pos'), row('d', 'neg')];
    const s = chooseTrainingSet(odd, ['a', 'b', 'c', 'd'], new Map(), ['neg', 'pos'], base);
    expect(s.trainIds).toEqual(['c', 'd']);
  });
});

describe('the Train step and the Compare step choose the same rows', () => {
  it('gives a "consistency ≥ t" student the ids of the Compare sweep student for the same inputs', () => {
    const n = 900;
    const rand = mulberry32(5);
    const big = Array.from({ length: n }, (_, i) => row(`b${String(i).padStart(3, '0')}`, rand() < 0.3 ? 'pos' : 'neg'));
    const ids = big.map((r) => r.id);
    const splits = { seed: 1, validation: ids.slice(0, 100), test: ids.slice(100, 200), pool: ids.slice(200) };
    const votes = new Map<string, LabelVotes>(
      big.map((r): [string, LabelVotes] => {
        const c = [1, 1, 2 / 3, 1 / 3][Math.floor(rand() * 4)];
        return [r.id, { label: rand() < 0.35 ? 'pos' : 'neg', consistency: c, votes: {} }];
      }),
    );
    const labels = ['neg', 'pos'];
    const plan = planExperiment({ splits, rows: big, teacher: votes, labelNames: labels, trainN: 400, seed: 11, thresholds: [0.6, 1] });
    const idsOf = (studentId: string | null) => plan.students.find((s) => s.id === studentId)!.trainIds;
    for (const p of plan.sweep) {
      const train = chooseTrainingSet(big, splits.pool, votes, labels, {
        source: 'llm',
        n: 400,
        consistencyMin: p.t,
        soft: false,
        seed: 11,
      });
      expect(train.trainIds).toEqual(idsOf(p.studentId));
      expect(train.sampled).toBe(400);
      expect(train.dropped).toBe(400 - p.size);
    }
    const main = chooseTrainingSet(big, splits.pool, votes, labels, { source: 'llm', n: 400, consistencyMin: null, soft: false, seed: 11 });
    expect(main.trainIds).toEqual(idsOf('llm-main'));
    const human = chooseTrainingSet(big, splits.pool, votes, labels, {
      source: 'human',
      n: 250,
      consistencyMin: null,
      soft: false,
      seed: 11,
    });
    expect(human.trainIds).toEqual(idsOf('human-250'));
  });
});

describe('labelNamesFor and parseNumberList', () => {
  it('prefers the codebook labels, else the human labels present', () => {
    expect(labelNamesFor(['x', 'y'], rows)).toEqual(['x', 'y']);
    expect(labelNamesFor(undefined, rows)).toEqual(['neg', 'pos']);
  });

  it('reads grid lists and rejects bad entries', () => {
    expect(parseNumberList('1e-3, 3e-3 0.01')).toEqual([0.001, 0.003, 0.01]);
    expect(parseNumberList('16, 32', true)).toEqual([16, 32]);
    expect(parseNumberList('16, 2.5', true)).toBeNull();
    expect(parseNumberList('0.1, -1')).toBeNull();
    expect(parseNumberList('  ')).toBeNull();
  });
});
