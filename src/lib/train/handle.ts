// The worker's logic as a plain async function, so it is testable in Node:
// one request in, progress replies through `emit`, one final reply out.
import { initBackend, type BackendReport } from './backend';
import { trainHead } from './fit';
import { gridSearch } from './grid';
import { predictProbaAsync } from './head';
import { predictLinear } from './linear';
import { searchLinear } from './linear-search';
import { sliceMatrixRows, toDense, type CsrMatrix, type HybridMatrix } from './matrix';
import type { TrainReply, TrainRequest } from './protocol';
import { readStudent } from './student-files';
import type { SerializedHead } from './types';
import { TrainingCancelledError, throwIfAborted } from './types';

type JobRequest = Exclude<TrainRequest, { type: 'cancel' }>;

let backend: Promise<BackendReport> | null = null;

/** Initialise tfjs once (lazily with the default preference if no 'init' came first). */
function ensureBackend(req?: Extract<TrainRequest, { type: 'init' }>): Promise<BackendReport> {
  if (req || !backend) {
    const attempt = initBackend(req?.preference, { wasmPath: req?.wasmPath });
    backend = attempt;
    // A failed start is not cached: the next request tries again.
    attempt.catch(() => {
      if (backend === attempt) backend = null;
    });
  }
  return backend;
}

/** Forget the chosen backend (tests). */
export function resetBackend(): void {
  backend = null;
}

/**
 * Run one request. Never throws: failures become { type: 'error' } and a
 * fired `signal` becomes { type: 'cancelled' }.
 */
export async function handleTrainRequest(req: JobRequest, signal: AbortSignal, emit: (msg: TrainReply) => void): Promise<TrainReply> {
  const { id } = req;
  try {
    throwIfAborted(signal);
    if (req.type === 'init') {
      const r = await ensureBackend(req);
      return { type: 'backend', id, backend: r.backend, tried: r.tried };
    }
    await ensureBackend();
    switch (req.type) {
      case 'grid': {
        const result = await gridSearch({
          ...req,
          signal,
          onProgress: (p) =>
            emit({ type: 'progress', id, phase: p.phase, config: p.config, configs: p.configs, epoch: p.epoch, epochs: p.epochs }),
          onConfig: (i, total, cfg, score) =>
            emit({ type: 'progress', id, phase: 'search', config: i, configs: total, epoch: cfg.epochs, epochs: cfg.epochs, score }),
        });
        return { type: 'result', id, kind: 'grid', result };
      }
      case 'train': {
        const epochs = req.cfg.epochs;
        const result = await trainHead({
          ...req,
          signal,
          onEpoch: (log) =>
            emit({
              type: 'progress',
              id,
              phase: 'train',
              config: 1,
              configs: 1,
              epoch: log.epoch,
              epochs: epochs ?? log.epoch,
              score: log.valF1,
              log,
            }),
        });
        return { type: 'result', id, kind: 'train', result };
      }
      case 'linear': {
        const result = await searchLinear({
          ...req,
          signal,
          onProgress: (done, total) =>
            emit({ type: 'progress', id, phase: done < total ? 'search' : 'final', config: done, configs: total, epoch: 1, epochs: 1 }),
        });
        return { type: 'result', id, kind: 'linear', result };
      }
      case 'read-student':
        return { type: 'student', id, ...(await readStudent(req.files)) };
      case 'predict':
        return {
          type: 'probs',
          id,
          probs:
            req.X instanceof Float32Array ? await predictProbaAsync(req.weights, req.X, req.dim) : await predictSparse(req.weights, req.X),
        };
    }
  } catch (e) {
    if (e instanceof TrainingCancelledError) return { type: 'cancelled', id };
    return { type: 'error', id, message: e instanceof Error ? e.message : String(e) };
  }
}

/** Sparse (or hybrid) rows: a one-layer head reads them directly; an MLP gets them densified a chunk at a time. */
async function predictSparse(weights: SerializedHead, X: CsrMatrix | HybridMatrix): Promise<Float32Array> {
  if (weights.layers.length === 1) return predictLinear(weights, X);
  const out = new Float32Array(X.rows * weights.nClasses);
  const chunk = Math.max(1, Math.floor((16 * 2 ** 20) / Math.max(1, X.cols)));
  for (let s = 0; s < X.rows; s += chunk) {
    const part = toDense(sliceMatrixRows(X, s, Math.min(X.rows, s + chunk)));
    out.set(await predictProbaAsync(weights, part.values, X.cols), s * weights.nClasses);
  }
  return out;
}
