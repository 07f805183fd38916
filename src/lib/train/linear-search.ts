// Model selection for the linear head: C on a log grid × class weighting,
// chosen by stratified k-fold cross-validation on the training labels only,
// then refit on all of them — what GridSearchCV(LogisticRegression) does, with
// two differences that keep the student honest (issue 26):
//
// - The score is proper: out-of-fold log loss by default (or macro F1), never
//   positive-class F1, which rewards predicting more positives. Of the
//   configurations within one standard error (over folds) of the best, the
//   most regularised (smallest C) is taken: on a few hundred rows the CV
//   surface is flat, and the smallest C in that band is the least noisy pick.
// - The decision rule is an explicit choice (decision.ts), applied to the
//   refit's logits recalibrated on out-of-fold logits (calibrate.ts: a slope
//   and intercepts, as CalibratedClassifierCV(method='sigmoid')). A slope ≤ 0
//   means the scores rank unseen texts no better than chance: it is never
//   deployed, the plain argmax is, with a warning. The calibrator is
//   unweighted unless equal priors were asked for (class weights 'balanced'
//   only), so "balanced" never silently moves the decision to equal priors.
//
// Hybrid features (a sentence vector beside TF-IDF columns) add one knob: the
// weight of the dense block. With one L2 penalty over both blocks, scaling a
// block up makes its weights cheaper, so the scale sets how much the head
// leans on the sentence vector versus the n-grams; it is chosen by the same
// folds, with C. Other features search exactly as before.
import { calibratedArgmax, fitCalibration, type Calibration } from './calibrate';
import {
  calibrateLogits,
  crossFit,
  degenerateWarnings,
  diagnose,
  ruleOffset,
  type CrossFitted,
  type DecisionRule,
  type Diagnostics,
} from './decision';
import { fitLogReg, headFromCoef, linearLogits, rowWeights, softplus, targetRows, type ClassWeight, type LogRegFit } from './linear';
import { takeMatrixRows, type FeatureMatrix, type HybridMatrix } from './matrix';
import { argmaxRows, f1Scores } from './metrics';
import { bagFolds } from './bag';
import { stratifiedKFold, takeLabels, takeRows, type Fold } from './split';
import { throwIfAborted } from './types';

/** 1e-2 … 1e2 in half-decades, ascending (warm starts follow this order). */
export const DEFAULT_CS: readonly number[] = [0.01, 0.0316, 0.1, 0.316, 1, 3.16, 10, 31.6, 100];
export const DEFAULT_CLASS_WEIGHTS: readonly ClassWeight[] = ['none', 'balanced'];
export const DEFAULT_FOLDS = 5;
/** Weights of a hybrid's dense block; 1 first, so on a tie the blocks count as they come (both unit-norm). */
export const DEFAULT_SCALES: readonly number[] = [1, 0.5, 2];

export interface LinearSearchArgs {
  X: FeatureMatrix;
  /** Hard labels (n) or soft targets (n × nClasses). */
  y: Int32Array | Float32Array;
  nClasses: number;
  /** Positive class index (for the 'f1' rule and the diagnostics), or null. */
  positive: number | null;
  /** Class names, for the warnings' wording (default: the class indices). */
  labelNames?: readonly string[];
  /** The selection score on out-of-fold predictions (default 'logloss'). */
  score?: SelectionScore;
  /** Take the most regularised configuration within one standard error of the best (default true). */
  oneSE?: boolean;
  Cs?: readonly number[];
  classWeights?: readonly ClassWeight[];
  /** A hybrid X only: the dense block's scales to try (default DEFAULT_SCALES); ignored for other features. */
  scales?: readonly number[];
  folds?: number;
  seed: number;
  signal?: AbortSignal;
  /** After each fit: fits done of total (folds × configurations + the refit). */
  onProgress?: (done: number, total: number) => void;
  /** The decision rule (decision.ts; default 'shares': label like the teacher). */
  decision?: DecisionRule;
  /**
   * The 'prior' rule's target: each class's share among the human labels of
   * the validation sample (never the test set). Without it 'prior' is 'shares'.
   */
  priorShares?: readonly number[];
  /** What is deployed: the mean of the k fold models (default 'bagged') or one refit on all rows. */
  deploy?: Deploy;
}

/**
 * 'bagged': the chosen configuration's k fold models averaged (their logits
 * average too: the heads are linear), so the deployed scores are what the
 * calibration and threshold were fitted on — out-of-fold logits of the same
 * models. 'refit': one model refit on all rows, as GridSearchCV(refit=True);
 * its logits are not those the threshold was fitted on (at small C they grow
 * with n and shift with the intercept), so its shares can miss the teacher's.
 */
