// Model selection for the linear head: C on a log grid × class weighting,
// chosen by stratified k-fold cross-validation on the training labels only,
// then refit on all of them — what GridSearchCV(LogisticRegression) does.
// For a linear head on frozen features these two knobs are what matters; the
// paper's learning-rate × batch × epoch grid is for fine-tuning a transformer.
//
// The decision rule is chosen by the same cross-validation: per configuration,
// the refit's own argmax or its logits recalibrated on out-of-fold logits
// (calibrate.ts: a slope and intercepts, as CalibratedClassifierCV(method=
// 'sigmoid')), whichever gives the higher out-of-fold F1. Recalibration wins
// where the in-sample intercept is biased for new texts (wide TF-IDF rows,
// noisy labels: a student that says "positive" for 2 % of texts while its
// teacher says 23 %); the plain argmax wins where it is already right, so the
// search never does worse on its own folds than GridSearchCV would.
//
// Hybrid features (a sentence vector beside TF-IDF columns) add one knob: the
// weight of the dense block. With one L2 penalty over both blocks, scaling a
// block up makes its weights cheaper, so the scale sets how much the head
// leans on the sentence vector versus the n-grams; it is chosen by the same
// folds, with C. Other features search exactly as before.
import { calibratedArgmax, fitCalibration, type Calibration } from './calibrate';
import { fitLogReg, headFromCoef, linearLogits, rowWeights, targetRows, type ClassWeight, type LogRegFit } from './linear';
import { takeMatrixRows, type FeatureMatrix, type HybridMatrix } from './matrix';
import { argmaxRows, f1Scores, selectionScore } from './metrics';
import { stratifiedKFold, takeLabels, takeRows } from './split';
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
  /** Positive class index (scored by its F1), or null (macro F1). */
  positive: number | null;
  Cs?: readonly number[];
  classWeights?: readonly ClassWeight[];
  /** A hybrid X only: the dense block's scales to try (default DEFAULT_SCALES); ignored for other features. */
  scales?: readonly number[];
  folds?: number;
  seed: number;
  signal?: AbortSignal;
  /** After each fit: fits done of total (folds × configurations + the refit). */
  onProgress?: (done: number, total: number) => void;
  /**
   * The decision rule, also chosen on out-of-fold predictions:
   * 'argmax' — the refit's own argmax, scored by mean fold F1 (exactly GridSearchCV(LogisticRegression));
   * 'calibrated' — always recalibrate on out-of-fold logits;
   * 'auto' (default) — per configuration, whichever of the two gives the higher out-of-fold F1 (ties: argmax).
   */
  decision?: 'argmax' | 'calibrated' | 'auto';
}

export interface LinearScore {
  C: number;
  classWeight: ClassWeight;
  /** Hybrid features only: the dense block's scale. */
  scale?: number;
  /**
   * The selection score: positive-class F1 (macro F1 without a positive class)
   * of the out-of-fold decisions under the chosen rule (for 'argmax': the
   * mean over folds, as GridSearchCV).
   */
  f1: number;
  macroF1: number;
  /** Whether this configuration's decisions are recalibrated. */
  calibrated: boolean;
  /** Mean over folds of the uncalibrated F1 (GridSearchCV's score), for reference. */
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
  /** Applied to the refit's logits (identity when the argmax rule won or no CV was possible). */
  calibration: Calibration;
  /**
   * Out-of-fold predicted class per training row for the winning
   * configuration (−1 where no fold scored the row): an honest view of
   * how the student labels texts it has not seen.
   */
  oofPreds: Int32Array;
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
  const total = kFolds * Cs.length * weights.length * scales.length + 1;
  let done = 0;
  const rowsOf = (idx: Int32Array) => (args.y instanceof Int32Array ? takeLabels(args.y, idx) : takeRows(args.y, C, idx));

