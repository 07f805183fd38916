// Training loop for the head: a custom Adam loop (optimizer.minimize) so the
// shuffles and dropout masks come from our seeded PRNG, with class weights,
// soft targets, L2 and early stopping that restores the best epoch.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../data/rng';
import { buildHead, dropoutMask, headLogits, snapshotHead } from './head';
import { rowWeights, targetRows } from './linear';
import { argmaxRows, f1Scores, selectionScore } from './metrics';
import { resolveHeadConfig, throwIfAborted, type EpochLog, type HeadConfig, type SerializedHead, type TrainResult } from './types';

export interface TrainHeadArgs {
  /** Embeddings, n × dim row-major. */
  X: Float32Array;
  dim: number;
  /** Hard labels (Int32Array, n) or soft targets (Float32Array, n × nClasses, rows summing to 1). */
  y: Int32Array | Float32Array;
  nClasses: number;
  cfg: Partial<HeadConfig>;
  /** Validation set for early stopping; without it all cfg.epochs are run. */
  val?: { X: Float32Array; y: Int32Array };
  /** Index of the positive class (binary F1), or null for macro F1. */
  positive: number | null;
  onEpoch?: (log: EpochLog) => void;
  signal?: AbortSignal;
}

/**
 * Targets as an n × C probability matrix: one-hot for hard labels, soft rows
 * renormalised to sum to 1 (linear.ts's targetRows, in float32 for tfjs).
 * Throws on labels out of range or empty rows.
 */
export function targetMatrix(y: Int32Array | Float32Array, n: number, C: number): Float32Array {
  return Float32Array.from(targetRows(y, n, C));
}

/** Per-example weights: "balanced" class weights n / (C · count_c), mixed by the target row (linear.ts's rowWeights). */
export function sampleWeights(T: Float32Array, n: number, C: number, balanced: boolean): Float32Array {
  return Float32Array.from(rowWeights(Float64Array.from(T), n, C, balanced ? 'balanced' : 'none'));
}

/** Mean of w_i · cross-entropy(T_i, softmax(logits_i)). */
function weightedCrossEntropy(logits: tf.Tensor2D, T: tf.Tensor2D, w: tf.Tensor1D | null): tf.Scalar {
  return tf.tidy(() => {
    const ce = tf.neg(tf.sum(tf.mul(T, tf.logSoftmax(logits)), 1));
    return tf.mean(w ? tf.mul(ce, w) : ce);
  });
}

/** Let queued messages (a 'cancel') run between epochs; the cpu backend never yields by itself. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Train a head. With `val`, early stopping watches cfg.monitor and the
 * returned weights are those of the best epoch; without `val`, exactly
 * cfg.epochs are run. All tensors are released, also on error or cancel.
 */
export async function trainHead(args: TrainHeadArgs): Promise<TrainResult> {
  const cfg = resolveHeadConfig(args.cfg);
  const { X, dim, nClasses: C } = args;
  if (X.length % dim !== 0) throw new RangeError(`Embedding array length ${X.length} is not a multiple of dim ${dim}.`);
  const n = X.length / dim;
  if (n === 0) throw new RangeError('Cannot train on zero examples.');
  const T = targetMatrix(args.y, n, C);
  const sw = sampleWeights(T, n, C, cfg.classWeights);
  const val = args.val && args.val.y.length > 0 ? args.val : undefined;
  if (val && val.X.length !== val.y.length * dim) throw new RangeError('Validation embeddings and labels differ in length.');
  const valT = val ? targetMatrix(val.y, val.y.length, C) : null;

  // Separate streams: init draws from mulberry32(seed) inside buildHead.
  const rand = mulberry32((cfg.seed ^ 0x5bd1e995) >>> 0);
  const head = buildHead(dim, C, cfg);
  const vars = [...head.kernels, ...head.biases];
  const useDropout = cfg.kind === 'mlp' && cfg.dropout > 0;
  const tensors = {
    X: tf.tensor2d(X, [n, dim]),
    T: tf.tensor2d(T, [n, C]),
    w: cfg.classWeights ? tf.tensor1d(sw) : null,
    vX: val ? tf.tensor2d(val.X, [val.y.length, dim]) : null,
    vT: valT && val ? tf.tensor2d(valT, [val.y.length, C]) : null,
  };
  const optimizer = tf.train.adam(cfg.lr);
  const order = new Int32Array(n).map((_, i) => i);
  const history: EpochLog[] = [];
  let best: { epoch: number; value: number; weights: SerializedHead } | null = null;

  try {
    for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
      throwIfAborted(args.signal);
      shuffle(order, rand);
      let lossSum = tf.scalar(0);
      for (let s = 0; s < n; s += cfg.batchSize) {
        const e = Math.min(n, s + cfg.batchSize);
        const idx = tf.tensor1d(order.subarray(s, e), 'int32');
        const mask = useDropout ? tf.tensor2d(dropoutMask(e - s, cfg.hidden, cfg.dropout, rand), [e - s, cfg.hidden]) : undefined;
        const cost = optimizer.minimize(
          () => {
            const logits = headLogits(head, tf.gather(tensors.X, idx) as tf.Tensor2D, mask);
            const w = tensors.w ? (tf.gather(tensors.w, idx) as tf.Tensor1D) : null;
            let loss: tf.Scalar = weightedCrossEntropy(logits, tf.gather(tensors.T, idx) as tf.Tensor2D, w);
            if (cfg.l2 > 0) for (const k of head.kernels) loss = tf.add(loss, tf.mul(cfg.l2, tf.sum(tf.square(k)))) as tf.Scalar;
            return loss;
          },
          true,
          vars,
        );
        const next = tf.tidy(() => tf.add(lossSum, tf.mul(cost as tf.Scalar, e - s)) as tf.Scalar);
        tf.dispose([lossSum, cost as tf.Scalar, idx, mask]);
        lossSum = next;
      }
      const log: EpochLog = { epoch, loss: (await lossSum.data())[0] / n };
      lossSum.dispose();

      if (tensors.vX && tensors.vT && val) {
        const [vLoss, vProbs] = tf.tidy(() => {
          const logits = headLogits(head, tensors.vX as tf.Tensor2D);
          return [weightedCrossEntropy(logits, tensors.vT as tf.Tensor2D, null), tf.softmax(logits)];
        });
        log.valLoss = (await vLoss.data())[0];
        const probs = (await vProbs.data()) as Float32Array;
        tf.dispose([vLoss, vProbs]);
        log.valF1 = selectionScore(f1Scores(val.y, argmaxRows(probs, C), C, args.positive), args.positive);
        // Lower loss or higher F1 is better; ties keep the earlier epoch.
        const value = cfg.monitor === 'valLoss' ? log.valLoss : -log.valF1;
        if (best === null || value < best.value) best = { epoch, value, weights: await snapshotHead(head) };
      }
      history.push(log);
      args.onEpoch?.(log);
      if (best && epoch - best.epoch >= cfg.patience) break;
      await yieldToEventLoop();
    }
    if (best) return { weights: best.weights, history, bestEpoch: best.epoch };
    return { weights: await snapshotHead(head), history, bestEpoch: history.length };
  } finally {
    optimizer.dispose();
    head.dispose();
    for (const t of [tensors.X, tensors.T, tensors.w, tensors.vX, tensors.vT]) t?.dispose();
  }
}

/** Fisher–Yates in place with a seeded generator. */
function shuffle(a: Int32Array, rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
