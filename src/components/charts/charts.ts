// The app's charts as Observable Plot specifications. Each takes plain data
// (from eval/) and a width, and returns the element Plot draws. Everything a
// reader needs is inside the SVG (no HTML legends), so the exports stand alone.
import * as Plot from '@observablehq/plot';

const METRIC_COLORS = { Precision: '#4e79a7', Recall: '#f28e2b', F1: '#1f6f5c' } as const;
const FONT = 'system-ui, sans-serif';

/** One condition's positive-class metrics for the grouped bars; null = undefined (no bar, a label says so). */
export interface MetricBar {
  condition: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/**
 * Precision, recall and F1 per condition as grouped horizontal bars: the
 * paper's finding (students on LLM labels gain recall, lose precision) reads
 * as the orange bar outgrowing the blue one.
 */
export function metricBarsChart(rows: readonly MetricBar[], width: number): Element {
  const all = rows.flatMap((r) => [
    { condition: r.condition, metric: 'Precision', value: r.precision },
    { condition: r.condition, metric: 'Recall', value: r.recall },
    { condition: r.condition, metric: 'F1', value: r.f1 },
  ]);
  // An undefined metric (e.g. precision without a positive prediction) gets no bar, not a zero-length one.
  const data = all.filter((d): d is { condition: string; metric: string; value: number } => d.value !== null);
  const missing = all.filter((d) => d.value === null).map((d) => ({ ...d, value: 0 }));
  const longest = Math.max(0, ...rows.map((r) => r.condition.length));
  const marginLeft = Math.min(320, 30 + longest * 6.2);
  const marginRight = 70;
  return Plot.plot({
    // Never narrower than the margins plus room for the bars (a narrow panel
    // scrolls instead of drawing negative widths).
    width: Math.max(width, marginLeft + marginRight + 240),
    height: 40 + rows.length * 3 * 16 + rows.length * 10,
    marginLeft,
    marginRight,
    style: { fontFamily: FONT, fontSize: '11px' },
    x: { domain: [0, 1], grid: true, label: 'Score on the human test set →' },
    y: { axis: null, domain: Object.keys(METRIC_COLORS) },
    fy: { label: null, domain: rows.map((r) => r.condition), padding: 0.25 },
    color: { domain: Object.keys(METRIC_COLORS), range: Object.values(METRIC_COLORS) },
    marks: [
      Plot.barX(data, { x: 'value', y: 'metric', fy: 'condition', fill: 'metric' }),
      Plot.text(data, {
        x: 'value',
        y: 'metric',
        fy: 'condition',
        text: (d: { metric: string; value: number }) => `${d.metric} ${d.value.toFixed(2)}`,
        textAnchor: 'start',
        dx: 4,
        fontSize: 10,
        fill: '#333',
      }),
      Plot.text(missing, {
        x: 'value',
        y: 'metric',
        fy: 'condition',
        text: (d: { metric: string }) => `${d.metric} undefined`,
        textAnchor: 'start',
        dx: 4,
        fontSize: 10,
        fill: '#777',
        fontStyle: 'italic',
      }),
      Plot.ruleX([0]),
    ],
  });
}

/** One consistency threshold: the student's F1 with its CI and its training-set size. */
export interface SweepBar {
  t: number;
  f1: number | null;
  lo: number | null;
  hi: number | null;
  size: number;
}

/**
 * F1 (with 95% CI) against the consistency threshold; each point labelled with
 * its training-set size. `yLabel` names the metric (macro F1 without a positive
 * class); `measure` what the threshold is on (the teacher's probability, from logprobs).
 */
export function sweepChart(
  points: readonly SweepBar[],
  width: number,
  yLabel = '↑ F1 on the human test set',
  measure = 'consistency',
): Element {
  const scored = points.filter(
    (p): p is SweepBar & { f1: number; lo: number; hi: number } => p.f1 !== null && p.lo !== null && p.hi !== null,
  );
  return Plot.plot({
    width,
    height: 300,
    marginTop: 30,
    style: { fontFamily: FONT, fontSize: '11px' },
    x: { label: `Keep LLM labels with ${measure} ≥ t →`, domain: [0.45, 1.05], ticks: points.map((p) => p.t) },
    y: { label: yLabel, domain: [0, 1], grid: true },
    marks: [
      Plot.ruleY([0]),
      Plot.ruleX(scored, { x: 't', y1: 'lo', y2: 'hi', stroke: '#1f6f5c', strokeOpacity: 0.5, strokeWidth: 6 }),
      Plot.line(scored, { x: 't', y: 'f1', stroke: '#1f6f5c' }),
      Plot.dot(scored, { x: 't', y: 'f1', fill: '#1f6f5c', r: 4 }),
      Plot.text(points, {
        x: 't',
        y: (p: SweepBar) => p.hi ?? 0,
        text: (p: SweepBar) => `n=${p.size}`,
        dy: -12,
        fontSize: 10,
        fill: '#555',
      }),
    ],
  });
}

/** A learning-curve point (eval/curves CurvePoint). */
export interface CurveDot {
  x: number;
  f1: number;
  lo: number;
  hi: number;
  series?: string;
}

/** A horizontal reference line, e.g. the LLM teacher's own F1. */
export interface Reference {
  label: string;
  value: number;
}

/** F1 (or macro F1, per `yLabel`) with a CI band against the number of training labels, with reference lines. */
export function curveChart(
  points: readonly CurveDot[],
  refs: readonly Reference[],
  width: number,
  yLabel = '↑ F1 on the human test set',
): Element {
  const series = (p: CurveDot) => p.series ?? 'LLM labels';
  const domain = [...new Set(points.map(series))];
  return Plot.plot({
    width,
    height: 320,
    marginRight: 170,
    style: { fontFamily: FONT, fontSize: '11px' },
    x: {
      label: 'Training labels →',
      type:
        points.length > 1 && Math.max(...points.map((p) => p.x)) / Math.max(1, Math.min(...points.map((p) => p.x))) > 8 ? 'log' : 'linear',
      ticks: [...new Set(points.map((p) => p.x))],
      tickFormat: 'd',
    },
    y: { label: yLabel, domain: [0, 1], grid: true },
    color: { domain, range: ['#1f6f5c', '#b3261e', '#4e79a7'] },
    marks: [
      Plot.areaY(points, { x: 'x', y1: 'lo', y2: 'hi', fill: series, fillOpacity: 0.15, curve: 'linear' }),
      Plot.line(points, { x: 'x', y: 'f1', stroke: series }),
      Plot.dot(points, { x: 'x', y: 'f1', fill: series, r: 3.5 }),
      // Series names only when there are several; the caption names a single one.
      ...(domain.length > 1
        ? [Plot.text(points, Plot.selectLast({ x: 'x', y: 'f1', z: series, text: series, textAnchor: 'end', dy: -10, fill: series }))]
        : []),
      Plot.ruleY(refs, { y: 'value', stroke: '#777', strokeDasharray: '4,3' }),
      Plot.text(spread(refs, 0.06), {
        y: 'at',
        text: 'text',
        frameAnchor: 'right',
        textAnchor: 'start',
        dx: 4,
        fill: '#555',
        fontSize: 10,
      }),
    ],
  });
}

/**
 * Label positions for reference lines: at their value, pushed apart (in data
 * units) so close values do not print on top of each other.
 */
export function spread(refs: readonly Reference[], gap: number): { at: number; text: string }[] {
  const sorted = [...refs].sort((a, b) => b.value - a.value);
  let prev = Infinity;
  return sorted.map((r) => {
    const at = Math.min(r.value, prev - gap);
    prev = at;
    return { at, text: `${r.label} ${r.value.toFixed(2)}` };
  });
}

/** How often each consistency level occurs (eval consistencyLevels). */
export function consistencyChart(levels: readonly { value: number; count: number }[], width: number): Element {
  return Plot.plot({
    width: Math.min(width, 420),
    height: 180,
    style: { fontFamily: FONT, fontSize: '11px' },
    x: { label: 'Consistency (share of repeats agreeing) →', type: 'band', tickFormat: (v: number) => v.toFixed(2) },
    y: { label: '↑ Texts', grid: true },
    marks: [
      Plot.barY(levels, { x: 'value', y: 'count', fill: (d: { value: number }) => (d.value >= 1 - 1e-9 ? '#1f6f5c' : '#f28e2b') }),
      Plot.text(levels, { x: 'value', y: 'count', text: 'count', dy: -6, fontSize: 10 }),
      Plot.ruleY([0]),
    ],
  });
}