export type Deploy = 'bagged' | 'refit';

export type SelectionScore = 'logloss' | 'macroF1';
export const SELECTION_SCORE_NAMES: Record<SelectionScore, string> = { logloss: 'log loss', macroF1: 'macro F1' };

export interface LinearScore {
  C: number;
  classWeight: ClassWeight;
  /** Hybrid features only: the dense block's scale. */
  scale?: number;
  /** Mean over folds of the selection score (higher is better: log loss enters negated). */
  score: number;
  /** Its standard error over folds. */
  se: number;
  /** Mean out-of-fold log loss of the fold models' own probabilities. */
  logLoss: number;
  /** Positive-class F1 (macro F1 without one) and macro F1 of the out-of-fold argmax decisions, for reference. */
  f1: number;
  macroF1: number;
  /** Whether this is the chosen configuration and its decisions are recalibrated. */
  calibrated: boolean;
  /** Mean over folds of the argmax decisions' positive-class F1 (the old GridSearchCV score), for reference. */
  foldF1: number;
  /** Fold fits that hit the iteration limit. */
  unconverged: number;
}

export interface LinearSearchResult {
  /** `scale` only for hybrid features; the final head already carries it (it reads X as given). */
  best: { C: number; classWeight: ClassWeight; scale?: number };
  /** Folds actually used (0 = too few labels to cross-validate; the defaults were fitted). */
  folds: number;
  /** Why fewer folds than asked were used, in plain words; null when none. */
  note: string | null;
  scores: LinearScore[];
  /** The refit on all training labels, its head carrying `calibration`. */
  final: LogRegFit;
  /** Applied to the refit's logits: recalibration and the rule's offset together (identity for plain argmax or without CV). */
  calibration: Calibration;
  /**
   * Out-of-fold predicted class per training row for the winning
   * configuration under the decision rule, thresholds nested (−1 where no
   * fold scored the row): an honest view of how the student labels texts it
   * has not seen.
   */
  oofPreds: Int32Array;
  score: SelectionScore;
  decision: DecisionInfo;
  /** Whether `final` is the fold models' mean or a refit on all rows. */
  deploy: Deploy;
  /** The out-of-fold decisions against the training labels (null without CV). */
  diagnostics: Diagnostics | null;
  /** Plain warnings: no usable signal, a near-constant student. Empty when none. */
  warnings: string[];
}

/** The decision rule as applied, recorded with the student. */
export interface DecisionInfo {
  /** The rule asked for. */
  rule: DecisionRule;
  /** What was deployed: the rule, or 'argmax' when there was nothing to calibrate on or no usable signal. */
  applied: DecisionRule;
  /** The out-of-fold recalibration (null when not used). */
  calibration: Calibration | null;
  /** Offsets added to the calibrated logits (binary: one number, minus the threshold). */
  offset: number[];
  /** Why the rule was not applied as asked, in words; null when it was. */
  fallback: string | null;
  /** The calibrator was class-weighted (equal priors were asked for). */
  weightedCalibration: boolean;
}

const hardOf = (y: Int32Array | Float32Array, C: number) => (y instanceof Int32Array ? y : argmaxRows(y, C));
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Folds to use: the asked k, cut to the smallest class's size (≥ 2), with a note when cut. */
export function chooseFolds(hard: Int32Array, nClasses: number, k: number): { folds: number; note: string | null } {
  const counts = new Array<number>(nClasses).fill(0);
  for (const c of hard) counts[c]++;
  const present = counts.filter((c) => c > 0);
  const smallest = Math.min(...present);
  if (present.length < 2 || smallest < 2) {
    return {
      folds: 0,
      note: `A class has fewer than 2 training labels, so C and class weighting could not be cross-validated; C = 1 without class weights was used.`,
    };
  }
  if (smallest >= k) return { folds: k, note: null };
  return {
    folds: smallest,
    note: `The smallest class has only ${smallest} training labels, so ${smallest}-fold instead of ${k}-fold cross-validation was used.`,
  };
}

