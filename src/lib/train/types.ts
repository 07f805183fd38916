// Shapes shared by the student head, the grid search and the worker protocol.
// Plain data only: everything here crosses the worker boundary and can be
// stored in IndexedDB by structured clone.

/** Hyper-parameters of the student's classifier head on frozen embeddings. */
export interface HeadConfig {
  /**
   * 'linear': L2-regularised logistic regression solved to convergence by
   * L-BFGS (linear.ts), C and class weighting chosen by k-fold CV — the default.
   * 'logreg' / 'mlp': one dense softmax layer / dense(hidden, relu) → dropout →
   * dense softmax, trained with Adam over the paper's grid ("as in the paper").
   */
  kind: HeadKind;
  /** Hidden units (mlp only). */
  hidden: number;
  /** Dropout rate after the hidden layer (mlp only), 0 ≤ dropout < 1. */
  dropout: number;
  /** Adam learning rate. */
  lr: number;
  batchSize: number;
  /** Maximum epochs; with a validation set, early stopping may end sooner. */
  epochs: number;
  /** Epochs without improvement of `monitor` on the validation set before stopping. */
  patience: number;
  /** Which validation number early stopping watches. */
  monitor: 'valLoss' | 'valF1';
  /** Weight each example by n / (nClasses · count(class)) ("balanced") in the loss. */
  classWeights: boolean;
  /** Seeds the initial weights, the per-epoch shuffles and the dropout masks. */
  seed: number;
  /** L2 penalty on the kernels (not the biases): loss += l2 · Σ w². */
  l2: number;
  /** 'linear' only: scikit-learn's inverse regularisation strength C. */
  C: number;
}

export type HeadKind = 'linear' | 'logreg' | 'mlp';
export const HEAD_KINDS: readonly HeadKind[] = ['linear', 'logreg', 'mlp'];

/**
 * Defaults for a head on frozen sentence embeddings. Adam at 1e-3 is a
 * sensible middle: a linear/MLP head on fixed features tolerates (and
 * needs) larger steps than fine-tuning a whole transformer.
 */
export const DEFAULT_HEAD_CONFIG: HeadConfig = {
  kind: 'logreg',
  hidden: 128,
  dropout: 0.1,
  lr: 1e-3,
  batchSize: 32,
  epochs: 50,
  patience: 5,
  monitor: 'valLoss',
  classWeights: false,
  seed: 42,
  l2: 0,
  C: 1,
};

/** Fill the gaps of a partial configuration with the defaults and check it. */
export function resolveHeadConfig(partial: Partial<HeadConfig> = {}): HeadConfig {
  const cfg: HeadConfig = { ...DEFAULT_HEAD_CONFIG, ...partial };
  const bad = (what: string): never => {
    throw new RangeError(`Invalid head configuration: ${what}.`);
  };
  if (!HEAD_KINDS.includes(cfg.kind)) bad(`unknown kind "${String(cfg.kind)}"`);
  if (!(cfg.C > 0) || !Number.isFinite(cfg.C)) bad(`C must be a positive number (got ${cfg.C})`);
  if (!(cfg.lr > 0)) bad(`learning rate must be positive (got ${cfg.lr})`);
  if (!Number.isInteger(cfg.batchSize) || cfg.batchSize < 1) bad(`batch size must be a positive integer (got ${cfg.batchSize})`);
  if (!Number.isInteger(cfg.epochs) || cfg.epochs < 1) bad(`epochs must be a positive integer (got ${cfg.epochs})`);
  if (!Number.isInteger(cfg.patience) || cfg.patience < 1) bad(`patience must be a positive integer (got ${cfg.patience})`);
  if (!(cfg.dropout >= 0 && cfg.dropout < 1)) bad(`dropout must be in [0, 1) (got ${cfg.dropout})`);
  if (!(cfg.l2 >= 0)) bad(`L2 penalty must be ≥ 0 (got ${cfg.l2})`);
  if (cfg.kind === 'mlp' && (!Number.isInteger(cfg.hidden) || cfg.hidden < 1))
    bad(`hidden units must be a positive integer (got ${cfg.hidden})`);
  return cfg;
}

/** A dense weight matrix or bias vector, row-major. */
export interface SerializedTensor {
  shape: number[];
  values: Float32Array;
}

/**
 * A trained head as plain data: structured-cloneable (IndexedDB, postMessage),
 * and JSON-able through `headToJSON`/`headFromJSON` in serialize.ts.
 * `layers` are the dense layers in order; every layer but the last is
 * followed by relu, the last by softmax.
 */
export interface SerializedHead {
  format: 'surrogate-head/1';
  config: HeadConfig;
  dim: number;
  nClasses: number;
  layers: { kernel: SerializedTensor; bias: SerializedTensor }[];
}

/** One row per completed epoch. Loss is the mean (class-weighted) training cross-entropy. */
export interface EpochLog {
  epoch: number;
  loss: number;
  valLoss?: number;
  valF1?: number;
}

export interface TrainResult {
  weights: SerializedHead;
  history: EpochLog[];
  /** 1-based epoch whose weights were kept (the last epoch without validation data). */
  bestEpoch: number;
}

/** Thrown when an AbortSignal stops training; the worker answers 'cancelled'. */
export class TrainingCancelledError extends Error {
  override name = 'TrainingCancelledError';
  constructor() {
    super('Training was cancelled.');
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TrainingCancelledError();
}
