import { describe, expect, it } from 'vitest';
import { computeMetrics, EvalInputError } from './metrics';
import {
  compareConditions,
  headlines,
  headlineValue,
  learningCurve,
  PAPER_REFERENCE,
  predsAtThreshold,
  thresholdSweep,
  type Condition,
} from './compare';

// 200 test items: items 0..59 positive (prevalence 0.3), 60..199 negative.
const N = 200;
const POS = 60;
const yTrue = Int32Array.from({ length: N }, (_, i) => (i < POS ? 1 : 0));

/** Predictions with exactly tp true positives and fp false positives. */
function preds(tp: number, fp: number): Int32Array {
  return Int32Array.from({ length: N }, (_, i) => (i < POS ? (i < tp ? 1 : 0) : i - POS < fp ? 1 : 0));
}

const base = { backend: 'webgpu', encoder: 'distilbert' } as const;
const conditions: Condition[] = [
  // F1 = 2TP / (2TP + FP + FN) = 110 / (110 + 28 + 5) = 110/143 = 0.769
  {
    id: 'teacher',
    name: 'LLM few-shot (teacher)',
    kind: 'teacher',
    trainSource: null,
    trainSize: null,
    encoder: null,
    backend: null,
    preds: preds(55, 28),
  },
  // 108 / (108 + 30 + 6) = 0.750; P = 54/84 = 0.643, R = 54/60 = 0.900
  {
    id: 'llm1000',
    name: 'Student on 1000 LLM labels',
    kind: 'student',
    trainSource: 'llm',
    trainSize: 1000,
    ...base,
    preds: preds(54, 30),
  },
  // 80 / (80 + 10 + 20) = 0.727
  {
    id: 'human250',
    name: 'Student on 250 human labels',
    kind: 'student',
    trainSource: 'human',
    trainSize: 250,
    ...base,
    preds: preds(40, 10),
  },
  // 96 / (96 + 8 + 12) = 0.828; P = 48/56 = 0.857, R = 48/60 = 0.800
  {
    id: 'human1000',
    name: 'Student on 1000 human labels',
    kind: 'student',
    trainSource: 'human',
    trainSize: 1000,
    ...base,
    preds: preds(48, 8),
  },
  // 104 / (104 + 18 + 8) = 0.800
  {
    id: 'cons',
    name: 'Student on LLM labels, consistency = 1',
    kind: 'student',
    trainSource: 'llm',
    trainSize: 700,
    consistencyFilter: true,
    ...base,
    preds: preds(52, 18),
  },
];
const opts = { resamples: 500, seed: 7 };

describe('compareConditions', () => {
  const rows = compareConditions(yTrue, conditions, 2, 1, opts);

  it('gives one row per condition with its metadata, metrics and CIs', () => {
    expect(rows.map((r) => r.id)).toEqual(conditions.map((c) => c.id));
    const llm = rows[1];
    expect(llm).toMatchObject({
      name: 'Student on 1000 LLM labels',
      kind: 'student',
      trainSource: 'llm',
      trainSize: 1000,
      consistencyFilter: false,
    });
    expect(llm.metrics).toEqual(computeMetrics(yTrue, conditions[1].preds, 2, 1));
    expect(llm.metrics.f1).toBeCloseTo(0.75, 12);
    expect(headlineValue(rows[3])).toBeCloseTo(96 / 116, 12);
    expect(llm.ci.f1!.lo).toBeLessThan(0.75);
    expect(llm.ci.f1!.hi).toBeGreaterThan(0.75);
    expect(rows[4].consistencyFilter).toBe(true);
    expect(rows.every((r) => r.warnings.length === 0)).toBe(true);
  });

  it('attaches warnings and rejects misaligned predictions', () => {
    const never: Condition = { ...conditions[1], id: 'x', preds: new Int32Array(N) };
    const [row] = compareConditions(yTrue, [never], 2, 1, { ...opts, labelNames: ['no', 'yes'] });
    expect(row.warnings).toEqual([
      'The classifier never predicted the positive class "yes": its precision is undefined (scikit-learn\'s zero_division=0 would report 0), and its F1 is 0.',
    ]);
    expect(() => compareConditions(yTrue, [{ ...never, preds: [1, 0] }], 2, 1)).toThrow(EvalInputError);
  });
});

