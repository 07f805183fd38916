// Model selection for the linear head: C on a log grid × class weighting,
// chosen by stratified k-fold cross-validation on the training labels only,
// then refit on all of them — what GridSearchCV(LogisticRegression) does.
// For a linear head on frozen features these two knobs are what matters; the
// paper's learning-rate × batch × epoch grid is for fine-tuning a transformer.
import { fitLogReg, predictLinear, type ClassWeight, type LogRegFit } from './linear';
import { takeMatrixRows, type FeatureMatrix } from './matrix';
import { argmaxRows, f1Scores, selectionScore } from './metrics';
import { stratifiedKFold, takeLabels, takeRows } from './split';
import { throwIfAborted } from './types';

/** 1e-2 … 1e2 in half-decades, ascending (warm starts follow this order). */
export const DEFAULT_CS: readonly number[] = [0.01, 0.0316, 0.1, 0.316, 1, 3.16, 10, 31.6, 100];
export const DEFAULT_CLASS_WEIGHTS: readonly ClassWeight[] = ['none', 'balanced'];
export const DEFAULT_FOLDS = 5;

export interface LinearSearchArgs {
  X: FeatureMatrix;
  /** Hard labels (n) or soft targets (n × nClasses). */
  y: Int32Array | Float32Array;
  nClasses: number;
  /** Positive class index (scored by its F1), or null (macro F1). */
  positive: number | null;
  Cs?: readonly number[];
  classWeights?: readonly ClassWeight[];
  folds?: number;
  seed: number;
  signal?: AbortSignal;
  /** After each fit: fits done of total (folds × configurations + the refit). */
  onProgress?: (done: number, total: number) => void;
}

export interface LinearScore {
  C: number;
  classWeight: ClassWeight;
  /** Mean over folds of the positive-class F1 (macro F1 without a positive class). */
  f1: number;
  macroF1: number;
  /** Fold fits that hit the iteration limit. */
  unconverged: number;
}

export interface LinearSearchResult {
  best: { C: number; classWeight: ClassWeight };
  /** Folds actually used (0 = too few labels to cross-validate; the defaults were fitted). */
  folds: number;
  /** Why fewer folds than asked were used, in plain words; null when none. */
  note: string | null;
  scores: LinearScore[];
  final: LogRegFit;
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
    return { folds: 0, note: `A class has fewer than 2 training labels, so C and class weighting could not be cross-validated; C = 1 without class weights was used.` };
  }
  if (smallest >= k) return { folds: k, note: null };
  return { folds: smallest, note: `The smallest class has only ${smallest} training labels, so ${smallest}-fold instead of ${k}-fold cross-validation was used.` };
}

export async function searchLinear(args: LinearSearchArgs): Promise<LinearSearchResult> {
  const { X, nClasses: C, positive, signal } = args;
  const hard = hardOf(args.y, C);
  if (hard.length !== X.rows) throw new RangeError(`Got ${hard.length} labels for ${X.rows} rows.`);
  const Cs = [...(args.Cs ?? DEFAULT_CS)].sort((a, b) => a - b);
  const weights = args.classWeights ?? DEFAULT_CLASS_WEIGHTS;
  if (Cs.length === 0 || weights.length === 0) throw new RangeError('The search needs at least one C and one class weighting.');
  const { folds: k, note } = chooseFolds(hard, C, args.folds ?? DEFAULT_FOLDS);
  const total = k * Cs.length * weights.length + 1;
  let done = 0;
  const rowsOf = (idx: Int32Array) => (args.y instanceof Int32Array ? takeLabels(args.y, idx) : takeRows(args.y, C, idx));

  const scores: LinearScore[] = [];
  const oof = new Map<string, Int32Array>();
  const keyOf = (c: number, w: ClassWeight) => `${c}|${w}`;
  if (k > 0) {
    for (const w of weights) for (const c of Cs) {
      scores.push({ C: c, classWeight: w, f1: 0, macroF1: 0, unconverged: 0 });
      oof.set(keyOf(c, w), new Int32Array(X.rows).fill(-1));
    }
    for (const fold of stratifiedKFold(hard, k, args.seed)) {
      const Xtr = takeMatrixRows(X, fold.train);
      const ytr = rowsOf(fold.train);
      const Xva = takeMatrixRows(X, fold.val);
      const yva = takeLabels(hard, fold.val);
      for (const w of weights) {
        // Warm start along the C path (ascending): each fit starts near its optimum.
        let init: Float64Array | undefined;
        for (const c of Cs) {
          throwIfAborted(signal);
          const fit = fitLogReg({ X: Xtr, y: ytr, nClasses: C, C: c, classWeight: w, init });
          init = fit.coef;
          const pred = argmaxRows(predictLinear(fit.head, Xva), C);
          const s = f1Scores(yva, pred, C, positive);
          const score = scores.find((q) => q.C === c && q.classWeight === w)!;
          score.f1 += s.f1 / k;
          score.macroF1 += s.macroF1 / k;
          if (!fit.converged) score.unconverged++;
          const o = oof.get(keyOf(c, w))!;
          fold.val.forEach((row, i) => (o[row] = pred[i]));
          args.onProgress?.(++done, total);
          await yieldToEventLoop(); // lets a 'cancel' message land in a worker
        }
      }
    }
  }
  // Highest mean CV score wins; ties go to the first in order (no weighting before balanced, smaller C first).
  let best = scores[0];
  for (const s of scores) if (selectionScore(s, positive) > selectionScore(best, positive)) best = s;
  const choice = best ? { C: best.C, classWeight: best.classWeight } : { C: 1, classWeight: 'none' as ClassWeight };
  throwIfAborted(signal);
  const final = fitLogReg({ X, y: args.y, nClasses: C, ...choice });
  args.onProgress?.(total, total);
  return {
    best: choice,
    folds: k,
    note,
    scores,
    final,
    oofPreds: oof.get(keyOf(choice.C, choice.classWeight)) ?? new Int32Array(X.rows).fill(-1),
  };
}
