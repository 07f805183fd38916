import { describe, expect, it } from 'vitest';
import { consistencyTable, curveTable, metricBarsTable, sweepTable } from './chart-tables';

describe('chart data tables', () => {
  it('writes undefined metrics as "undefined", not 0', () => {
    const t = metricBarsTable([{ condition: 'Student on 34 LLM labels', precision: null, recall: 0.5, f1: 2 / 3 }]);
    expect(t.columns).toEqual(['Condition', 'Precision', 'Recall', 'F1']);
    expect(t.rows).toEqual([['Student on 34 LLM labels', 'undefined', '0.500', '0.667']]);
  });

  it('gives the sweep its threshold, size, score and interval under the metric name', () => {
    const t = sweepTable(
      [
        { t: 0.67, f1: 0.8, lo: 0.7, hi: 0.9, size: 20 },
        { t: 1, f1: null, lo: null, hi: null, size: 0 },
      ],
      'Macro F1',
    );
    expect(t.columns[2]).toBe('Macro F1');
    expect(t.rows).toEqual([
      ['0.67', '20', '0.800', '0.700–0.900'],
      ['1.00', '0', 'undefined', '–'],
    ]);
  });

  it('lists curve points per series and the reference lines', () => {
    const t = curveTable(
      [
        { x: 17, f1: 0.5, lo: 0.4, hi: 0.6 },
        { x: 34, f1: 0.6, lo: 0.5, hi: 0.7, series: 'human labels' },
      ],
      [{ label: 'LLM few-shot', value: 0.75 }],
    );
    expect(t.rows).toEqual([
      ['LLM labels', '17', '0.500', '0.400–0.600'],
      ['human labels', '34', '0.600', '0.500–0.700'],
      ['LLM few-shot (reference line)', '–', '0.750', '–'],
    ]);
  });

  it('counts texts per consistency level', () => {
    expect(
      consistencyTable([
        { value: 2 / 3, count: 3 },
        { value: 1, count: 9 },
      ]).rows,
    ).toEqual([
      ['0.67', '3'],
      ['1.00', '9'],
    ]);
  });
});