export async function searchLinear(args: LinearSearchArgs): Promise<LinearSearchResult> {
  const { X, nClasses: C, positive, signal } = args;
  const hard = hardOf(args.y, C);
  if (hard.length !== X.rows) throw new RangeError(`Got ${hard.length} labels for ${X.rows} rows.`);
  const Cs = [...(args.Cs ?? DEFAULT_CS)].sort((a, b) => a - b);
  const weights = args.classWeights ?? DEFAULT_CLASS_WEIGHTS;
  if (Cs.length === 0 || weights.length === 0) throw new RangeError('The search needs at least one C and one class weighting.');
  // null = not a hybrid: one pass, exactly the search without scales.
  const scales: (number | null)[] = X.kind === 'hybrid' ? [...(args.scales ?? DEFAULT_SCALES)] : [null];
  if (scales.length === 0 || scales.some((v) => v !== null && !(v > 0))) throw new RangeError('Hybrid scales must be positive numbers.');
  const scaled = <M extends FeatureMatrix>(M: M, v: number | null): M => (v === null ? M : ({ ...(M as HybridMatrix), scale: v } as M));
  const { folds: kFolds, note } = chooseFolds(hard, C, args.folds ?? DEFAULT_FOLDS);
  const deploy = args.deploy ?? 'bagged';
  // The search's fits, then the deployed model's: k fold models when bagged, else one refit.
  const total = kFolds * Cs.length * weights.length * scales.length + (deploy === 'bagged' && kFolds > 0 ? kFolds : 1);
  let done = 0;
  const rowsOf = (idx: Int32Array) => (args.y instanceof Int32Array ? takeLabels(args.y, idx) : takeRows(args.y, C, idx));

  const scoreKind = args.score ?? 'logloss';
  const prior = priorTarget(args.priorShares, C);
  // 'prior' without validation labels has no prevalence to correct to: it labels like the teacher, and says so.
  const asked = args.decision ?? 'shares';
  const rule: DecisionRule = asked === 'prior' && !prior ? 'shares' : asked;
  const noPrior =
    rule === asked
      ? null
      : 'No human validation labels were given, so there was no prevalence to correct to; the student labels like its teacher.';
  const T = targetRows(args.y, X.rows, C);
  const k = C === 2 ? 1 : C;
  const scores: LinearScore[] = [];
  // Per configuration: out-of-fold logits (rows × k) and argmax decisions.
  const oofZ = new Map<LinearScore, Float64Array>();
  const oofRaw = new Map<LinearScore, Int32Array>();
  const folds: Fold[] = kFolds > 0 ? stratifiedKFold(hard, kFolds, args.seed) : [];
  for (const v of scales)
    for (const w of weights)
      for (const c of Cs) {
        if (kFolds === 0) break;
        const sc: LinearScore = {
          C: c,
          classWeight: w,
          ...(v === null ? {} : { scale: v }),
          score: 0,
          se: 0,
          logLoss: 0,
          f1: 0,
          macroF1: 0,
          foldF1: 0,
          calibrated: false,
          unconverged: 0,
        };
        scores.push(sc);
        oofZ.set(sc, new Float64Array(X.rows * k));
        oofRaw.set(sc, new Int32Array(X.rows).fill(-1));
      }
  const scoreOf = (c: number, w: ClassWeight, v: number | null) =>
    scores.find((q) => q.C === c && q.classWeight === w && (q.scale ?? null) === v)!;
  const T32 = Float32Array.from(T);
  for (const fold of folds) {
    const Xtr = takeMatrixRows(X, fold.train);
    const ytr = rowsOf(fold.train);
    const Xva = takeMatrixRows(X, fold.val);
    const yva = takeLabels(hard, fold.val);
    for (const v of scales)
      for (const w of weights) {
        // Warm start along the C path (ascending): each fit starts near its optimum.
        let init: Float64Array | undefined;
        for (const c of Cs) {
          throwIfAborted(signal);
          const fit = fitLogReg({ X: scaled(Xtr, v), y: ytr, nClasses: C, C: c, classWeight: w, init });
          init = fit.coef;
          const Z = linearLogits(scaled(Xva, v), fit.coef, C);
          const pred = calibratedArgmax(Z, k, C, { a: 1, c: new Array(k === 1 ? 1 : C).fill(0) });
          const sc = scoreOf(c, w, v);
          sc.foldF1 += f1Scores(yva, pred, C, positive).f1 / kFolds;
          if (!fit.converged) sc.unconverged++;
          const z = oofZ.get(sc)!;
          const raw = oofRaw.get(sc)!;
          fold.val.forEach((row, i) => {
            raw[row] = pred[i];
            for (let j = 0; j < k; j++) z[row * k + j] = Z[i * k + j];
          });
          args.onProgress?.(++done, total);
          await yieldToEventLoop(); // lets a 'cancel' message land in a worker
        }
      }
  }
  // Each configuration is scored as it would be deployed: the rule applied out of fold, calibration and
  // threshold nested, so a model that is overconfident but ranks well is not mistaken for one without signal.
  const equalPriors = weights.length === 1 && weights[0] === 'balanced';
  const calWeights = equalPriors ? rowWeights(T, X.rows, C, 'balanced') : null;
  const fitted = new Map<LinearScore, CrossFitted>();
  for (const sc of scores) {
    const cf = crossFit(rule, oofZ.get(sc)!, k, T, hard, positive, folds, calWeights, prior);
    fitted.set(sc, cf);
    const fsc = folds.map((f) => {
      if (scoreKind === 'macroF1') return f1Scores(takeLabels(hard, f.val), takeLabels(cf.preds, f.val), C, positive).macroF1;
      const Uv = Float64Array.from({ length: f.val.length * k }, (_, i) => cf.U[f.val[Math.floor(i / k)] * k + (i % k)]);
      return -logLoss(Uv, k, takeRows(T32, C, f.val), C);
    });
    sc.logLoss = scoreKind === 'logloss' ? -mean(fsc) : logLoss(cf.U, k, T32, C);
    sc.score = mean(fsc);
    sc.se = fsc.length > 1 ? Math.sqrt(fsc.reduce((a, x) => a + (x - sc.score) ** 2, 0) / (fsc.length - 1) / fsc.length) : 0;
    const r = f1Scores(hard, cf.preds, C, positive);
    sc.f1 = r.f1;
    sc.macroF1 = r.macroF1;
  }
  const best = pickOneSE(scores, args.oneSE ?? true);
  const choice: LinearSearchResult['best'] = best
    ? { C: best.C, classWeight: best.classWeight, ...(best.scale === undefined ? {} : { scale: best.scale }) }
    : { C: 1, classWeight: 'none', ...(X.kind === 'hybrid' ? { scale: scales[0]! } : {}) };
  throwIfAborted(signal);
  const bagged = deploy === 'bagged' && best !== undefined;
  let model: LogRegFit;
  if (bagged) {
    const bag = await bagFolds(
      X,
      rowsOf,
      folds,
      { nClasses: C, C: choice.C, classWeight: choice.classWeight },
      scaled,
      choice.scale ?? null,
      signal,
      () => args.onProgress?.(++done, total),
    );
    model = bag.fit;
    // The threshold and calibration below are fitted on exactly these models' out-of-fold logits.
    oofZ.set(best, bag.oofZ);
    fitted.set(best, crossFit(rule, bag.oofZ, k, T, hard, positive, folds, calWeights, prior));
  } else model = fitLogReg({ X: scaled(X, choice.scale ?? null), y: args.y, nClasses: C, C: choice.C, classWeight: choice.classWeight });

  // The decision rule, fitted on the chosen configuration's out-of-fold logits.
  const identity: Calibration = { a: 1, c: new Array(k === 1 ? 1 : C).fill(0) };
  let decision: DecisionInfo = {
    rule: asked,
    applied: 'argmax',
    calibration: null,
    offset: new Array(k).fill(0),
    fallback: noPrior,
    weightedCalibration: false,
  };
  let deployed = identity;
  let oofPreds: Int32Array = new Int32Array(X.rows).fill(-1);
  let diagnostics: Diagnostics | null = null;
  const warnings: string[] = [];
  const labels = args.labelNames ?? Array.from({ length: C }, (_, c) => String(c));
  if (best) {
    const Z = oofZ.get(best)!;
    const cal = rule === 'argmax' ? identity : fitCalibration(Z, k, T, C, calWeights ?? new Float64Array(X.rows).fill(1));
    if (rule !== 'argmax' && !(cal.a > 0)) {
      // The slope is never deployed. 'shares' keeps its promise without it: the threshold that reproduces the teacher's
      // shares on the uncalibrated scores, so a corpus share stays the teacher's instead of 0 % or 100 % (a constant).
      const keep: DecisionRule = rule === 'shares' || rule === 'prior' ? rule : 'argmax';
      const fallback =
        `No usable signal in these labels: the out-of-fold recalibration slope came out ${cal.a.toFixed(2)} (≤ 0: the head's scores rank texts it has not seen ` +
        `no better than chance, or inverted), so it was not used; ` +
        (keep !== 'argmax'
          ? `the threshold reproducing the ${keep === 'prior' ? "validation sample's" : "training labels'"} shares is set on the uncalibrated scores. The shares it reports are those; its labels of single texts are little better than chance.`
          : `the plain argmax is deployed.`);
      const plain = crossFit(keep, Z, k, null, hard, positive, folds, null, prior);
      const offset = ruleOffset(keep, Z, k, hard, positive, prior);
      decision = { ...decision, applied: keep, offset, fallback };
      deployed = { a: 1, c: identity.c.map((v, j) => v + (k === 1 ? offset[0] : offset[j])) };
      warnings.push(fallback);
      oofPreds = plain.preds;
      diagnostics = diagnose(oofPreds, plain.U, k, hard, positive);
    } else {
      const offset = ruleOffset(rule, calibrateLogits(Z, k, cal), k, hard, positive, prior);
      if (rule !== 'argmax') {
        decision = { rule: asked, applied: rule, calibration: cal, offset, fallback: noPrior, weightedCalibration: equalPriors };
        deployed = { a: cal.a, c: cal.c.map((v, j) => v + (k === 1 ? offset[0] : offset[j])) };
      }
      const cf = fitted.get(best)!;
      oofPreds = cf.preds;
      diagnostics = diagnose(oofPreds, cf.U, k, hard, positive);
    }
    warnings.push(...degenerateWarnings(diagnostics, labels));
    best.calibrated = decision.calibration !== null;
  }
  const coef = X.kind === 'hybrid' ? foldScale(model.coef, X.dense.cols * k, (choice.scale ?? X.scale) / X.scale) : model.coef;
  const final = {
    ...model,
    coef,
    head: headFromCoef(applyCalibration(coef, X.cols, k, deployed), X.cols, C, choice.C, choice.classWeight),
  };
  if (noPrior) warnings.push(noPrior);
  args.onProgress?.(total, total);
  return {
    best: choice,
    folds: kFolds,
    note,
    scores,
    final,
    calibration: deployed,
    oofPreds,
    score: scoreKind,
    decision,
    deploy: bagged ? 'bagged' : 'refit',
    diagnostics,
    warnings: [...new Set(warnings)],
  };
}

