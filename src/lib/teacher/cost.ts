// Token and cost estimates before a run, and the cost of tokens actually used.

import { countTokens } from 'gpt-tokenizer';

export interface Price {
  /** US dollars per million input tokens. */
  inputPerM: number;
  /** US dollars per million output tokens. */
  outputPerM: number;
}

/**
 * Standard (non-batch) list prices in USD per 1M tokens, as of 2026 — edit
 * as needed; providers change them. Unknown models (local servers) cost 0.
 */
export const DEFAULT_PRICES: Record<string, Price> = {
  'gpt-4o-mini': { inputPerM: 0.15, outputPerM: 0.6 },
  'gpt-4o': { inputPerM: 2.5, outputPerM: 10 },
  'gpt-4.1-nano': { inputPerM: 0.1, outputPerM: 0.4 },
  'gpt-4.1-mini': { inputPerM: 0.4, outputPerM: 1.6 },
  'gpt-4.1': { inputPerM: 2, outputPerM: 8 },
  'gpt-5-nano': { inputPerM: 0.05, outputPerM: 0.4 },
  'gpt-5-mini': { inputPerM: 0.25, outputPerM: 2 },
  'gpt-5': { inputPerM: 1.25, outputPerM: 10 },
};

/** The OpenAI Batch API bills half the standard price. */
export const BATCH_DISCOUNT = 0.5;

export const FREE: Price = { inputPerM: 0, outputPerM: 0 };

/** The price for a model: exact name, else the longest known prefix ("gpt-4o-mini-2024-07-18"), else free. */
export function priceFor(model: string, prices: Record<string, Price> = DEFAULT_PRICES): Price {
  if (prices[model]) return prices[model];
  const prefix = Object.keys(prices)
    .filter((k) => model.startsWith(k + '-'))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? prices[prefix] : FREE;
}

/** USD for the given token counts. */
export function costOf(tokensIn: number, tokensOut: number, price: Price): number {
  return (tokensIn * price.inputPerM + tokensOut * price.outputPerM) / 1_000_000;
}

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
  price: Price;
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
  cost: number;
}

/** Tokens, calls and cost of labeling `userPrompts` with `repeats` answers each. */
export function estimateRun(o: RunEstimateInput): RunEstimate {
  const system = estimateTokens(o.systemPrompt) + PER_MESSAGE;
  const perText = o.useN ? Math.min(o.repeats, o.requestsPerText ?? 1) : o.repeats;
  let inputTokens = 0;
  for (const u of o.userPrompts) inputTokens += (system + estimateTokens(u) + PER_MESSAGE + PER_REPLY) * perText;
  const outputTokens = o.userPrompts.length * o.repeats * o.maxOutputTokens;
  const calls = o.userPrompts.length * perText;
  const cost = costOf(inputTokens, outputTokens, o.price) * (o.discount ?? 1);
  return { inputTokens, outputTokens, calls, cost };
}
