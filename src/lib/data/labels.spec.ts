import { describe, expect, it } from 'vitest';
import { describeFlag, draftFromTally, draftLabelNames, flagLabels, labeledCount, tallyLabels, tallyLabelsSliced } from './labels';
import { applyMapping } from './mapping';
import type { RawTable } from './types';

const tally = (value: string, count: number, rows: number[] = [1]) => ({ value, count, rows });

describe('flagLabels', () => {
  it('flags every value outside the codebook, with counts and rows', () => {
    const f = flagLabels([tally('pos', 90), tally('neg', 80), tally('neutral', 3, [4, 9, 12])], ['pos', 'neg']);
    expect(f).toEqual([{ value: 'neutral', count: 3, rows: [4, 9, 12], why: 'not-in-codebook' }]);
    expect(describeFlag(f[0])).toBe('“neutral” — 3 rows (4, 9, 12): not a label of the codebook');
  });

  it('without a codebook, flags a word among numbers, a case variant and a rare value', () => {
    expect(flagLabels([tally('0', 400), tally('1', 300), tally('2', 290), tally('maybe', 1, [17])], null)).toEqual([
      { value: 'maybe', count: 1, rows: [17], why: 'odd-form' },
    ]);
    expect(flagLabels([tally('positive', 50), tally('negative', 40), tally('Positive ', 2)], null)).toEqual([
      { value: 'Positive ', count: 2, rows: [1], why: 'variant', like: 'positive' },
    ]);
    const rare = flagLabels([tally('a', 500), tally('b', 480), tally('c', 4)], null);
    expect(rare.map((x) => [x.value, x.why])).toEqual([['c', 'rare']]);
  });

  it('flags missing-value markers whatever the other values are', () => {
    expect(flagLabels([tally('pos', 40), tally('neg', 40), tally('NA', 12, [2, 8])], null)).toEqual([
      { value: 'NA', count: 12, rows: [2, 8], why: 'missing' },
    ]);
    expect(flagLabels([tally('1', 300), tally('0', 300), tally('null', 200)], null).map((f) => f.why)).toEqual(['missing']);
  });

  it('leaves an ordinary label set alone, small data sets included', () => {
    expect(flagLabels([tally('pos', 29), tally('neg', 28), tally('mixed', 1)], null)).toEqual([]);
    expect(flagLabels([tally('1', 60), tally('0', 40)], null)).toEqual([]);
  });
});

describe('at import and when drafting a codebook', () => {
  const rows = Array.from({ length: 300 }, (_, i) => [`text ${i}`, i === 16 ? 'maybe' : String(i % 3)]);
  const t: RawTable = { columns: ['text', 'label'], rows };

  it('the import report names stray values with their rows', () => {
    const { report } = applyMapping(t, { text: 'text', id: null, label: 'label' });
    expect(report.labelFlags).toEqual([{ value: 'maybe', count: 1, rows: [17], why: 'odd-form' }]);
    const withCodebook = applyMapping(t, { text: 'text', id: null, label: 'label' }, { codebookLabels: ['0', '1'] }).report;
    expect(withCodebook.labelFlags.map((f) => [f.value, f.count, f.rows.slice(0, 3)])).toEqual([
      ['2', 100, [3, 6, 9]],
      ['maybe', 1, [17]],
    ]);
  });

  it('a drafted codebook leaves flagged values out and lists them', () => {
    const data = rows.map(([text, human], i) => ({ id: `r${i + 1}`, text, human }));
    const d = draftLabelNames(data);
    expect(d.names).toEqual(['0', '1', '2']);
    expect(d.left.map((f) => [f.value, f.rows])).toEqual([['maybe', ['r17']]]);
  });

  it('tallies in slices exactly as in one pass, and drafts from either', async () => {
    const data = rows.map(([text, human], i) => ({ id: `r${i + 1}`, text, human }));
    const sliced = await tallyLabelsSliced(data, 3);
    expect(sliced).toEqual(tallyLabels(data, 3));
    expect(sliced.find((t) => t.value === '2')).toEqual({ value: '2', count: 100, rows: ['r3', 'r6', 'r9'] });
    expect(draftFromTally(await tallyLabelsSliced(data))).toEqual(draftLabelNames(data));
  });
});

describe('labeledCount', () => {
  it('counts the rows with a human label, once per rows array', () => {
    const rows = [{ human: 'a' }, { human: null }, { human: '' }];
    expect(labeledCount(rows)).toBe(2); // '' is a value here, as the splits count it
    expect(labeledCount([...rows, { human: 'b' }])).toBe(3);
    expect(labeledCount([])).toBe(0);
  });
});
