// The paper's hyper-parameter grid search for the student head.
//
// Leakage is impossible by construction: gridSearch never sees the human test
// set. Validation rows are carved (stratified, seeded) from the training
// labels it is given; configurations are ranked by validation F1 (macro F1
// without a positive class); the final head is refit on all training labels
// with the winning configuration for the number of epochs early stopping chose.
import { trainHead } from './fit';
import { predictProbaAsync } from './head';
import { argmaxRows, f1Scores, selectionScore } from './metrics';
import { stratifiedHoldout, stratifiedKFold, takeLabels, takeRows, type Fold } from './split';
import { resolveHeadConfig, throwIfAborted, type HeadConfig, type TrainResult } from './types';

// The grid's type and defaults live in grid-defaults.ts (no tfjs), so the main
// thread can show them without loading tfjs; re-exported here for the worker side.
export { DEFAULT_GRID, type Grid } from './grid-defaults';
import { DEFAULT_GRID, type Grid } from './grid-defaults';

export type Selection = { kind: 'holdout'; fraction: number } | { kind: 'kfold'; k: number };

export interface GridProgress {
  phase: 'search' | 'final';
  /** 1-based configuration number (configs + 1 during the final refit). */
  config: number;
  configs: number;
  fold: number;
  folds: number;
  epoch: number;
  epochs: number;
}

export interface ConfigScore {
  cfg: HeadConfig;
  /** Mean validation F1 over folds (positive class; = macroF1 without one). */
  f1: number;
  macroF1: number;
  /** Mean best epoch over folds, rounded: the epochs a refit would use. */
  bestEpoch: number;
  /** Linear head on hybrid features: the sentence vector's weight beside the TF-IDF columns. */
  scale?: number;
}

export interface GridSearchArgs {
  /** Training embeddings only, n × dim. */
  X: Float32Array;
  dim: number;
  /** Training labels only: hard (Int32Array, n) or soft (Float32Array, n × nClasses). */
  y: Int32Array | Float32Array;
  nClasses: number;
  positive: number | null;
  grid?: Grid;
  base?: Partial<HeadConfig>;
  selection: Selection;
  /** Seeds the validation split; also the heads' seed unless base.seed is set. */
  seed: number;
  onConfig?: (i: number, total: number, cfg: HeadConfig, score: number) => void;
  onProgress?: (p: GridProgress) => void;
  signal?: AbortSignal;
}

export interface GridSearchResult {
  /** Winning configuration, with `epochs` set to the count used in the final refit. */
  best: HeadConfig;
  scores: ConfigScore[];
  final: TrainResult;
}

/** All configurations of a grid over `base`, in a fixed order (first key varies slowest). */
export function expandGrid(grid: Grid, base: Partial<HeadConfig>): HeadConfig[] {
  let out: Partial<HeadConfig>[] = [{ ...base }];
  for (const [key, values] of Object.entries(grid) as [keyof HeadConfig, readonly unknown[] | undefined][]) {
    if (!values || values.length === 0) continue;
    out = out.flatMap((cfg) => values.map((v) => ({ ...cfg, [key]: v })));
  }
  return out.map((c) => resolveHeadConfig(c));
}

/** Hard labels for stratification and scoring: soft rows collapse to their argmax. */
function hardLabels(y: Int32Array | Float32Array, C: number): Int32Array {
  return y instanceof Int32Array ? y : argmaxRows(y, C);
}

export async function gridSearch(args: GridSearchArgs): Promise<GridSearchResult> {
  const { X, dim, nClasses: C, positive, signal } = args;
  const n = X.length / dim;
  if (!Number.isInteger(n)) throw new RangeError(`Embedding array length ${X.length} is not a multiple of dim ${dim}.`);
  const hard = hardLabels(args.y, C);
  if (hard.length !== n) throw new RangeError(`Got ${hard.length} labels for ${n} embeddings.`);
  const configs = expandGrid(args.grid ?? DEFAULT_GRID, { seed: args.seed, ...args.base });
  const folds: Fold[] =
    args.selection.kind === 'holdout'
      ? [stratifiedHoldout(hard, args.selection.fraction, args.seed)]
      : stratifiedKFold(hard, args.selection.k, args.seed);
  const rowsOf = (idx: Int32Array) => (args.y instanceof Int32Array ? takeLabels(args.y, idx) : takeRows(args.y, C, idx));

  const scores: ConfigScore[] = [];
  for (let i = 0; i < configs.length; i++) {
    const cfg = configs[i];
    let f1 = 0;
    let macroF1 = 0;
    let epochs = 0;
    for (let f = 0; f < folds.length; f++) {
      throwIfAborted(signal);
      const { train, val } = folds[f];
      const valX = takeRows(X, dim, val);
      const valY = takeLabels(hard, val);
      const run = await trainHead({
        X: takeRows(X, dim, train),
        dim,
        y: rowsOf(train),
        nClasses: C,
        cfg,
        val: { X: valX, y: valY },
        positive,
        signal,
        onEpoch: (log) =>
          args.onProgress?.({
            phase: 'search',
            config: i + 1,
            configs: configs.length,
            fold: f + 1,
            folds: folds.length,
            epoch: log.epoch,
            epochs: cfg.epochs,
          }),
      });
      const s = f1Scores(valY, argmaxRows(await predictProbaAsync(run.weights, valX, dim), C), C, positive);
      f1 += s.f1 / folds.length;
      macroF1 += s.macroF1 / folds.length;
      epochs += run.bestEpoch / folds.length;
    }
    const score: ConfigScore = { cfg, f1, macroF1, bestEpoch: Math.max(1, Math.round(epochs)) };
    scores.push(score);
    args.onConfig?.(i + 1, configs.length, cfg, selectionScore(score, positive));
  }

  // Highest validation score wins; ties go to the earlier configuration.
  let bestIdx = 0;
  for (let i = 1; i < scores.length; i++) {
    if (selectionScore(scores[i], positive) > selectionScore(scores[bestIdx], positive)) bestIdx = i;
  }
  const best: HeadConfig = { ...scores[bestIdx].cfg, epochs: scores[bestIdx].bestEpoch };
  throwIfAborted(signal);
  const final = await trainHead({
    X,
    dim,
    y: args.y,
    nClasses: C,
    cfg: best,
    positive,
    signal,
    onEpoch: (log) =>
      args.onProgress?.({
        phase: 'final',
        config: configs.length + 1,
        configs: configs.length,
        fold: 1,
        folds: 1,
        epoch: log.epoch,
        epochs: best.epochs,
      }),
  });
  return { best, scores, final };
}
