import { describe, expect, it } from 'vitest';
import { computeMetrics, EvalInputError, isDefined, isSmallTestSet, smallSampleWarning, testSetSize, warnings } from './metrics';

describe('computeMetrics — binary', () => {
  // positive = 1
  // yTrue: 1 1 1 1 0 0 0 0 0 0
  // yPred: 1 1 1 0 1 1 0 0 0 0
  // TP = 3, FN = 1, FP = 2, TN = 4
  const yTrue = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const yPred = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0];
  const m = computeMetrics(yTrue, yPred, 2, 1);

  it('counts the confusion matrix as confusion[true][pred]', () => {
    expect(m.confusion).toEqual([
      [4, 2],
      [1, 3],
    ]);
    expect(m.n).toBe(10);
    expect(m.abstained).toBe(0);
    expect(m.classesInTest).toBe(2);
  });

  it('computes accuracy and positive-class precision / recall / F1', () => {
    expect(m.accuracy).toBeCloseTo(0.7, 12); // (3 + 4) / 10
    expect(m.precision).toBeCloseTo(0.6, 12); // 3 / (3 + 2)
    expect(m.recall).toBeCloseTo(0.75, 12); // 3 / (3 + 1)
    expect(m.f1).toBeCloseTo(2 / 3, 12); // 2*3 / (2*3 + 2 + 1) = 6/9
  });

  it('computes per-class, macro and weighted F1', () => {
    // class 0: TP = 4, predicted 0 = 5, support 6 -> P = 0.8, R = 4/6, F1 = 8/(8+1+2) = 8/11
    expect(m.perClass[0].precision).toBeCloseTo(0.8, 12);
    expect(m.perClass[0].recall).toBeCloseTo(4 / 6, 12);
    expect(m.perClass[0].f1).toBeCloseTo(8 / 11, 12);
    expect(m.perClass[0].support).toBe(6);
    expect(m.perClass[1].support).toBe(4);
    expect(m.perClass[1].predicted).toBe(5);
    // macro = (2/3 + 8/11) / 2 = 46/66
    expect(m.macroF1).toBeCloseTo(46 / 66, 12);
    // weighted = (4 * 2/3 + 6 * 8/11) / 10 = 232/330
    expect(m.weightedF1).toBeCloseTo(232 / 330, 12);
  });

  it('computes rates and Cohen kappa', () => {
    expect(m.predictedPositiveRate).toBeCloseTo(0.5, 12); // 5 / 10
    expect(m.truePositiveRate).toBeCloseTo(0.4, 12); // 4 / 10
    // po = 0.7; pe = 0.4*0.5 + 0.6*0.5 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    expect(m.kappa).toBeCloseTo(0.4, 12);
  });

  it('accepts typed arrays', () => {
    const t = computeMetrics(Int32Array.from(yTrue), Int32Array.from(yPred), 2, 1);
    expect(t).toEqual(m);
  });
});

describe('computeMetrics — multi-class', () => {
  // yTrue: 0 0 0 1 1 1 2 2 2 2
  // yPred: 0 0 1 1 1 2 2 2 2 0
  // confusion rows (true): 0 -> [2,1,0], 1 -> [0,2,1], 2 -> [1,0,3]
  const m = computeMetrics([0, 0, 0, 1, 1, 1, 2, 2, 2, 2], [0, 0, 1, 1, 1, 2, 2, 2, 2, 0], 3, null);

  it('has no positive-class numbers', () => {
    expect(m.precision).toBeNull();
    expect(m.recall).toBeNull();
    expect(m.f1).toBeNull();
    expect(m.predictedPositiveRate).toBeNull();
    expect(m.truePositiveRate).toBeNull();
  });

  it('computes accuracy, macro / weighted F1 and kappa', () => {
    expect(m.confusion).toEqual([
      [2, 1, 0],
      [0, 2, 1],
      [1, 0, 3],
    ]);
    expect(m.accuracy).toBeCloseTo(0.7, 12); // 7 / 10
    // F1: class 0 = 4/6, class 1 = 4/6, class 2 = 6/8; macro = (8+8+9)/12/3 = 25/36
    expect(m.macroF1).toBeCloseTo(25 / 36, 12);
    // weighted = (3*2/3 + 3*2/3 + 4*3/4) / 10 = 0.7
    expect(m.weightedF1).toBeCloseTo(0.7, 12);
    // pe = .3*.3 + .3*.3 + .4*.4 = .34; kappa = (.7 - .34)/(1 - .34) = .36/.66
    expect(m.kappa).toBeCloseTo(0.36 / 0.66, 12);
  });
});

