// Titles, captions and axis labels of the Compare charts. Pure, so the words
// are tested: a task without a positive class plots macro F1, and says so.
import type { ComparisonRow } from '$lib/eval/compare';

export type HeadlineMetric = 'F1' | 'macro F1';

/** The metric the charts and the "Beside the paper" lines plot: positive-class F1, else macro F1. */
export function headlineMetric(rows: readonly Pick<ComparisonRow, 'metrics'>[]): HeadlineMetric {
  return rows.some((r) => r.metrics.f1 !== null) ? 'F1' : 'macro F1';
}

/** "F1" / "Macro F1" at the start of a sentence or label. */
export const capitalised = (m: HeadlineMetric) => (m === 'F1' ? 'F1' : 'Macro F1');

export interface ChartText {
  sweepTitle: string;
  sweepCaption: string;
  curveCaption: string;
  /** The y axis of the sweep and curve charts. */
  axis: string;
}

/** `sweepBy`: what the sweep filtered on (consistency of the repeats, or the teacher's probability from logprobs). */
export function chartText(metric: HeadlineMetric, level = 95, sweepBy: 'consistency' | 'probability' = 'consistency'): ChartText {
  const M = capitalised(metric);
  const measure = sweepBy === 'probability' ? 'teacher probability' : 'consistency';
  return {
    sweepTitle: sweepBy === 'probability' ? 'Teacher probability threshold sweep' : 'Consistency threshold sweep',
    sweepCaption: `${M} of a student trained only on LLM labels with ${measure} ≥ t (bars: ${level}% CI); n = its training-set size.`,
    curveCaption: `${M} (band: ${level}% CI) against the number of LLM labels; dashed lines: the LLM itself and students on human labels.`,
    axis: `↑ ${M} on the human test set`,
  };
}
