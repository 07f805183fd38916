// Every chart's data as a table: its text alternative for screen readers and
// for anyone who wants the numbers. Pure (no Plot), so the words are tested.
import type { CurveDot, MetricBar, Reference, SweepBar } from './charts';

export interface ChartTable {
  columns: string[];
  rows: string[][];
}

const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'undefined' : v.toFixed(3));
const ci = (lo: number | null, hi: number | null) => (lo === null || hi === null ? '–' : `${num(lo)}–${num(hi)}`);

export function metricBarsTable(rows: readonly MetricBar[]): ChartTable {
  return {
    columns: ['Condition', 'Precision', 'Recall', 'F1'],
    rows: rows.map((r) => [r.condition, num(r.precision), num(r.recall), num(r.f1)]),
  };
}

/** `metric` names the score ("F1", "Macro F1"); `measure` what the sweep filtered on. */
export function sweepTable(points: readonly SweepBar[], metric = 'F1', measure = 'Consistency'): ChartTable {
  return {
    columns: [`${measure} ≥ t`, 'Training labels', metric, '95% CI'],
    rows: points.map((p) => [p.t.toFixed(2), String(p.size), num(p.f1), ci(p.lo, p.hi)]),
  };
}

export function curveTable(points: readonly CurveDot[], refs: readonly Reference[], metric = 'F1'): ChartTable {
  return {
    columns: ['Series', 'Training labels', metric, '95% CI'],
    rows: [
      ...points.map((p) => [p.series ?? 'LLM labels', String(p.x), num(p.f1), ci(p.lo, p.hi)]),
      ...refs.map((r) => [`${r.label} (reference line)`, '–', num(r.value), '–']),
    ],
  };
}

export function consistencyTable(levels: readonly { value: number; count: number }[]): ChartTable {
  return { columns: ['Consistency', 'Texts'], rows: levels.map((l) => [l.value.toFixed(2), String(l.count)]) };
}

/**
 * Makes a drawn Plot chart one image for assistive technology: the <svg> gets
 * role="img" and the chart's name, and the marks' own aria-labels (which ARIA
 * forbids on plain SVG groups) are dropped; the table carries the data.
 */
export function labelChart(svg: SVGSVGElement, name: string): void {
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', name);
  for (const el of svg.querySelectorAll('[aria-label], [aria-description]')) {
    el.removeAttribute('aria-label');
    el.removeAttribute('aria-description');
  }
}
