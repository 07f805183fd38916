// The student's classifier head: a softmax layer (logistic regression) or a
// one-hidden-layer MLP on frozen embeddings, as raw tfjs variables.
//
// Why raw variables instead of tf.layers: tfjs's seeded Dropout draws the
// *same* mask on every call, and its seeded initialisers depend on tfjs
// internals. Drawing initial weights, shuffles and dropout masks from our own
// seeded PRNG makes a run reproducible bit-for-bit on the cpu backend.
// serialize.ts turns a trained head into an ordinary tfjs layers model.
//
// Output is always a softmax over nClasses units (also for 2 classes), so
// hard and soft targets, binary and multi-class share one code path and
// probability rows always sum to 1.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../data/rng';
import type { HeadConfig, SerializedHead } from './types';

/** Live tfjs variables of a head being trained. Call dispose() when done. */
export interface HeadParams {
  config: HeadConfig;
  dim: number;
  nClasses: number;
  kernels: tf.Variable[];
  biases: tf.Variable[];
  dispose(): void;
}

/** tf.variable keeps its own reference to the data; the initial tensor must still be released. */
function variableFrom(init: tf.Tensor): tf.Variable {
  const v = tf.variable(init, true, undefined, 'float32');
  init.dispose();
  return v;
}

/** A head's weights as tensors, variables or constants alike. */
interface DenseStack {
  kernels: tf.Tensor[];
  biases: tf.Tensor[];
}

/**
 * Create a head's variables: Glorot-uniform kernels drawn from
 * mulberry32(cfg.seed) (same law as Keras' glorotUniform), zero biases.
 * Layer sizes: logreg [dim → nClasses]; mlp [dim → hidden → nClasses].
 */
export function buildHead(dim: number, nClasses: number, cfg: HeadConfig): HeadParams {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`Embedding dimension must be a positive integer (got ${dim}).`);
  if (!Number.isInteger(nClasses) || nClasses < 2) throw new RangeError(`A classifier needs at least 2 classes (got ${nClasses}).`);
  const sizes = cfg.kind === 'mlp' ? [dim, cfg.hidden, nClasses] : [dim, nClasses];
  const rand = mulberry32(cfg.seed);
  const kernels: tf.Variable[] = [];
  const biases: tf.Variable[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [fanIn, fanOut] = [sizes[l], sizes[l + 1]];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rand() - 1) * limit;
    kernels.push(variableFrom(tf.tensor2d(w, [fanIn, fanOut])));
    biases.push(variableFrom(tf.zeros([fanOut])));
  }
  return {
    config: cfg,
    dim,
    nClasses,
    kernels,
    biases,
    dispose() {
      tf.dispose([...kernels, ...biases]);
    },
  };
}

/**
 * Logits for a batch x [n, dim]. `dropoutMask` ([n, hidden], values 0 or
 * 1/(1−p)) is applied after the hidden relu during training only.
 */
export function headLogits(stack: DenseStack, x: tf.Tensor2D, dropoutMask?: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    let h: tf.Tensor2D = x;
    const last = stack.kernels.length - 1;
    for (let l = 0; l <= last; l++) {
      h = tf.add(tf.matMul(h, stack.kernels[l] as tf.Tensor2D), stack.biases[l]);
      if (l < last) {
        h = tf.relu(h);
        if (dropoutMask) h = tf.mul(h, dropoutMask);
      }
    }
    return h;
  });
}

/** Inverted-dropout mask [rows, cols] drawn from `rand`. */
export function dropoutMask(rows: number, cols: number, rate: number, rand: () => number): Float32Array {
  const keep = 1 / (1 - rate);
  const m = new Float32Array(rows * cols);
  for (let i = 0; i < m.length; i++) m[i] = rand() < rate ? 0 : keep;
  return m;
}

/** Copy a head's current weights out of the backend into plain arrays. */
export async function snapshotHead(params: HeadParams): Promise<SerializedHead> {
  const layers: SerializedHead['layers'] = [];
  for (let l = 0; l < params.kernels.length; l++) {
    const k = params.kernels[l];
    const b = params.biases[l];
    // .slice(): the cpu backend may hand back its own backing array.
    layers.push({
      kernel: { shape: [...k.shape], values: (await k.data<'float32'>()).slice() },
      bias: { shape: [...b.shape], values: (await b.data<'float32'>()).slice() },
    });
  }
  return { format: 'surrogate-head/1', config: { ...params.config }, dim: params.dim, nClasses: params.nClasses, layers };
}

/** Check a SerializedHead is internally consistent before using it. */
export function assertHead(head: SerializedHead): void {
  const fail = (why: string): never => {
    throw new TypeError(`Not a usable classifier head: ${why}.`);
  };
  if (head?.format !== 'surrogate-head/1') fail(`unknown format "${String(head?.format)}"`);
  if (head.layers.length < 1) fail('it has no layers');
  let width = head.dim;
  for (const { kernel, bias } of head.layers) {
    const [rows, cols] = kernel.shape;
    if (kernel.shape.length !== 2 || rows !== width) fail(`a kernel of shape [${kernel.shape}] does not follow width ${width}`);
    if (kernel.values.length !== rows * cols || bias.values.length !== cols || bias.shape[0] !== cols)
      fail('weight sizes do not match their shapes');
    width = cols;
  }
  if (width !== head.nClasses) fail(`it outputs ${width} classes, not ${head.nClasses}`);
}

const PREDICT_CHUNK = 4096;

/**
 * Class probabilities for X (n × dim, row-major): Float32Array n × nClasses,
 * each row summing to 1. Runs in chunks so a large set does not exhaust GPU
 * memory. Results are read with `await data()`, never dataSync: on WebGPU a
 * synchronous read goes through an OffscreenCanvas and leaves the device
 * unable to map buffers afterwards (Chromium: "A valid external Instance
 * reference no longer exists"), so training then fails.
 */
export async function predictProbaAsync(head: SerializedHead, X: Float32Array, dim: number): Promise<Float32Array> {
  assertHead(head);
  if (dim !== head.dim) throw new RangeError(`The head expects ${head.dim}-dimensional embeddings, got ${dim}.`);
  if (X.length % dim !== 0) throw new RangeError(`Embedding array length ${X.length} is not a multiple of dim ${dim}.`);
  const n = X.length / dim;
  const out = new Float32Array(n * head.nClasses);
  const stack = tf.tidy(() => ({
    kernels: head.layers.map((l) => tf.tensor2d(l.kernel.values, l.kernel.shape as [number, number])),
    biases: head.layers.map((l) => tf.tensor1d(l.bias.values)),
  }));
  try {
    for (let s = 0; s < n; s += PREDICT_CHUNK) {
      const e = Math.min(n, s + PREDICT_CHUNK);
      const probs = tf.tidy(() => tf.softmax(headLogits(stack, tf.tensor2d(X.subarray(s * dim, e * dim), [e - s, dim]))));
      try {
        out.set((await probs.data()) as Float32Array, s * head.nClasses);
      } finally {
        probs.dispose();
      }
    }
  } finally {
    tf.dispose([...stack.kernels, ...stack.biases]);
  }
  return out;
}
