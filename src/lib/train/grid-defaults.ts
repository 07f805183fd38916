// The paper's grid search settings as plain data: no tfjs import, so the Train
// and Compare steps can show and edit them before tfjs is loaded.
import type { HeadConfig } from './types';

/** Values to try per hyper-parameter; the search runs their Cartesian product. */
export type Grid = { [K in keyof HeadConfig]?: readonly HeadConfig[K][] };

/**
 * The paper's grid names (learning rate, batch size, epochs) with values for
 * a head on frozen embeddings: Adam steps from 1e-4 up to 1e-2 — wider and
 * larger than for fine-tuning a transformer, since a small head on fixed
 * features needs bigger steps to converge within the epoch budget. Epochs is
 * a maximum; early stopping (patience 5) picks the count.
 */
export const DEFAULT_GRID: Grid = {
  lr: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2],
  batchSize: [16, 32],
  epochs: [50],
};
