// Benchmark 2 (browser side): the app's grid search in the train worker on
// one tfjs backend, and the plain-JavaScript lower bound on the same data.
import type { BackendName } from '../../src/lib/train/backend';
import { expandGrid, type Grid, type GridSearchResult } from '../../src/lib/train/grid';
import { stratifiedHoldout, takeLabels, takeRows } from '../../src/lib/train/split';
import { makeBlobs } from '../../src/lib/train/synthetic';
import type { TrainReply } from '../../src/lib/train/protocol';
import { dense } from '../../src/lib/train/matrix';
import { fitPlainLogreg, predictPlain } from './plain-logreg';
import { tfjsWasmPath, trainCall, trainWorker, type TrainBackend } from './workers';

export interface TrainCase {
  n: number;
  dim: number;
  grid: Grid;
  /** Share of the training labels held out to rank configurations (the app's holdout selection). */
  holdout: number;
  seed: number;
}

export interface EpochCount {
  lr: number;
  batchSize: number;
  /** Epochs actually run (early stopping may end before the grid's maximum). */
  epochs: number;
  /** The final refit on all training rows (else a search run on the training fold). */
  final: boolean;
}

export interface BackendCaseResult {
  requested: BackendName;
  backend: BackendName | null;
  /** Why the backend did not start, or why the grid search stopped early. */
  error?: string;
  /** The search was stopped at the time cap; the throughput counts the epochs done by then. */
  capped: boolean;
  initMs: number;
  gridMs: number;
  configs: number;
  /** Per configuration reached, in grid order; the final refit (when reached) is the last entry. */
  epochs: EpochCount[];
  /** Training examples × epochs processed, summed over the search and the refit. */
  exampleEpochs: number;
  /** exampleEpochs per second of grid time. */
  throughput: number;
  best: { lr: number; batchSize: number; epochs: number } | null;
  bestValF1: number | null;
}

/** Synthetic stand-in embeddings: two Gaussian blobs, as in src/lib/train/synthetic.ts. */
function data(c: TrainCase) {
  return makeBlobs({ n: c.n, dim: c.dim, nClasses: 2, separation: 1.5, seed: c.seed });
}

/**
 * Grid search on one backend in a fresh train worker. A search still running
 * after `capMs` is cancelled: its throughput is then measured on the epochs
 * finished so far (same work per epoch, so still comparable).
 */