describe('headlines', () => {
  const rows = compareConditions(yTrue, conditions, 2, 1, opts);
  const hs = headlines(rows, yTrue, conditions, 2, 1, opts);

  it('produces the paper-style findings in a fixed order', () => {
    expect(hs.map((h) => [h.kind, h.a, h.b])).toEqual([
      ['llm-vs-human', 'llm1000', 'human250'], // no 250-label LLM student: the largest one
      ['llm-vs-human', 'llm1000', 'human1000'],
      ['student-vs-teacher', 'llm1000', 'teacher'],
      ['precision-recall', 'llm1000', 'human1000'], // the equal-size pair
      ['consistency-filter', 'cons', 'llm1000'],
    ]);
  });

  it('states the LLM-vs-human gap with its paired CI, McNemar p and the paper median', () => {
    const h = hs[1];
    // 0.750 - 0.828 = -0.078
    expect(h.diff!.estimate).toBeCloseTo(0.75 - 96 / 116, 12);
    expect(h.diff!.hi).toBeLessThan(0.05);
    expect(h.paper).toBe(PAPER_REFERENCE.medianGapStudentLlmVsHuman);
    expect(
      h.text.startsWith(
        'Student on 1000 LLM labels is 0.078 F1 below Student on 1000 human labels (0.750 vs 0.828); paired 95% bootstrap CI of the F1 difference ',
      ),
    ).toBe(true);
    expect(h.text).toContain(`${h.diff!.lo.toFixed(3)} to ${h.diff!.hi.toFixed(3)}`);
    // Discordant items: b = A right & B wrong, c = A wrong & B right.
    // LLM gets positives 48..53 right and human wrong (b += 6); negatives 68..89
    // human right, LLM wrong (c += 22): b + c = 28 -> chi-square.
    expect(h.mcnemar).toMatchObject({ b: 6, c: 22, exact: false });
    expect(h.text).toContain(
      `McNemar's test of whether the two disagree on which texts they get right (accuracy): 6 texts only Student on 1000 LLM labels gets right, 22 only Student on 1000 human labels, p = ${h.mcnemar!.pValue.toFixed(3)}.`,
    );
    expect(h.text).toContain('Pangakis & Wolken (2024) report a median gap of 0.039 F1 in favour of students trained on human labels');
  });

  it('gives macro F1, κ and the predicted share beside F1, and never calls a degenerate student better than its teacher', () => {
    const h = hs[2];
    expect(h.text).toMatch(/Beside it: macro F1 0\.\d{3} vs 0\.\d{3}, κ -?0\.\d{3} vs -?0\.\d{3}, predicting the positive class for/);
    const warned = conditions.map((c) => (c.id === 'llm1000' ? { ...c, degenerate: ['No usable signal in these labels: …'] } : c));
    const wrows = compareConditions(yTrue, warned, 2, 1, opts);
    expect(wrows.find((r) => r.id === 'llm1000')).toMatchObject({ degenerate: true, warnings: ['No usable signal in these labels: …'] });
    const t = headlines(wrows, yTrue, warned, 2, 1, opts).find((x) => x.kind === 'student-vs-teacher')!;
    expect(t.text.startsWith('Student on 1000 LLM labels is not a usable surrogate of')).toBe(true);
  });

  it('compares the student with its teacher and cites the 0.006 median', () => {
    const h = hs[2];
    // 0.750 - 0.769 = -0.019
    expect(h.text.startsWith('Student on 1000 LLM labels is 0.019 F1 below LLM few-shot (teacher) (0.750 vs 0.769)')).toBe(true);
    expect(h.text).toContain("Neither the F1 interval nor McNemar's test separates the two: this test set cannot tell them apart.");
    expect(h.text).toContain('median difference of only 0.006 F1');
  });

  it('describes the recall / precision trade-off', () => {
    expect(hs[3].text).toBe(
      'Student on 1000 LLM labels has recall 0.900 and precision 0.643, predicting the positive class for 42.0% of test items (true share 30.0%); ' +
        'Student on 1000 human labels has recall 0.800 and precision 0.857 (predicts 28.0% positive). ' +
        'This matches Pangakis & Wolken (2024), where students trained on LLM labels gained recall (median 0.75) at the cost of precision.',
    );
  });

  it('reports the consistency filter effect', () => {
    const h = hs[4];
    // 0.800 - 0.750 = +0.050
    expect(h.text.startsWith('Student on LLM labels, consistency = 1 is 0.050 F1 above Student on 1000 LLM labels (0.800 vs 0.750)')).toBe(
      true,
    );
    expect(h.text).toContain('It was trained on 700 texts instead of 1000.');
    expect(h.diff!.estimate).toBeGreaterThan(0);
  });

  it('uses macro F1 and skips the trade-off sentence without a positive class', () => {
    const multi = headlines(compareConditions(yTrue, conditions, 2, null, opts), yTrue, conditions, 2, null, opts);
    expect(multi.some((h) => h.kind === 'precision-recall')).toBe(false);
    expect(multi[0].text).toMatch(/ macro F1 (below|above) /);
  });

  it('says nothing when a counterpart is missing', () => {
    const only = [conditions[1]];
    expect(headlines(compareConditions(yTrue, only, 2, 1, opts), yTrue, only, 2, 1, opts)).toEqual([]);
  });
});

