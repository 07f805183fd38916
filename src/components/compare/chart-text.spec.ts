import { describe, expect, it } from 'vitest';
import { computeMetrics } from '$lib/eval/metrics';
import type { ResultRow } from '$lib/experiment/experiment';
import { chartText, headlineMetric } from './chart-text';
import { referenceLines } from './reference';

const ci = { estimate: 0.5, lo: 0.4, hi: 0.6 };
function row(id: string, positive: number | null, extra: Partial<ResultRow>): ResultRow {
  const y = [0, 1, 2, 1, 0, 2];
  const metrics = computeMetrics(y, [0, 1, 1, 1, 0, 2], 3, positive);
  return {
    id,
    name: id,
    kind: 'student',
    trainSource: 'llm',
    trainSize: 100,
    encoder: 'e',
    backend: 'cpu',
    consistencyFilter: false,
    metrics,
    ci: {
      accuracy: ci,
      precision: positive === null ? null : ci,
      recall: positive === null ? null : ci,
      f1: positive === null ? null : ci,
      macroF1: ci,
    },
    warnings: [],
    roles: [],
    ...extra,
  };
}
const rows = (positive: number | null) => [
  row('main', positive, { roles: [{ kind: 'main' }] }),
  row('teacher', positive, { kind: 'teacher', trainSource: null, trainSize: null }),
  row('human', positive, { trainSource: 'human', roles: [{ kind: 'human', size: 100 }] }),
];

describe('chart and reference wording', () => {
  it('says F1 for a task with a positive class', () => {
    expect(headlineMetric(rows(1))).toBe('F1');
    const t = chartText('F1');
    expect(t.sweepCaption.startsWith('F1 of a student trained only on LLM labels with consistency ≥ t (bars: 95% CI)')).toBe(true);
    expect(t.sweepTitle).toBe('Consistency threshold sweep');
    const p = chartText('F1', 95, 'probability');
    expect(p.sweepTitle).toBe('Teacher probability threshold sweep');
    expect(p.sweepCaption.startsWith('F1 of a student trained only on LLM labels with teacher probability ≥ t')).toBe(true);
    expect(t.curveCaption.startsWith('F1 (band: 95% CI) against the number of LLM labels')).toBe(true);
    expect(t.axis).toBe('↑ F1 on the human test set');
    expect(referenceLines(rows(1)).map((l) => l.what)).toEqual([
      'F1 of the student on LLM labels',
      'F1 of the LLM few-shot (teacher)',
      'LLM few-shot minus student on LLM labels (F1)',
      'Student on human labels minus student on LLM labels (F1)',
      'Recall of the student on LLM labels',
    ]);
  });

  it('says macro F1 wherever a multi-class task plots macro F1', () => {
    const multi = rows(null);
    expect(headlineMetric(multi)).toBe('macro F1');
    const t = chartText(headlineMetric(multi));
    expect(t.sweepCaption.startsWith('Macro F1 of a student')).toBe(true);
    expect(t.curveCaption.startsWith('Macro F1 (band: 95% CI)')).toBe(true);
    expect(t.axis).toBe('↑ Macro F1 on the human test set');
    for (const s of [t.sweepCaption, t.curveCaption, t.axis]) expect(s).not.toMatch(/(?<!Macro )F1/);
    const lines = referenceLines(multi);
    expect(lines.map((l) => l.what)).toEqual([
      'Macro F1 of the student on LLM labels (paper: F1)',
      'Macro F1 of the LLM few-shot (teacher) (paper: F1)',
      'LLM few-shot minus student on LLM labels (macro F1; paper: F1)',
      'Student on human labels minus student on LLM labels (macro F1; paper: F1)',
      'Recall of the student on LLM labels',
    ]);
    expect(lines[0].ours).toBe(multi[0].metrics.macroF1);
  });
});
