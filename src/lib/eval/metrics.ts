// Classification metrics for the Validate / Compare steps.
//
// Conventions (documented because they decide edge cases):
// - Class indices are 0..nClasses-1. A prediction outside that range (e.g.
//   -1 = "the LLM gave no valid label") is an abstention: counted wrong.
// - Any ratio with a zero denominator is 0, as scikit-learn's
//   zero_division=0: no positive predictions -> precision 0; no positive items
//   -> recall 0; both -> F1 0. These are *undefined*, not 0: displays show
//   "undefined" (see undefinedMetrics) and the bootstrap drops such resamples.
// - Macro F1 averages over the classes present in truth or among the valid
//   predictions: scikit-learn's default label set without abstentions (it
//   would count -1 as a class with F1 0). Weighted F1 averages over the true
//   classes by support.
// - Empty input: n = 0, every rate 0, kappa null; warnings() says so.
import {
  accuracyOf,
  f1Of,
  kappaOf,
  macroF1Of,
  newCounts,
  precisionOf,
  predictedOf,
  recallOf,
  supportOf,
  tally,
  validateLabels,
  weightedF1Of,
  EvalInputError,
} from './counts';

export { EvalInputError };

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Test items whose true class is this one. */
  support: number;
  /** Test items predicted as this class. */
  predicted: number;
}

export interface Metrics {
  n: number;
  nClasses: number;
  /** The positive class index, or null for multi-class tasks without one. */
  positive: number | null;
  accuracy: number;
  /** Positive-class precision / recall / F1 (one-vs-rest); null when positive is null. */
  precision: number | null;
  recall: number | null;
  f1: number | null;
  macroF1: number;
  weightedF1: number;
  perClass: ClassMetrics[];
  /** Share of items predicted positive; null when positive is null. */
  predictedPositiveRate: number | null;
  /** Share of items truly positive (prevalence); null when positive is null. */
  truePositiveRate: number | null;
  /** Cohen's kappa; null when undefined (see counts.kappaOf). */
  kappa: number | null;
  /** confusion[true][pred], nClasses x nClasses (abstentions are not in it). */
  confusion: number[][];
  /** Items whose prediction was not a valid class index. */
  abstained: number;
  /** Number of distinct classes among the true labels. */
  classesInTest: number;
}

/** The index of the codebook's positive label among `labelNames`, or null when there is none (or it is not one of them). */
export function positiveIndex(labelNames: readonly string[], positive: string | null): number | null {
  const i = positive === null ? -1 : labelNames.indexOf(positive);
  return i < 0 ? null : i;
}

/**
 * Compute all metrics for one classifier.
 * @param yTrue true class indices 0..nClasses-1, one per test item
 * @param yPred predicted class indices aligned with yTrue (invalid = abstained)
 * @param positive the positive class index for binary tasks, else null
 * @throws EvalInputError on misaligned arrays or invalid true labels
 */
export function computeMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number, positive: number | null): Metrics {
  validateLabels(yTrue, yPred, nClasses);
  if (positive !== null && !(Number.isInteger(positive) && positive >= 0 && positive < nClasses)) {
    throw new EvalInputError(`The positive class index ${positive} is not between 0 and ${nClasses - 1}.`);
  }
  const k = nClasses;
  const c = newCounts(k);
  tally(yTrue, yPred, k, c);
  const n = yTrue.length;

  const perClass: ClassMetrics[] = [];
  const confusion: number[][] = [];
  let abstained = 0;
  let classesInTest = 0;
  for (let t = 0; t < k; t++) {
    const row: number[] = [];
    for (let p = 0; p < k; p++) row.push(c[t * (k + 1) + p]);
    confusion.push(row);
    abstained += c[t * (k + 1) + k];
    const support = supportOf(c, k, t);
    if (support > 0) classesInTest++;
    perClass.push({
      precision: precisionOf(c, k, t),
      recall: recallOf(c, k, t),
      f1: f1Of(c, k, t),
      support,
      predicted: predictedOf(c, k, t),
    });
  }

  const pos = positive === null ? null : perClass[positive];
  return {
    n,
    nClasses: k,
    positive,
    accuracy: accuracyOf(c, k),
    precision: pos ? pos.precision : null,
    recall: pos ? pos.recall : null,
    f1: pos ? pos.f1 : null,
    macroF1: macroF1Of(c, k),
    weightedF1: weightedF1Of(c, k),
    perClass,
    predictedPositiveRate: pos ? (n === 0 ? 0 : pos.predicted / n) : null,
    truePositiveRate: pos ? (n === 0 ? 0 : pos.support / n) : null,
    kappa: kappaOf(c, k),
    confusion,
    abstained,
    classesInTest,
  };
}

