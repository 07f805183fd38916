import { describe, expect, it } from 'vitest';
import { labelCounts, lengthStats, previewRows, valueCounts } from './stats';

describe('stats', () => {
  it('counts values, labels and lengths', () => {
    const t = {
      columns: ['text', 'label'],
      rows: [
        ['aa', 'x'],
        ['b', ' y'],
        ['cccc', 'x'],
        ['d', ''],
      ],
    };
    expect(valueCounts(t, 'label')).toEqual([
      { value: 'x', count: 2 },
      { value: 'y', count: 1 },
    ]);
    expect(valueCounts(t, 'nope')).toEqual([]);
    expect(previewRows(t, 2)).toEqual([
      ['aa', 'x'],
      ['b', ' y'],
    ]);
    expect(lengthStats(['aa', 'b', 'cccc', 'd'])).toEqual({ mean: 2, median: 1.5, max: 4 });
    expect(lengthStats([])).toEqual({ mean: 0, median: 0, max: 0 });
    const rows = [{ human: 'a' }, { human: null }, { human: 'a' }].map((r, i) => ({ ...r, id: `${i}`, text: 't', hash: 'h' }));
    expect(labelCounts(rows)).toEqual(
      new Map<string | null, number>([
        ['a', 2],
        [null, 1],
      ]),
    );
  });
});