export async function trainBackendCase(backend: BackendName, c: TrainCase, capMs: number): Promise<BackendCaseResult> {
  const { client, worker } = trainWorker();
  const out: BackendCaseResult = {
    requested: backend,
    backend: null,
    capped: false,
    initMs: 0,
    gridMs: 0,
    configs: 0,
    epochs: [],
    exampleEpochs: 0,
    throughput: 0,
    best: null,
    bestValF1: null,
  };
  try {
    const t0 = performance.now();
    try {
      const init = await client.request<TrainBackend>({ type: 'init', preference: [backend], wasmPath: tfjsWasmPath() }, ['backend']).done;
      out.backend = init.backend;
    } catch (err) {
      out.error = err instanceof Error ? err.message : String(err);
      return out;
    }
    out.initMs = performance.now() - t0;
    const { X, y } = data(c);
    const nTrain = c.n - Math.round(c.n * c.holdout);
    // Configurations by 1-based index: lr, batch size and the highest epoch finished.
    const seen = new Map<number, { epochs: number; final: boolean }>();
    const configs = expandGridOrder(c.grid);
    const t1 = performance.now();
    const call = trainCall<Extract<TrainReply, { kind: 'grid' }>>(
      client,
      {
        type: 'grid',
        X,
        dim: c.dim,
        y,
        nClasses: 2,
        positive: 1,
        grid: c.grid,
        selection: { kind: 'holdout', fraction: c.holdout },
        seed: c.seed,
      },
      (r) => {
        if (r.type !== 'progress' || (r.phase === 'search' && r.score !== undefined)) return;
        const prev = seen.get(r.config)?.epochs ?? 0;
        seen.set(r.config, { epochs: Math.max(prev, r.epoch), final: r.phase === 'final' });
      },
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cap = new Promise<'cap'>((resolve) => (timer = setTimeout(() => resolve('cap'), capMs)));
    let result: GridSearchResult | null = null;
    try {
      const first = await Promise.race([call, cap]);
      if (first === 'cap') out.capped = true;
      else result = first.result;
    } catch (err) {
      out.error = err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(timer);
    }
    out.gridMs = performance.now() - t1;
    out.configs = result ? result.scores.length : configs.length;
    for (const [i, s] of [...seen].sort((a, b) => a[0] - b[0])) {
      const cfg = s.final && result ? result.best : configs[i - 1];
      if (!cfg) continue;
      out.epochs.push({ lr: cfg.lr, batchSize: cfg.batchSize, epochs: s.epochs, final: s.final });
      out.exampleEpochs += s.epochs * (s.final ? c.n : nTrain);
    }
    out.throughput = out.gridMs > 0 ? (out.exampleEpochs / out.gridMs) * 1000 : 0;
    if (result) {
      out.best = { lr: result.best.lr, batchSize: result.best.batchSize, epochs: result.best.epochs };
      out.bestValF1 = result.scores.find((s) => s.cfg.lr === result.best.lr && s.cfg.batchSize === result.best.batchSize)?.f1 ?? null;
    }
    return out;
  } finally {
    client.terminate();
    worker.terminate();
  }
}

/** The grid's configurations in the order gridSearch runs them (lr and batch size only). */
function expandGridOrder(grid: Grid): { lr: number; batchSize: number }[] {
  return expandGrid(grid, {}).map((cfg) => ({ lr: cfg.lr, batchSize: cfg.batchSize }));
}

export interface PlainCaseResult {
  ms: number;
  exampleEpochs: number;
  /** exampleEpochs per second. */
  throughput: number;
  /** Best validation F1 over the configurations (a check that it learned). */
  valF1: number;
}

/**
 * The same configurations, for the same epoch counts the reference backend
 * ran (early stopping is not re-decided here), plus the final refit, in plain
 * JavaScript on the page's main thread.
 */
export function plainCase(c: TrainCase, epochs: EpochCount[]): PlainCaseResult {
  const { X, y } = data(c);
  const fold = stratifiedHoldout(y, c.holdout, c.seed);
  const trX = takeRows(X, c.dim, fold.train),
    trY = takeLabels(y, fold.train);
  const vaX = takeRows(X, c.dim, fold.val),
    vaY = takeLabels(y, fold.val);
  let exampleEpochs = 0;
  let valF1 = 0;
  const t0 = performance.now();
  for (const e of epochs) {
    if (e.epochs < 1) continue;
    const args = e.final ? { X, y } : { X: trX, y: trY };
    const { model } = fitPlainLogreg({
      ...args,
      dim: c.dim,
      nClasses: 2,
      lr: e.lr,
      batchSize: e.batchSize,
      epochs: e.epochs,
      seed: c.seed,
    });
    exampleEpochs += e.epochs * args.y.length;
    if (!e.final) {
      const p = predictPlain(model, vaX);
      let tp = 0,
        fp = 0,
        fn = 0;
      p.forEach((v, k) => (v === 1 && vaY[k] === 1 ? tp++ : v === 1 ? fp++ : vaY[k] === 1 ? fn++ : 0));
      valF1 = Math.max(valF1, tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn));
    }
  }
  const ms = performance.now() - t0;
  return { ms, exampleEpochs, throughput: ms > 0 ? (exampleEpochs / ms) * 1000 : 0, valF1 };
}

export interface LinearCaseResult {
  ms: number;
  fits: number;
  /** Cross-validated F1 of the chosen C and class weighting. */
  cvF1: number;
  chosen: { C: number; classWeight: string };
}

/**
 * The default linear head on the same data: C × class weighting by 5-fold CV
 * plus the refit, plain JS (L-BFGS) in a fresh train worker, as the app runs it.
 */
export async function linearCase(c: TrainCase): Promise<LinearCaseResult> {
  const { client, worker } = trainWorker();
  try {
    await client.request<TrainBackend>({ type: 'init', preference: ['cpu'], wasmPath: tfjsWasmPath() }, ['backend']).done;
    const { X, y } = data(c);
    const t0 = performance.now();
    const { result } = await trainCall<Extract<TrainReply, { kind: 'linear' }>>(client, {
      type: 'linear',
      X: dense(X, c.dim),
      y,
      nClasses: 2,
      positive: 1,
      seed: c.seed,
    });
    const ms = performance.now() - t0;
    const best = result.scores.find((s) => s.C === result.best.C && s.classWeight === result.best.classWeight);
    return { ms, fits: result.folds * result.scores.length + 1, cvF1: best?.f1 ?? NaN, chosen: result.best };
  } finally {
    client.terminate();
    worker.terminate();
  }
}