/** Below this many test items, CIs are wide enough to warn about. */
export const SMALL_SAMPLE = 100;
/** Below this many positive test items, positive-class metrics are unstable. */
export const FEW_POSITIVES = 10;
/**
 * Below this many test items (or FEW_POSITIVES positive ones) no finding says
 * a difference is "unlikely to be noise": percentile bootstrap intervals and
 * McNemar's test are unreliable at such sizes (an interval of −1 to −1 at n = 7).
 */
export const MIN_TEST_FOR_CLAIMS = 30;

/**
 * Whether a positive-class metric is defined: precision needs a positive
 * prediction, recall a positive item, F1 either. (computeMetrics reports the
 * undefined ones as 0, scikit-learn's zero_division=0; displays say "undefined".)
 */
export function isDefined(m: Metrics, metric: 'precision' | 'recall' | 'f1'): boolean {
  if (m.positive === null) return false;
  const p = m.perClass[m.positive];
  return metric === 'precision' ? p.predicted > 0 : metric === 'recall' ? p.support > 0 : p.predicted + p.support > 0;
}

/** What the small-sample rule reads of a test set. */
export interface TestSetSize {
  n: number;
  /** Test items of the positive class; null without a positive class. */
  positives: number | null;
}

/** The test-set size behind a metrics result (every condition of a comparison shares it). */
export function testSetSize(m: Metrics): TestSetSize {
  return { n: m.n, positives: m.positive === null ? null : m.perClass[m.positive].support };
}

/** Too few test items (or positive ones) for any "unlikely to be noise" statement. */
export function isSmallTestSet(s: TestSetSize): boolean {
  return s.n < MIN_TEST_FOR_CLAIMS || (s.positives !== null && s.positives < FEW_POSITIVES);
}

/** "Only 7 test texts (3 of the positive class "yes")": the reason a test set is small; null when it is not. */
export function smallSampleReason(s: TestSetSize, positiveName?: string): string | null {
  if (!isSmallTestSet(s)) return null;
  const cls = positiveName === undefined ? 'the positive class' : `the positive class "${positiveName}"`;
  return s.n < MIN_TEST_FOR_CLAIMS
    ? `Only ${s.n} test text${s.n === 1 ? '' : 's'}${s.positives === null ? '' : ` (${s.positives} of ${cls})`}`
    : `Only ${s.positives} of the ${s.n} test texts belong to ${cls}`;
}

/**
 * The small-sample warning shown with the table and the exports; null when
 * the test set is large enough.
 * @param positiveName the positive class's name, for the wording
 */
export function smallSampleWarning(s: TestSetSize, positiveName?: string): string | null {
  const what = smallSampleReason(s, positiveName);
  if (what === null) return null;
  return (
    `${what}: too few for the bootstrap intervals or McNemar's test to be trusted ` +
    `(this app asks for at least ${MIN_TEST_FOR_CLAIMS} test texts and ${FEW_POSITIVES} of the positive class), ` +
    'so no difference between classifiers here should be read as real.'
  );
}

/**
 * Plain-language cautions about a metrics result, most serious first.
 * @param labelNames optional class names (index-aligned) for nicer wording
 */
export function warnings(m: Metrics, labelNames?: readonly string[]): string[] {
  const name = (i: number) => (labelNames?.[i] !== undefined ? `"${labelNames[i]}"` : `class ${i}`);
  const out: string[] = [];
  if (m.n === 0) {
    return ['There are no test items, so no metric can be computed; all are shown as 0.'];
  }
  if (m.classesInTest === 1) {
    const only = m.perClass.findIndex((c) => c.support > 0);
    out.push(
      `Only one class (${name(only)}) occurs in the test set, so the test cannot show how well other classes are recognised; kappa and macro F1 are not informative.`,
    );
  }
  if (m.n < SMALL_SAMPLE) {
    out.push(
      `Only ${m.n} test items: confidence intervals will be wide, and differences of a few points between classifiers are likely noise.`,
    );
  }
  if (m.positive !== null) {
    const p = m.perClass[m.positive];
    if (p.support < FEW_POSITIVES) {
      out.push(
        `The positive class ${name(m.positive)} occurs only ${p.support} time${p.support === 1 ? '' : 's'} in the test set (fewer than ${FEW_POSITIVES}): its precision, recall and F1 are unreliable${p.support === 0 ? ', and recall is undefined' : ''}.`,
      );
    }
    if (p.predicted === 0) {
      out.push(
        `The classifier never predicted the positive class ${name(m.positive)}: its precision is undefined (scikit-learn's zero_division=0 would report 0)${p.support > 0 ? ', and its F1 is 0' : ''}.`,
      );
    }
  }
  if (m.abstained > 0) {
    out.push(
      `${m.abstained} test item${m.abstained === 1 ? '' : 's'} had no valid prediction and ${m.abstained === 1 ? 'is' : 'are'} counted as wrong.`,
    );
  }
  return out;
}
