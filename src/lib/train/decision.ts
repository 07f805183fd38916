// The linear head's decision rule: how calibrated scores become labels. It is
// an explicit choice, recorded with the student, because it decides the one
// number researchers publish — the share of texts in each category:
//
// 'shares' (default) — label like the teacher: offsets on the calibrated
//   logits so that, out of fold, the student gives each label to the share of
//   texts its teacher did. A student meant to label a corpus then neither
//   inflates nor shrinks a category.
// 'f1'  — maximise F1 of the positive class (the paper's metric): the
//   threshold with the highest out-of-fold F1. Its optimum predicts more
//   positives than the teacher (F1's optimal threshold is F1*/2), so the
//   shares it gives are not the teacher's.
// 'prior' — prior shift: as 'shares', but the shares are the prevalence the
//   human validation sample implies (its label shares), not the teacher's:
//   a teacher that over- or under-calls a category does not pass that on.
//   The validation rows' labels set one number per class and nothing else;
//   the test rows never enter.
// 'argmax' — the deployed model's own argmax, as scikit-learn's predict().
//
// The thresholds reported out of fold are nested: each fold's decisions use
// a threshold chosen on the other folds' rows only, so the estimate of what
// the rule achieves is not fitted to the rows that score it.
import { aucOf } from '../eval/auc';
import { computeMetrics } from '../eval/metrics';
import { fitCalibration, type Calibration } from './calibrate';
import type { Fold } from './split';

export type DecisionRule = 'shares' | 'prior' | 'f1' | 'argmax';
export const DECISION_RULES: readonly DecisionRule[] = ['shares', 'prior', 'f1', 'argmax'];

/** In words, for Train, Compare, the methods paragraph and the exports. */
export const DECISION_RULE_NAMES: Record<DecisionRule, string> = {
  shares: 'label like the teacher',
  prior: 'the human validation sample’s prevalence',
  f1: 'maximise F1 of the positive class',
  argmax: 'plain argmax',
};

/** A rule as recorded with a student: asked, deployed, and why they differ. */
export interface RecordedDecision {
  rule: DecisionRule;
  applied: DecisionRule;
  fallback: string | null;
}

/**
 * The rule in words, for Train, Compare, the comparison table and its
 * exports: "label like the teacher", "maximise F1 of “X”", or what was
 * deployed instead and why.
 */
export function decisionText(d: RecordedDecision, positive?: string | null): string {
  const name = (r: DecisionRule) => (r === 'f1' && positive ? `maximise F1 of “${positive}”` : DECISION_RULE_NAMES[r]);
  if (d.applied === d.rule && d.fallback) return `${name(d.rule)} (on uncalibrated scores: no usable signal)`;
  if (d.rule === 'prior' && d.applied === 'shares') return `${name('shares')} (asked: ${name('prior')}; no human validation labels)`;
  return d.applied === d.rule ? name(d.rule) : `${name(d.applied)} (asked: ${name(d.rule)}; no usable signal for it)`;
}

/**
 * Offsets added to calibrated logits U (n × k; k = 1 for binary) so that the
 * decisions give class c to target[c] of the rows. Binary: one offset, a
 * quantile of U; more classes: one per class (offset[0] = 0), by repeated
 * proportional correction, which reaches the shares to within a row or two.
 */
export function shareOffsets(U: Float64Array, k: number, target: readonly number[]): number[] {
  const n = U.length / k;
  if (n === 0) return new Array<number>(k).fill(0);
  if (k === 1) {
    const sorted = Float64Array.from(U).sort().reverse();
    const m = Math.round(target[1] * n);
    if (m <= 0) return [-(sorted[0] + 1)];
    if (m >= n) return [-(sorted[n - 1] - 1)];
    // The midpoint between the m-th and (m+1)-th largest scores: exactly m rows above it (ties aside).
    return [-(sorted[m - 1] + sorted[m]) / 2];
  }
  const off = new Array<number>(k).fill(0);
  for (let it = 0; it < 200; it++) {
    const share = sharesOf(decide(U, k, off), k);
    let worst = 0;
    for (let c = 1; c < k; c++) {
      worst = Math.max(worst, Math.abs(share[c] - target[c]));
      // Smoothed by half a row, so an empty class gets pushed up instead of to infinity.
      off[c] += Math.log((target[c] * n + 0.5) / (share[c] * n + 0.5));
    }
    if (worst * n < 1) break;
  }
  return off.map((v) => v - off[0]);
}

/**
 * The binary offset that maximises F1 of `positive` on calibrated logits U
 * (the positive class is 1 when u + offset > 0, else 0).
 */