describe('computeMetrics — edge cases (scikit-learn zero_division=0)', () => {
  it('no positive predictions: precision 0, recall 0, F1 0', () => {
    // yTrue 1 0 0 1, all predicted 0
    const m = computeMetrics([1, 0, 0, 1], [0, 0, 0, 0], 2, 1);
    expect(m.precision).toBe(0); // 0/0 -> 0
    expect(m.recall).toBe(0); // 0/2
    expect(m.f1).toBe(0);
    // class 0: P = 2/4, R = 2/2, F1 = 4/6; macro over {0, 1} = (2/3 + 0) / 2
    expect(m.macroF1).toBeCloseTo(1 / 3, 12);
    // po = 0.5, pe = 0.5*1 + 0.5*0 = 0.5 -> kappa 0
    expect(m.kappa).toBeCloseTo(0, 12);
    expect(m.predictedPositiveRate).toBe(0);
    expect(warnings(m).some((w) => w.includes('never predicted the positive class'))).toBe(true);
  });

  it('a single class in the test set', () => {
    // all true 0; one false positive
    const m = computeMetrics([0, 0, 0, 0, 0], [0, 0, 0, 1, 0], 2, 1);
    expect(m.classesInTest).toBe(1);
    expect(m.accuracy).toBeCloseTo(0.8, 12);
    expect(m.precision).toBe(0); // 0 / 1
    expect(m.recall).toBe(0); // no positive items: 0/0 -> 0
    expect(m.f1).toBe(0);
    // class 0: P = 1, R = 4/5, F1 = 8/9; class 1 present in predictions, F1 0
    expect(m.macroF1).toBeCloseTo(4 / 9, 12);
    // pe = 1*0.8 + 0*0.2 = 0.8 = po -> kappa 0
    expect(m.kappa).toBeCloseTo(0, 12);
    const w = warnings(m, ['irrelevant', 'relevant']);
    expect(w[0]).toMatch(/Only one class \("irrelevant"\) occurs in the test set/);
    expect(w.some((s) => s.includes('"relevant" occurs only 0 times'))).toBe(true);
  });

  it('kappa is null when undefined (one class, all correct) and macro F1 skips absent classes', () => {
    const m = computeMetrics([0, 0, 0], [0, 0, 0], 3, null);
    expect(m.kappa).toBeNull();
    expect(m.macroF1).toBe(1); // only class 0 occurs
    expect(m.accuracy).toBe(1);
  });

  it('empty input: all rates 0, kappa null, one warning', () => {
    const m = computeMetrics([], [], 2, 1);
    expect(m.n).toBe(0);
    expect(m.accuracy).toBe(0);
    expect(m.f1).toBe(0);
    expect(m.macroF1).toBe(0);
    expect(m.weightedF1).toBe(0);
    expect(m.kappa).toBeNull();
    expect(m.predictedPositiveRate).toBe(0);
    expect(warnings(m)).toEqual(['There are no test items, so no metric can be computed; all are shown as 0.']);
  });

  it('counts an invalid prediction as an abstention (wrong, no class predicted)', () => {
    // yTrue 0 1 1, yPred 0 -1 1: class 1 TP = 1, FN = 1 (the abstention), FP = 0
    const m = computeMetrics([0, 1, 1], [0, -1, 1], 2, 1);
    expect(m.accuracy).toBeCloseTo(2 / 3, 12);
    expect(m.precision).toBe(1);
    expect(m.recall).toBe(0.5);
    expect(m.f1).toBeCloseTo(2 / 3, 12); // 2 / (2 + 0 + 1)
    expect(m.abstained).toBe(1);
    expect(m.confusion).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(warnings(m).some((w) => w.startsWith('1 test item had no valid prediction'))).toBe(true);
  });

  it('rejects misaligned arrays and invalid labels with a readable error', () => {
    expect(() => computeMetrics([0, 1], [0], 2, 1)).toThrow(EvalInputError);
    expect(() => computeMetrics([0, 2], [0, 1], 2, 1)).toThrow(/not a class index between 0 and 1/);
    expect(() => computeMetrics([0, 1], [0, 1], 2, 2)).toThrow(/positive class index 2/);
  });
});