describe('curves', () => {
  it('learningCurve returns sorted points with CIs, per series', () => {
    const pts = learningCurve(
      yTrue,
      [
        { x: 1000, preds: conditions[3].preds, series: 'human labels' },
        { x: 250, preds: conditions[2].preds, series: 'human labels' },
        { x: 1000, preds: conditions[1].preds, series: 'LLM labels' },
      ],
      2,
      1,
      opts,
    );
    expect(pts.map((p) => [p.series, p.x])).toEqual([
      ['human labels', 250],
      ['human labels', 1000],
      ['LLM labels', 1000],
    ]);
    expect(pts[0].f1).toBeCloseTo(80 / 110, 12);
    expect(pts[0].n).toBe(N);
    expect(pts[0].lo).toBeLessThanOrEqual(pts[0].f1);
    expect(pts[0].hi).toBeGreaterThanOrEqual(pts[0].f1);
    expect(Object.keys(pts[0]).sort()).toEqual(['f1', 'hi', 'lo', 'n', 'series', 'x']);
  });

  it('predsAtThreshold + thresholdSweep trace recall falling as the threshold rises', () => {
    // Probability of the positive class: 0.9 for positives 0..29, 0.6 for 30..59 and for negatives 60..79, else 0.1.
    const probs = new Float32Array(N * 2);
    for (let i = 0; i < N; i++) {
      const p = i < 30 ? 0.9 : i < 80 ? 0.6 : 0.1;
      probs[2 * i] = 1 - p;
      probs[2 * i + 1] = p;
    }
    const at = (t: number) => predsAtThreshold(probs, 2, 1, t);
    expect(Array.from(at(0.5).slice(0, 3))).toEqual([1, 1, 1]);
    expect(at(0.7)[40]).toBe(0);
    const sweep = thresholdSweep(
      yTrue,
      [0.7, 0.5].map((x) => ({ x, preds: at(x) })),
      2,
      1,
      opts,
    );
    expect(sweep.map((p) => p.x)).toEqual([0.5, 0.7]);
    expect(sweep[0].recall).toBe(1); // all 60 positives at 0.5, plus 20 false positives
    expect(sweep[0].precision).toBeCloseTo(60 / 80, 12);
    expect(sweep[1].recall).toBe(0.5); // 30 / 60
    expect(sweep[1].precision).toBe(1);
    expect(() => predsAtThreshold(new Float32Array(3), 2, 1, 0.5)).toThrow(EvalInputError);
  });
});

