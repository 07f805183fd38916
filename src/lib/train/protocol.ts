// Messages between the main thread and train.worker.ts, declared once.
// Every request carries an id; every reply names the id it answers, so a
// stale answer can be told from a newer one.
//
// Big arrays travel by transfer (see transferablesOf). Transferring detaches
// the sender's buffer: the main thread should post copies (X.slice()) of
// embeddings it keeps, e.g. in $state.raw.
import type { BackendAttempt, BackendName } from './backend';
import type { GridSearchArgs, GridSearchResult } from './grid';
import type { LinearSearchArgs, LinearSearchResult } from './linear-search';
import { matrixBuffers, type CsrMatrix, type HybridMatrix } from './matrix';
import type { StudentRead } from './student-files';
import type { EpochLog, HeadConfig, SerializedHead, TrainResult } from './types';

export type TrainRequest =
  | { type: 'init'; id: number; preference?: BackendName[]; wasmPath?: string }
  /** The grid search's own arguments, less its callbacks (progress comes back as messages). */
  | ({ type: 'grid'; id: number } & Omit<GridSearchArgs, 'onConfig' | 'onProgress' | 'signal'>)
  | {
      type: 'train';
      id: number;
      X: Float32Array;
      dim: number;
      y: Int32Array | Float32Array;
      nClasses: number;
      positive: number | null;
      cfg: Partial<HeadConfig>;
      val?: { X: Float32Array; y: Int32Array };
    }
  /** The linear head's C × class-weight cross-validation, less its callbacks. */
  | ({ type: 'linear'; id: number } & Omit<LinearSearchArgs, 'onProgress' | 'signal'>)
  /** Dense rows (n × dim), sparse CSR rows or a dense + sparse hybrid (dim = X.cols). */
  | { type: 'predict'; id: number; weights: SerializedHead; X: Float32Array | CsrMatrix | HybridMatrix; dim: number }
  /** Reads and checks a student's picked files (a zip, or model.json + weights.bin + surrogate.json); answered by 'student'. */
  | { type: 'read-student'; id: number; files: File[] }
  /** Stops the job whose request had this id; it answers 'cancelled'. */
  | { type: 'cancel'; id: number };

export type TrainReply =
  | { type: 'backend'; id: number; backend: BackendName; tried: BackendAttempt[] }
  | {
      type: 'progress';
      id: number;
      phase: 'search' | 'final' | 'train';
      /** 1-based configuration (grid) — 1 of 1 for a single 'train'. */
      config: number;
      configs: number;
      epoch: number;
      epochs: number;
      /** Validation score of the configuration just finished (grid), or the epoch's validation F1 (train). */
      score?: number;
      log?: EpochLog;
    }
  | { type: 'result'; id: number; kind: 'grid'; result: GridSearchResult }
  | { type: 'result'; id: number; kind: 'train'; result: TrainResult }
  | { type: 'result'; id: number; kind: 'linear'; result: LinearSearchResult }
  | { type: 'probs'; id: number; probs: Float32Array }
  /** A student's files, checked: its facts and head (its buffers transferred). */
  | ({ type: 'student'; id: number } & StudentRead)
  | { type: 'error'; id: number; message: string }
  | { type: 'cancelled'; id: number };

function headBuffers(h: SerializedHead): ArrayBuffer[] {
  return h.layers.flatMap((l) => [l.kernel.values.buffer as ArrayBuffer, l.bias.values.buffer as ArrayBuffer]);
}

/** The ArrayBuffers a message can move instead of copy (deduplicated, as postMessage requires). */
export function transferablesOf(msg: TrainRequest | TrainReply): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  switch (msg.type) {
    case 'grid':
      out.push(msg.X.buffer as ArrayBuffer, msg.y.buffer as ArrayBuffer);
      break;
    case 'train':
      out.push(msg.X.buffer as ArrayBuffer, msg.y.buffer as ArrayBuffer);
      if (msg.val) out.push(msg.val.X.buffer as ArrayBuffer, msg.val.y.buffer as ArrayBuffer);
      break;
    case 'linear':
      out.push(...matrixBuffers(msg.X), msg.y.buffer as ArrayBuffer);
      break;
    case 'predict':
      // The weights stay with the sender (they are usually also in the store): copied, not moved.
      out.push(...(msg.X instanceof Float32Array ? [msg.X.buffer as ArrayBuffer] : matrixBuffers(msg.X)));
      break;
    case 'result':
      if (msg.kind === 'linear')
        out.push(
          ...headBuffers(msg.result.final.head),
          msg.result.final.coef.buffer as ArrayBuffer,
          msg.result.oofPreds.buffer as ArrayBuffer,
        );
      else out.push(...headBuffers(msg.kind === 'grid' ? msg.result.final.weights : msg.result.weights));
      break;
    case 'probs':
      out.push(msg.probs.buffer as ArrayBuffer);
      break;
    case 'student':
      out.push(...headBuffers(msg.weights));
      break;
  }
  return [...new Set(out)];
}