export function f1Offset(U: Float64Array, hard: ArrayLike<number>, positive: number): number {
  const n = U.length;
  // Score oriented so that high = positive.
  const s = Float64Array.from(U, (u) => (positive === 1 ? u : -u));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[b] - s[a]);
  let P = 0;
  for (let i = 0; i < n; i++) if (hard[i] === positive) P++;
  let tp = 0;
  let best = -1;
  let cut = s[order[0]] + 1; // predict none positive
  for (let j = 0; j < n; j++) {
    if (hard[order[j]] === positive) tp++;
    // A cut only between distinct scores.
    if (j + 1 < n && s[order[j + 1]] === s[order[j]]) continue;
    const f1 = (2 * tp) / (j + 1 + P);
    if (f1 > best) {
      best = f1;
      cut = j + 1 < n ? (s[order[j]] + s[order[j + 1]]) / 2 : s[order[j]] - 1;
    }
  }
  // Positive when s > cut. Positive 1: u − cut > 0. Positive 0: −u > cut ⇔ u + cut < 0, so class 1 when u + cut > 0.
  return positive === 1 ? -cut : cut;
}

/** Decisions argmax(U + offset) (binary: 1 when u + offset[0] > 0). */
export function decide(U: Float64Array, k: number, offset: readonly number[]): Int32Array {
  const n = U.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (k === 1) {
      out[i] = U[i] + offset[0] > 0 ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let c = 1; c < k; c++) if (U[i * k + c] + offset[c] > U[i * k + best] + offset[best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Share of each of C classes among decisions (k = 1 means 2 classes). */
export function sharesOf(pred: ArrayLike<number>, k: number): number[] {
  const C = k === 1 ? 2 : k;
  const out = new Array<number>(C).fill(0);
  let n = 0;
  for (let i = 0; i < pred.length; i++)
    if (pred[i] >= 0) {
      out[pred[i]]++;
      n++;
    }
  return out.map((v) => (n ? v / n : 0));
}

/**
 * The offset a rule deploys, fitted on calibrated logits U and the training
 * labels; `prior` is the 'prior' rule's target shares (the validation
 * sample's), without which it is 'shares'.
 */
export function ruleOffset(
  rule: DecisionRule,
  U: Float64Array,
  k: number,
  hard: ArrayLike<number>,
  positive: number | null,
  prior: readonly number[] | null = null,
): number[] {
  if (rule === 'argmax' || U.length === 0) return new Array<number>(k).fill(0);
  if (rule === 'f1' && k === 1 && positive !== null) return [f1Offset(U, hard, positive)];
  if (rule === 'prior' && prior) return shareOffsets(U, k, prior);
  // 'shares', and 'f1' without a binary positive class (macro F1 has no single threshold): the teacher's shares.
  return shareOffsets(U, k, sharesOf(hard, k));
}

/**
 * Out-of-fold decisions of a rule, nested: each fold's rows are decided with
 * the offset fitted on the other folds' rows.
 */
export function nestedDecisions(
  rule: DecisionRule,
  U: Float64Array,
  k: number,
  hard: Int32Array,
  positive: number | null,
  folds: readonly Fold[],
): Int32Array {
  return crossFit(rule, U, k, null, hard, positive, folds, null).preds;
}

export interface CrossFitted {
  /** Decisions per row (−1 where no fold scored it). */
  preds: Int32Array;
  /** Scores per row as deployed (calibrated logits, or Z itself without calibration). */
  U: Float64Array;
}

/**
 * The rule applied out of fold with everything it fits nested: for each fold,
 * the calibration (when `T` is given; weighted by `s`, else unweighted) and
 * the rule's offset are fitted on the other folds' out-of-fold logits only,
 * then applied to this fold's. The honest estimate of how the deployed
 * student labels texts it has not seen.
 */
export function crossFit(
  rule: DecisionRule,
  Z: Float64Array,
  k: number,
  T: Float64Array | null,
  hard: Int32Array,
  positive: number | null,
  folds: readonly Fold[],
  s: Float64Array | null,
  prior: readonly number[] | null = null,
): CrossFitted {
  const C = k === 1 ? 2 : k;
  const preds = new Int32Array(hard.length).fill(-1);
  const U = new Float64Array(Z.length);
  for (const f of folds) {
    let Ut = takeRowsF64(Z, k, f.train);
    let Uv = takeRowsF64(Z, k, f.val);
    if (T && rule !== 'argmax') {
      const w = s ? Float64Array.from(f.train, (r) => s[r]) : new Float64Array(f.train.length).fill(1);
      const cal = fitCalibration(Ut, k, takeRowsF64(T, C, f.train), C, w);
      Ut = calibrateLogits(Ut, k, cal);
      Uv = calibrateLogits(Uv, k, cal);
    }
    const d = decide(Uv, k, ruleOffset(rule, Ut, k, takeInts(hard, f.train), positive, prior));
    f.val.forEach((row, i) => {
      preds[row] = d[i];
      for (let j = 0; j < k; j++) U[row * k + j] = Uv[i * k + j];
    });
  }
  return { preds, U };
}

/** a·Z + c, row by row (binary: c[0] on the one logit). */
export function calibrateLogits(Z: Float64Array, k: number, cal: Calibration): Float64Array {
  return Z.map((z, i) => cal.a * z + (k === 1 ? cal.c[0] : cal.c[i % k]));
}

export interface Diagnostics {
  /** Cohen's κ of the out-of-fold decisions against the training labels (null if undefined). */
  kappa: number | null;
  /** AUC of the out-of-fold calibrated scores against the training labels (null if undefined). */
  auc: number | null;
  /** Share of each class among the out-of-fold decisions, and among the training labels. */
  shares: number[];
  teacherShares: number[];
  macroF1: number;
  /** Positive-class F1 (macro F1 without a positive class). */
  f1: number;
}

/** κ at or below this counts as "about 0": agreement no better than chance. */
export const NO_SIGNAL_KAPPA = 0.05;
/** AUC at or below this: the scores barely rank the texts. */
export const NO_SIGNAL_AUC = 0.55;

export function diagnose(pred: Int32Array, U: Float64Array, k: number, hard: Int32Array, positive: number | null): Diagnostics {
  const C = k === 1 ? 2 : k;
  const rows = Array.from({ length: hard.length }, (_, i) => i).filter((i) => pred[i] >= 0);
  const yT = rows.map((i) => hard[i]);
  const yP = rows.map((i) => pred[i]);
  const m = computeMetrics(yT, yP, C, positive);
  // Probabilities only matter through their ranking here; the binary score is the logit itself.
  const probs = new Float64Array(rows.length * C);
  rows.forEach((i, r) => {
    if (k === 1) {
      probs[r * 2 + 1] = U[i];
      probs[r * 2] = -U[i];
    } else for (let c = 0; c < C; c++) probs[r * C + c] = U[i * C + c];
  });
  return {
    kappa: m.kappa,
    auc: aucOf(yT, probs, C, positive ?? (C === 2 ? 1 : null)),
    shares: sharesOf(yP, k),
    teacherShares: sharesOf(yT, k),
    macroF1: m.macroF1,
    f1: m.f1 ?? m.macroF1,
  };
}

const pct = (x: number) => `${Math.round(x * 100)} %`;
const num = (x: number | null) => (x === null ? 'undefined' : x.toFixed(2));

/**
 * Plain warnings for a degenerate student (empty when none): no signal out of
 * fold (κ ≈ 0 or AUC ≤ 0.55), or a near-constant labelling (a class above
 * 90 % or below 10 % of texts where the teacher's share is not).
 */
export function degenerateWarnings(d: Diagnostics, labels: readonly string[]): string[] {
  const out: string[] = [];
  if ((d.kappa !== null && d.kappa <= NO_SIGNAL_KAPPA) || (d.auc !== null && d.auc <= NO_SIGNAL_AUC))
    out.push(
      `No usable signal in these labels: out of fold the student agrees with its training labels little better than chance ` +
        `(κ ${num(d.kappa)}, AUC ${num(d.auc)}). Do not use its labels as a measurement, and do not read it as better than its teacher.`,
    );
  d.shares.forEach((s, c) => {
    const t = d.teacherShares[c];
    // Binary: the class above 90 % says it; its mirror below 10 % would say it again.
    const off = (s > 0.9 && t <= 0.9) || (s < 0.1 && t >= 0.1 && !(d.shares.length === 2 && d.shares[1 - c] > 0.9));
    if (off)
      out.push(
        `The student labels “${labels[c] ?? c}” ${pct(s)} of texts out of fold where its training labels say ${pct(t)}: it is close to a constant, not a surrogate.`,
      );
  });
  return out;
}

function takeRowsF64(U: Float64Array, k: number, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length * k);
  idx.forEach((r, i) => {
    for (let j = 0; j < k; j++) out[i * k + j] = U[r * k + j];
  });
  return out;
}

const takeInts = (a: Int32Array, idx: Int32Array) => Int32Array.from(idx, (r) => a[r]);