describe('headline wording rules', () => {
  const student = (id: string, source: 'llm' | 'human', preds: ArrayLike<number>): Condition => ({
    id,
    name: id,
    kind: 'student',
    trainSource: source,
    trainSize: 100,
    encoder: 'e',
    backend: 'cpu',
    preds: Int32Array.from(preds),
  });
  const run = (y: ArrayLike<number>, conds: Condition[], positive: number | null = 1, o = opts) =>
    headlines(compareConditions(y, conds, 2, positive, o), y, conds, 2, positive, { ...o, labelNames: ['no', 'yes'] });

  it('makes no "unlikely to be noise" claim on 7 test texts, and warns instead', () => {
    const y = [1, 1, 0, 0, 0, 1, 0];
    const [h] = run(y, [student('A', 'llm', [0, 0, 0, 0, 0, 0, 0]), student('B', 'human', y)]);
    // The interval is -1 to -1: it "excludes zero", but at n = 7 that means nothing.
    expect(h.diff).toMatchObject({ lo: -1, hi: -1 });
    expect(h.text).toContain('CI of the F1 difference -1.000 to -1.000');
    expect(h.text).not.toMatch(/unlikely to be resampling noise|point the same way/);
    expect(h.text).toContain('Only 7 test texts (3 of the positive class "yes"): too few for either test to tell whether the two differ.');
    expect(h.smallSample).toBe(true);
  });

  it('warns when the positive class is rare even in a large test set', () => {
    const y = Int32Array.from({ length: 200 }, (_, i) => (i < 8 ? 1 : 0));
    const a = Int32Array.from(y, (v, i) => (i < 100 ? v : 1 - v));
    const [h] = run(y, [student('A', 'llm', a), student('B', 'human', y)]);
    expect(h.smallSample).toBe(true);
    expect(h.text).toContain('Only 8 of the 200 test texts belong to the positive class "yes": too few for either test');
    const pr = run(y, [student('A', 'llm', a), student('B', 'human', y)]).find((x) => x.kind === 'precision-recall')!;
    expect(pr.smallSample).toBe(true);
    expect(pr.text.endsWith('Only 8 of the 200 test texts belong to the positive class "yes": too few to read a pattern into.')).toBe(true);
    expect(h.text).not.toContain('unlikely to be resampling noise');
  });

  // 2000 texts, 1000 positive, so neither test is starved.
  const M = 2000;
  const yBig = Int32Array.from({ length: M }, (_, i) => (i < M / 2 ? 1 : 0));
  const at = (tp: number, fp: number) => Int32Array.from({ length: M }, (_, i) => (i < M / 2 ? (i < tp ? 1 : 0) : i - M / 2 < fp ? 1 : 0));

  it('says so when the F1 interval excludes zero but McNemar (accuracy) does not', () => {
    // Same accuracy (both get 1,300 texts right), very different F1.
    const [h] = run(yBig, [student('A', 'llm', at(950, 600)), student('B', 'human', at(500, 150))]);
    expect(h.diff!.lo).toBeGreaterThan(0);
    expect(h.mcnemar).toMatchObject({ b: 450, c: 450 });
    expect(h.text).toContain(
      "McNemar's test of whether the two disagree on which texts they get right (accuracy): 450 texts only A gets right, 450 only B, p = 0.973.",
    );
    expect(h.text).toContain(
      "The two point different ways: the F1 interval excludes zero, so the F1 difference is unlikely to be resampling noise, but McNemar's test finds no clear difference in accuracy (F1 looks only at the positive class, accuracy at every text).",
    );
  });

  it('says so when McNemar finds an accuracy difference but the F1 interval includes zero', () => {
    // Neither predicts any positive correctly: F1 is 0 for both, but B also has false positives.
    const [h] = run(yBig, [student('A', 'llm', at(0, 0)), student('B', 'human', at(0, 60))]);
    expect(h.diff).toMatchObject({ estimate: 0, lo: 0, hi: 0 });
    expect(h.mcnemar!.pValue).toBeLessThan(0.001);
    expect(
      h.text.startsWith(
        'A and B score the same F1 to three decimals (0.000); paired 95% bootstrap CI of the F1 difference 0.000 to 0.000.',
      ),
    ).toBe(true);
    expect(h.text).toContain(
      "The two point different ways: the F1 interval includes zero, so this test set cannot tell their F1 apart, but McNemar's test finds they differ in accuracy",
    );
    expect(h.text).not.toContain('cannot tell them apart');
  });

  it('names the classifier each test favours when both are significant in opposite directions', () => {
    // A: higher F1 (0.765 vs 0.667); B: more texts right (1,500 vs 1,390).
    const [h] = run(yBig, [student('A', 'llm', at(990, 600)), student('B', 'human', at(500, 0))]);
    expect(h.diff!.lo).toBeGreaterThan(0);
    expect(h.mcnemar).toMatchObject({ b: 490, c: 600 });
    expect(h.mcnemar!.pValue).toBeLessThan(0.05);
    expect(h.text).toContain(
      "The two point different ways: A has the higher F1 (the interval excludes zero), but McNemar's test finds that B gets more texts right",
    );
  });

  it('calls precision undefined for a classifier that never predicts the positive class', () => {
    const hs = run(yBig, [student('A', 'llm', at(600, 100)), student('B', 'human', at(0, 0))]);
    const pr = hs.find((h) => h.kind === 'precision-recall')!;
    expect(pr.text).toContain('B has recall 0.000 and precision undefined (it never predicts the positive class)');
    expect(pr.text).toContain('this run cannot show it, as one precision is undefined');
    expect(pr.text).not.toContain('precision 0.000');
  });

  it('says macro F1 in every sentence of a task without a positive class', () => {
    const y = Int32Array.from({ length: 300 }, (_, i) => i % 3);
    const conds = [
      student(
        'A',
        'llm',
        y.map((v, i) => (i % 7 === 0 ? (v + 1) % 3 : v)),
      ),
      student('B', 'human', y),
    ];
    const hs = headlines(compareConditions(y, conds, 3, null, opts), y, conds, 3, null, opts);
    expect(hs[0].text).toContain('macro F1 below B');
    expect(hs[0].text).toContain('CI of the macro F1 difference');
    // Only the paper's own median (an F1) may say plain "F1".
    expect(hs[0].text.split('Pangakis & Wolken')[0]).not.toMatch(/(?<!macro )F1/);
  });
});

