import { describe, expect, it } from 'vitest';
import { compareShares, shareWarning, validationPrior } from './shares';

describe('compareShares', () => {
  it('counts shares over texts where both sides have a label', () => {
    const c = compareShares(['no', 'yes'], [0, 0, 1, -1, 0], [0, 1, 1, 1, -1], 'the teacher', 'on 5 test texts');
    expect(c.n).toBe(3);
    expect(c.student).toEqual([2 / 3, 1 / 3]);
    expect(c.reference).toEqual([1 / 3, 2 / 3]);
    expect(c.maxGap).toBeCloseTo(1 / 3, 12);
  });

  it('warns past 10 points and names the label and both shares', () => {
    // The case: the student says positive for 16 % of texts, its teacher 37 %.
    const student = Array.from({ length: 100 }, (_, i) => (i < 16 ? 1 : 0));
    const teacher = Array.from({ length: 100 }, (_, i) => (i < 37 ? 1 : 0));
    const w = shareWarning(compareShares(['other', 'positive'], student, teacher, 'the teacher', 'out-of-fold on its 100 training texts'));
    expect(w).toMatch(/“(positive|other)”/);
    expect(w).toMatch(/16 %.*37 %|84 %.*63 %/);
    expect(w).toContain('the teacher');
  });

  it('stays quiet within 10 points and on no texts', () => {
    const a = Array.from({ length: 100 }, (_, i) => (i < 30 ? 1 : 0));
    const b = Array.from({ length: 100 }, (_, i) => (i < 40 ? 1 : 0));
    expect(shareWarning(compareShares(['n', 'y'], a, b, 'the teacher', 'x'))).toBeNull();
    expect(shareWarning(compareShares(['n', 'y'], [], [], 'the teacher', 'x'))).toBeNull();
  });
});

describe('validationPrior', () => {
  const human = new Map([
    ['v1', 'yes'],
    ['v2', 'no'],
    ['v3', 'no'],
    ['v4', 'maybe'], // outside the codebook: left out
    ['t1', 'yes'],
    ['t2', 'yes'],
  ]);
  it('is the share of each label among the validation sample’s human labels', () => {
    expect(validationPrior(['v1', 'v2', 'v3', 'v4', 'v5'], (id) => human.get(id), ['no', 'yes'])).toEqual({ shares: [2 / 3, 1 / 3], n: 3 });
    expect(validationPrior([], (id) => human.get(id), ['no', 'yes'])).toBeNull();
  });
  it('never reads a test label: changing every test row’s label changes nothing', () => {
    const seen: string[] = [];
    const read = (m: Map<string, string>) => (id: string) => (seen.push(id), m.get(id));
    const a = validationPrior(['v1', 'v2', 'v3'], read(human), ['no', 'yes']);
    const flipped = new Map([...human, ['t1', 'no'], ['t2', 'no']]);
    expect(validationPrior(['v1', 'v2', 'v3'], read(flipped), ['no', 'yes'])).toEqual(a);
    expect(seen.every((id) => id.startsWith('v'))).toBe(true);
  });
});
