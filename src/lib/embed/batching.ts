// Length-sorted batching. A forward pass pads every text to the longest in
// its batch, so cutting batches in input order from a corpus of mixed lengths
// pays for padding on every batch. Sorting by token count first and cutting
// by a token budget (texts × longest ≤ budget) keeps batches even, big for
// short texts and small for long ones; the rows are put back in input order
// afterwards. Pure, so the plan and its padding are tested without a model.

export interface BatchPlanOptions {
  /** Most padded tokens per forward pass (texts × longest text), default 8192. */
  tokenBudget?: number;
  /** Most texts per forward pass, default 64. */
  maxBatch?: number;
  /** Sort by token count (default true); false cuts batches of maxBatch in input order, as before. */
  sort?: boolean;
  /**
   * A sorted text joins a batch only if it is at least this share of the
   * batch's longest (default 0.75) or at most 8 tokens shorter, so a batch
   * wastes at most a third of its slots even when the budget would let
   * texts of very different lengths share it (a small corpus, short texts).
   */
  minFill?: number;
}

/** Token counts of one run: real ones, and what the batches padded them to. */
export interface PaddingStats {
  realTokens: number;
  paddedTokens: number;
  batches: number;
}

export const DEFAULT_TOKEN_BUDGET = 8192;
export const DEFAULT_MAX_BATCH = 64;
export const DEFAULT_MIN_FILL = 0.75;
/** Texts this close to a batch's longest always fit it: splitting would save almost nothing. */
const SLACK_TOKENS = 8;

/**
 * Batches of text indices for texts of these token `lengths`. Sorted plans
 * run longest first, so a batch too big for the device fails at once rather
 * than at the end. Every index appears exactly once.
 */
export function planBatches(lengths: ArrayLike<number>, opts: BatchPlanOptions = {}): number[][] {
  const budget = Math.max(1, Math.floor(opts.tokenBudget ?? DEFAULT_TOKEN_BUDGET));
  const maxBatch = Math.max(1, Math.floor(opts.maxBatch ?? DEFAULT_MAX_BATCH));
  const minFill = opts.minFill ?? DEFAULT_MIN_FILL;
  const order = Array.from({ length: lengths.length }, (_, i) => i);
  const batches: number[][] = [];
  if (opts.sort === false) {
    for (let s = 0; s < order.length; s += maxBatch) batches.push(order.slice(s, s + maxBatch));
    return batches;
  }
  // Stable: equal lengths keep input order, so a plan is deterministic.
  order.sort((a, b) => lengths[b] - lengths[a] || a - b);
  // Longest first, so the first text of a batch is its longest.
  let current: number[] = [];
  let longest = 0;
  for (const i of order) {
    const len = Math.max(1, lengths[i]);
    const full = current.length >= maxBatch || (current.length + 1) * longest > budget;
    const tooShort = len < minFill * longest && longest - len > SLACK_TOKENS;
    if (current.length > 0 && (full || tooShort)) {
      batches.push(current);
      current = [];
    }
    if (current.length === 0) longest = len;
    current.push(i);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Real and padded token counts of running `batches` over texts of these `lengths`. */
export function paddingOf(lengths: ArrayLike<number>, batches: number[][]): PaddingStats {
  let realTokens = 0;
  let paddedTokens = 0;
  for (const b of batches) {
    let longest = 0;
    for (const i of b) {
      realTokens += lengths[i];
      longest = Math.max(longest, lengths[i]);
    }
    paddedTokens += longest * b.length;
  }
  return { realTokens, paddedTokens, batches: batches.length };
}

/** Padded ÷ real tokens: 1 = no padding at all; 2 = as much padding as text. */
export function paddingWaste(s: Pick<PaddingStats, 'realTokens' | 'paddedTokens'>): number {
  return s.realTokens > 0 ? s.paddedTokens / s.realTokens : 1;
}