describe('warnings', () => {
  it('flags small samples and rare positives, and nothing for a healthy test set', () => {
    const small = computeMetrics([1, 1, 0, 0, 0], [1, 0, 0, 0, 1], 2, 1);
    const w = warnings(small);
    expect(w.some((s) => s.startsWith('Only 5 test items: confidence intervals will be wide'))).toBe(true);
    expect(w.some((s) => s.includes('occurs only 2 times in the test set (fewer than 10)'))).toBe(true);

    const yTrue = Array.from({ length: 200 }, (_, i) => (i < 50 ? 1 : 0));
    const yPred = yTrue.map((y, i) => (i % 10 === 0 ? 1 - y : y));
    expect(warnings(computeMetrics(yTrue, yPred, 2, 1))).toEqual([]);
  });
});

describe('undefined metrics and the small-sample rule', () => {
  it('knows which positive-class metrics are undefined', () => {
    const never = computeMetrics([1, 0, 0, 1], [0, 0, 0, 0], 2, 1);
    expect([isDefined(never, 'precision'), isDefined(never, 'recall'), isDefined(never, 'f1')]).toEqual([false, true, true]);
    const absent = computeMetrics([0, 0, 0], [0, 0, 0], 2, 1);
    expect([isDefined(absent, 'precision'), isDefined(absent, 'recall'), isDefined(absent, 'f1')]).toEqual([false, false, false]);
    expect(warnings(never, ['no', 'yes'])).toContain(
      'The classifier never predicted the positive class "yes": its precision is undefined (scikit-learn\'s zero_division=0 would report 0), and its F1 is 0.',
    );
    expect(warnings(absent).some((w) => w.includes('occurs only 0 times') && w.includes('recall is undefined'))).toBe(true);
  });

  it('flags fewer than 30 test texts or fewer than 10 positive ones', () => {
    expect(isSmallTestSet({ n: 29, positives: 15 })).toBe(true);
    expect(isSmallTestSet({ n: 30, positives: 10 })).toBe(false);
    expect(isSmallTestSet({ n: 500, positives: 9 })).toBe(true);
    expect(isSmallTestSet({ n: 30, positives: null })).toBe(false);
    expect(smallSampleWarning({ n: 500, positives: 40 })).toBeNull();
    expect(smallSampleWarning({ n: 7, positives: 3 }, 'yes')).toBe(
      'Only 7 test texts (3 of the positive class "yes"): too few for the bootstrap intervals or McNemar\'s test to be trusted (this app asks for at least 30 test texts and 10 of the positive class), so no difference between classifiers here should be read as real.',
    );
    expect(smallSampleWarning({ n: 12, positives: null })).toMatch(/^Only 12 test texts: too few/);
    expect(smallSampleWarning({ n: 300, positives: 4 })).toMatch(/^Only 4 of the 300 test texts belong to the positive class: too few/);
    expect(testSetSize(computeMetrics([1, 0, 0, 1], [0, 0, 0, 0], 2, 1))).toEqual({ n: 4, positives: 2 });
    expect(testSetSize(computeMetrics([1, 0, 2], [0, 0, 0], 3, null))).toEqual({ n: 3, positives: null });
  });
});
