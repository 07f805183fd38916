import { describe, expect, it } from 'vitest';
import { packIdList } from '../store/packed-ids';
import { filterItems, reviewItems, scoreTeacher, studentLabels, versionScores, withLiveScore, type TeacherView } from './validation';
import type { DataRow } from '../data/types';

const NAMES = ['negative', 'positive'];
const rows: DataRow[] = ['p', 'p', 'n', 'n', 'p', 'n'].map((h, i) => ({
  id: `r${i}`,
  text: `t${i}`,
  human: h === 'p' ? 'positive' : 'negative',
  hash: `h${i}`,
}));
const byId = new Map(rows.map((r) => [r.id, r]));
const tl = (label: string | null, consistency: number, n = 3): TeacherView => ({ label, consistency, n });

describe('scoreTeacher', () => {
  it('scores answered validation texts; an invalid answer counts wrong', () => {
    const labels = new Map<string, TeacherView>([
      ['r0', tl('positive', 1)],
      ['r1', tl('negative', 2 / 3)],
      ['r2', tl('negative', 1)],
      ['r3', tl(null, 0)],
    ]);
    const s = scoreTeacher(['r0', 'r1', 'r2', 'r3', 'r4'], byId, labels, NAMES, 'positive')!;
    expect(s.validation).toBe(5);
    expect(s.scored).toBe(4);
    expect(s.metrics.accuracy).toBeCloseTo(2 / 4);
    expect(s.metrics.recall).toBeCloseTo(1 / 2);
    expect(s.metrics.precision).toBe(1);
    expect(s.metrics.abstained).toBe(1);
    expect(s.ci.f1!.lo).toBeLessThanOrEqual(s.metrics.f1!);
    expect(s.levels.map((l) => l.count)).toEqual([1, 1, 2]);
    expect(s.warnings.join(' ')).toMatch(/validation items/);
  });

  it('is null before the teacher answered any validation text', () => {
    expect(scoreTeacher(['r0'], byId, new Map(), NAMES, 'positive')).toBeNull();
  });
});

describe('studentLabels', () => {
  it('finds a row by its place when the predictions are in the rows’ order, by id otherwise', () => {
    const s = studentLabels({ labels: NAMES, ids: packIdList(['a', 'b', 'c']), probs: Float32Array.from([0.9, 0.1, 0.3, 0.7, 0.6, 0.4]) });
    expect(s.get('b', 1)).toEqual({ label: NAMES[1], prob: expect.closeTo(0.7) as number });
    expect(s.get('c', 0)?.label).toBe(NAMES[0]); // not at 0: found by id
    expect(s.get('c')?.label).toBe(NAMES[0]);
    expect(s.get('z', 2)).toBeUndefined();
    expect(studentLabels(null).get('a', 0)).toBeUndefined();
  });
});

describe('reviewItems', () => {
  it('flags disagreements, low consistency and confident student disagreements', async () => {
    const labels = new Map<string, TeacherView>([
      ['r0', tl('positive', 1)],
      ['r1', tl('negative', 2 / 3)],
      ['r5', tl('positive', 1)],
    ]);
    const students = studentLabels({ labels: NAMES, ids: packIdList(['r0', 'r5']), probs: Float32Array.from([0.2, 0.8, 0.95, 0.05]) });
    const items = await reviewItems(['r0', 'r1'], rows, labels, () => ['x', 'y', null], students, 1);
    expect(items.map((i) => i.id)).toEqual(['r0', 'r1', 'r5']);
    const [a, b, c] = items;
    expect(a.disagree || a.low || a.studentDisagrees).toBe(false);
    expect(b.disagree && b.low).toBe(true);
    expect(c.studentDisagrees).toBe(true);
    expect(c.student!.prob).toBeCloseTo(0.95);
    const v = new Set(['r0', 'r1']);
    expect(filterItems(items, 'disagree', v).map((i) => i.id)).toEqual(['r1']);
    expect(filterItems(items, 'low', v).map((i) => i.id)).toEqual(['r1']);
    expect(filterItems(items, 'student', v).map((i) => i.id)).toEqual(['r5']);
    expect(filterItems(items, 'all', v)).toHaveLength(2);
  });
});

describe('versionScores', () => {
  const v = (version: number, labels: { rowId: string; label: string | null }[]) => ({
    version,
    createdAt: version,
    names: NAMES,
    positive: 'positive',
    labels,
  });
  it('scores each version’s labels against the human ones; a version without labels gets none', () => {
    const s = versionScores(
      [
        v(1, [
          { rowId: 'r0', label: 'negative' },
          { rowId: 'r2', label: 'negative' },
        ]),
        v(2, [
          { rowId: 'r0', label: 'positive' },
          { rowId: 'r2', label: null },
        ]),
        v(3, []),
      ],
      [rows[0], rows[2]],
    );
    expect(s.map((x) => x.metrics?.accuracy ?? null)).toEqual([0.5, 0.5, null]);
    expect(s.map((x) => x.scored)).toEqual([2, 2, 0]);
  });

  it('takes the active version’s row from the live score, the others as stored', () => {
    const stored = versionScores(
      [v(1, [{ rowId: 'r0', label: 'negative' }]), v(2, []), v(3, [{ rowId: 'r0', label: 'negative' }])],
      [rows[0]],
    );
    const live = scoreTeacher(
      [rows[0].id, rows[2].id],
      new Map(rows.map((r) => [r.id, r])),
      new Map([
        [rows[0].id, { label: 'positive', consistency: 1, n: 1 }],
        [rows[2].id, { label: 'negative', consistency: 1, n: 1 }],
      ]),
      NAMES,
      'positive',
    );
    const merged = withLiveScore(stored, 3, live);
    expect(merged.slice(0, 2)).toEqual(stored.slice(0, 2));
    expect(merged[2]).toMatchObject({ version: 3, scored: 2, metrics: live!.metrics });
    expect(withLiveScore(stored, 1, null)[0]).toMatchObject({ scored: 0, metrics: null });
  });
});