/** The 'prior' rule's shares, checked: C non-negative numbers, normalised; null when absent. */
function priorTarget(shares: readonly number[] | undefined, C: number): number[] | null {
  if (!shares) return null;
  const total = shares.reduce((a, b) => a + b, 0);
  if (shares.length !== C || shares.some((v) => !(v >= 0)) || !(total > 0))
    throw new RangeError(`The validation sample's shares must be ${C} non-negative numbers, not all 0 (got ${shares.join(', ')}).`);
  return shares.map((v) => v / total);
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * The highest mean score; with `oneSE`, the smallest C among the
 * configurations within one standard error of it (ties: the first in order —
 * scale 1 first, no weighting before balanced).
 */
export function pickOneSE(scores: readonly LinearScore[], oneSE: boolean): LinearScore | undefined {
  let top = scores[0];
  for (const sc of scores) if (sc.score > top.score) top = sc;
  if (!top || !oneSE) return top;
  let pick = top;
  for (const sc of scores) if (sc.score >= top.score - top.se - 1e-12 && sc.C < pick.C) pick = sc;
  return pick;
}

/** Mean cross-entropy of softmax(Z) (binary: σ(z)) against target rows T (n × C). */
export function logLoss(Z: Float64Array, k: number, T: Float32Array | Float64Array, C: number): number {
  const n = Z.length / k;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (k === 1) {
      const z = Z[i];
      const t = T[i * C + 1];
      sum += softplus(z) - t * z; // −t·log σ(z) − (1−t)·log(1−σ(z))
      continue;
    }
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, Z[i * C + c]);
    let e = 0;
    for (let c = 0; c < C; c++) e += Math.exp(Z[i * C + c] - m);
    const lse = m + Math.log(e);
    for (let c = 0; c < C; c++) if (T[i * C + c] > 0) sum -= T[i * C + c] * (Z[i * C + c] - lse);
  }
  return n ? sum / n : 0;
}

/**
 * Weights fitted on a hybrid with its dense block scaled by v·X.scale, as
 * weights for X itself: (v·s·x)·w = (s·x)·(v·w), so the first `n` (the dense
 * block's weight rows) are multiplied by v. The head then reads the features
 * as the embedder makes them, with no scale to remember.
 */
function foldScale(coef: Float64Array, n: number, v: number): Float64Array {
  const out = coef.slice();
  for (let j = 0; j < n; j++) out[j] *= v;
  return out;
}

/** Coefficients of softmax(a·z + c): kernel and intercepts scaled by a, then c added to the intercepts. */
function applyCalibration(coef: Float64Array, d: number, k: number, cal: Calibration): Float64Array {
  const out = coef.map((v) => v * cal.a);
  for (let j = 0; j < k; j++) out[d * k + j] += cal.c[j];
  return out;
}