  const decision = args.decision ?? 'auto';
  const T = targetRows(args.y, X.rows, C);
  const k = C === 2 ? 1 : C;
  const scores: LinearScore[] = [];
  // Per configuration: out-of-fold logits (rows × k) and uncalibrated decisions.
  const oofZ = new Map<string, Float64Array>();
  const oofRaw = new Map<string, Int32Array>();
  const keyOf = (c: number, w: ClassWeight, v: number | null | undefined = null) => `${c}|${w}|${v ?? ''}`;
  if (kFolds > 0) {
    for (const v of scales)
      for (const w of weights)
        for (const c of Cs) {
          scores.push({
            C: c,
            classWeight: w,
            ...(v === null ? {} : { scale: v }),
            f1: 0,
            macroF1: 0,
            foldF1: 0,
            calibrated: false,
            unconverged: 0,
          });
          oofZ.set(keyOf(c, w, v), new Float64Array(X.rows * k));
          oofRaw.set(keyOf(c, w, v), new Int32Array(X.rows).fill(-1));
        }
    for (const fold of stratifiedKFold(hard, kFolds, args.seed)) {
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
            const score = scores.find((q) => q.C === c && q.classWeight === w && (q.scale ?? null) === v)!;
            score.foldF1 += f1Scores(yva, pred, C, positive).f1 / kFolds;
            if (!fit.converged) score.unconverged++;
            const z = oofZ.get(keyOf(c, w, v))!;
            const raw = oofRaw.get(keyOf(c, w, v))!;
            fold.val.forEach((row, i) => {
              raw[row] = pred[i];
              for (let j = 0; j < k; j++) z[row * k + j] = Z[i * k + j];
            });
            args.onProgress?.(++done, total);
            await yieldToEventLoop(); // lets a 'cancel' message land in a worker
          }
        }
    }
  }
  const calibrations = new Map<string, Calibration>();
  const oofPredsOf = new Map<string, Int32Array>();
  for (const sc of scores) {
    const key = keyOf(sc.C, sc.classWeight, sc.scale);
    const raw = oofRaw.get(key)!;
    const rawScore = f1Scores(hard, raw, C, positive);
    if (decision === 'argmax') {
      Object.assign(sc, { f1: sc.foldF1, macroF1: rawScore.macroF1, calibrated: false });
      oofPredsOf.set(key, raw);
      continue;
    }
    const cal = fitCalibration(oofZ.get(key)!, k, T, C, rowWeights(T, X.rows, C, sc.classWeight));
    const calPreds = calibratedArgmax(oofZ.get(key)!, k, C, cal);
    const calScore = f1Scores(hard, calPreds, C, positive);
    const useCal = decision === 'calibrated' || selectionScore(calScore, positive) > selectionScore(rawScore, positive);
    const chosen = useCal ? calScore : rawScore;
    Object.assign(sc, { f1: chosen.f1, macroF1: chosen.macroF1, calibrated: useCal });
    if (useCal) calibrations.set(key, cal);
    oofPredsOf.set(key, useCal ? calPreds : raw);
  }
  // Highest score wins; ties go to the first in order (scale 1 first, no weighting before balanced, smaller C first).
  let best = scores[0];
  for (const sc of scores) if (selectionScore(sc, positive) > selectionScore(best, positive)) best = sc;
  const choice: LinearSearchResult['best'] = best
    ? { C: best.C, classWeight: best.classWeight, ...(best.scale === undefined ? {} : { scale: best.scale }) }
    : { C: 1, classWeight: 'none', ...(X.kind === 'hybrid' ? { scale: scales[0]! } : {}) };
  throwIfAborted(signal);
  const refit = fitLogReg({ X: scaled(X, choice.scale ?? null), y: args.y, nClasses: C, C: choice.C, classWeight: choice.classWeight });
  const calibration = calibrations.get(keyOf(choice.C, choice.classWeight, choice.scale)) ?? {
    a: 1,
    c: new Array(k === 1 ? 1 : C).fill(0),
  };
  const coef = X.kind === 'hybrid' ? foldScale(refit.coef, X.dense.cols * k, (choice.scale ?? X.scale) / X.scale) : refit.coef;
  const final = {
    ...refit,
    coef,
    head: headFromCoef(applyCalibration(coef, X.cols, k, calibration), X.cols, C, choice.C, choice.classWeight),
  };
  args.onProgress?.(total, total);
  return {
    best: choice,
    folds: kFolds,
    note,
    scores,
    final,
    calibration,
    oofPreds: oofPredsOf.get(keyOf(choice.C, choice.classWeight, choice.scale)) ?? new Int32Array(X.rows).fill(-1),
  };
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
