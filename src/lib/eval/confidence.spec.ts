import { describe, expect, it } from 'vitest';
import { confidenceSweep } from './validation';
import type { DataRow } from '../data/types';

const LABELS = ['neg', 'pos'];
// 10 validation texts; the teacher is right on the confident ones (probability ≥ 0.9), wrong on the others.
const rows: DataRow[] = Array.from({ length: 10 }, (_, i) => ({ id: `v${i}`, text: `t${i}`, human: i % 2 ? 'pos' : 'neg', hash: `h${i}` }));
const labels = new Map(
  rows.map((r, i) => {
    const sure = i < 6;
    const label = sure ? r.human : r.human === 'pos' ? 'neg' : 'pos';
    return [r.id, { label, consistency: sure ? 1 : 2 / 3, n: 3, probability: sure ? 0.95 : 0.6 }];
  }),
);
const byId = new Map(rows.map((r) => [r.id, r]));

describe('confidenceSweep', () => {
  it('scores the teacher on the validation texts it is confident about, by probability or consistency', () => {
    const byP = confidenceSweep(
      rows.map((r) => r.id),
      byId,
      labels,
      LABELS,
      'pos',
      'probability',
      [0.5, 0.9, 0.99],
    );
    expect(byP).toEqual([
      { t: 0.5, kept: 10, share: 1, accuracy: 0.6, f1: expect.any(Number) },
      { t: 0.9, kept: 6, share: 0.6, accuracy: 1, f1: 1 },
      { t: 0.99, kept: 0, share: 0, accuracy: null, f1: null },
    ]);
    const byC = confidenceSweep(
      rows.map((r) => r.id),
      byId,
      labels,
      LABELS,
      'pos',
      'consistency',
      [2 / 3, 1],
    );
    expect(byC.map((p) => [p.kept, p.accuracy])).toEqual([
      [10, 0.6],
      [6, 1],
    ]);
  });

  it('leaves out texts the teacher has not answered and labels without a probability', () => {
    const partial = new Map([...labels].map(([id, l], i) => [id, i === 0 ? { ...l, n: 0 } : i === 1 ? { ...l, probability: null } : l]));
    const [p] = confidenceSweep(
      rows.map((r) => r.id),
      byId,
      partial,
      LABELS,
      null,
      'probability',
      [0.5],
    );
    expect(p).toMatchObject({ kept: 8, share: 8 / 9 });
  });
});
