// Token and cost estimates before a run, and the cost of tokens actually used.

import { countTokens } from 'gpt-tokenizer';
import { batchPrice, costOf, type Price } from './prices';

// The price table lives in prices.ts (no tokenizer); re-exported for callers of cost.ts.
export * from './prices';

/**
 * Tokens in a text by the o200k tokenizer (GPT-4o family). Other models'
 * tokenizers differ, so treat it as an estimate. Special-token strings such as
 * "<|endoftext|>" in a researcher's text are counted as plain text.
 */
export function estimateTokens(text: string): number {
  return countTokens(text, { disallowedSpecial: new Set() });
}

// Chat formatting overhead per message, plus the assistant reply primer.
const PER_MESSAGE = 3;
const PER_REPLY = 3;

export interface RunEstimateInput {
  systemPrompt: string;
  /** The user message of each text, as sent. */
  userPrompts: string[];
  repeats: number;
  /** Repeats asked for with `n`: the prompt is billed once per request, not per answer. */
  useN: boolean;
  /** Output cap per answer; the estimate assumes every answer uses it (an upper bound). */
  maxOutputTokens: number;
  /** null when unknown: tokens are still counted, the cost is null. */
  price: Price | null;
  /**
   * Requests per text when useN (planRequests(...).length): 2 with the default
   * temperatures (repeat 0 alone, the rest with n). Default 1.
   */
  requestsPerText?: number;
  /** Multiplier on the price, e.g. BATCH_DISCOUNT. Default 1. */
  discount?: number;
}

export interface RunEstimate {
  inputTokens: number;
  outputTokens: number;
  calls: number;
  /** Upper bound in USD (no prompt-cache discount, every answer at the cap); null when the price is unknown. */
  cost: number | null;
  /** Same at Batch API prices. */
  batchCost: number | null;
}

/** Tokens, calls and cost of labeling `userPrompts` with `repeats` answers each. */
export function estimateRun(o: RunEstimateInput): RunEstimate {
  const system = estimateTokens(o.systemPrompt) + PER_MESSAGE;
  const perText = o.useN ? Math.min(o.repeats, o.requestsPerText ?? 1) : o.repeats;
  let inputTokens = 0;
  for (const u of o.userPrompts) inputTokens += (system + estimateTokens(u) + PER_MESSAGE + PER_REPLY) * perText;
  const outputTokens = o.userPrompts.length * o.repeats * o.maxOutputTokens;
  const calls = o.userPrompts.length * perText;
  const cost = o.price ? costOf(inputTokens, outputTokens, o.price) * (o.discount ?? 1) : null;
  const batchCost = o.price ? costOf(inputTokens, outputTokens, batchPrice(o.price)) * (o.discount ?? 1) : null;
  return { inputTokens, outputTokens, calls, cost, batchCost };
}