describe('rows with undefined statistics', () => {
  it('drops undefined resamples, counts them, and flags an undefined estimate', () => {
    const never: Condition = { ...conditions[1], id: 'never', preds: new Int32Array(N) };
    const [row, ok] = compareConditions(yTrue, [never, conditions[1]], 2, 1, opts);
    expect(row.ci.precision).toMatchObject({ estimate: 0, defined: false, dropped: 500 });
    expect(row.ci.precision!.lo).toBeNaN();
    expect(row.ci.recall).toEqual({ estimate: 0, lo: 0, hi: 0 });
    expect(ok.ci.precision!.defined).toBeUndefined();
    expect(ok.ci.precision!.dropped).toBeUndefined();
  });

  it('warns when some resamples had an undefined precision', () => {
    // 40 texts, 10 positive; one positive prediction: most resamples still contain it, some do not.
    const y = Int32Array.from({ length: 40 }, (_, i) => (i < 10 ? 1 : 0));
    const p = Int32Array.from({ length: 40 }, (_, i) => (i === 0 ? 1 : 0));
    const [row] = compareConditions(y, [{ ...conditions[1], preds: p }], 2, 1, { resamples: 1000, seed: 3 });
    const d = row.ci.precision!.dropped!;
    expect(d).toBeGreaterThan(300); // P(item 0 missing from a resample) = (39/40)^40 ≈ 0.36
    expect(d).toBeLessThan(420);
    expect(row.ci.precision).toMatchObject({ estimate: 1, lo: 1, hi: 1 });
    expect(row.warnings).toContain(
      `Precision was undefined in ${d} of 1000 bootstrap resamples (no positive prediction in them); those resamples are left out of its interval.`,
    );
  });
});
