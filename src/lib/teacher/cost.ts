// Token and cost estimates before a run, and the cost of tokens actually used.

import { countTokens } from 'gpt-tokenizer';
import { batchPrice, costOf, type Price } from './prices';

// The price table lives in prices.ts (no tokenizer); re-exported for callers of cost.ts.
export * from './prices';

/**
 * BPE merging is quadratic in the length of one pre-tokenizer piece, and a
 * run without spaces is one piece (80,000 characters took 3.6 s), so text is
 * handed to the tokenizer in pieces of at most this many characters, cut at a
 * space where one is near. That makes counting linear; the count moves by at
 * most a token per cut.
 */
const PIECE = 256;
/** Characters counted per text; a longer text is counted on evenly spread windows and scaled (approximate). */
export const EXACT_CHARS = 16_384;
const WINDOWS = 8;

const count = (s: string) => countTokens(s, { disallowedSpecial: new Set() });

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Tokens of `text[from, to)`, in pieces of at most PIECE characters. */
function countSpan(text: string, from: number, to: number): number {
  let n = 0;
  let i = from;
  while (i < to) {
    let end = Math.min(to, i + PIECE);
    if (end < to) {
      // Cut before a space (the next word keeps its leading space, as the tokenizer splits).
      // (A bounded look back: lastIndexOf would rescan a 10 MB run without spaces for every piece.)
      let space = end;
      while (space > i + PIECE / 2 && text.charCodeAt(space) !== 32) space--;
      if (space > i + PIECE / 2) end = space;
      else if (isHigh(text.charCodeAt(end - 1))) end -= 1;
    }
    n += count(text.slice(i, end));
    i = end;
  }
  return n;
}

/**
 * Tokens in a text by the o200k tokenizer (GPT-4o family), in time linear in
 * the text and bounded by EXACT_CHARS: longer texts are counted on WINDOWS
 * spread windows and scaled, and marked approximate. Other models' tokenizers
 * differ, so it is an estimate either way. Special-token strings such as
 * "<|endoftext|>" in a researcher's text are counted as plain text.
 */
export function countTextTokens(text: string): { tokens: number; approximate: boolean } {
  if (text.length <= EXACT_CHARS) return { tokens: countSpan(text, 0, text.length), approximate: false };
  const w = Math.floor(EXACT_CHARS / WINDOWS);
  let tokens = 0;
  let chars = 0;
  for (let k = 0; k < WINDOWS; k++) {
    let start = Math.floor((k * (text.length - w)) / (WINDOWS - 1));
    if (start > 0 && isHigh(text.charCodeAt(start - 1))) start -= 1;
    tokens += countSpan(text, start, start + w);
    chars += w;
  }
  return { tokens: Math.round((tokens * text.length) / chars), approximate: true };
}

/** countTextTokens(text).tokens. */
export function estimateTokens(text: string): number {
  return countTextTokens(text).tokens;
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
  /** True when some text was counted on windows, or the messages on a sample (estimateSampledRun). */
  approximate?: boolean;
}

/** Tokens, calls and cost of labeling `userPrompts` with `repeats` answers each. */
export function estimateRun(o: RunEstimateInput): RunEstimate {
  let user = 0;
  let approximate = false;
  for (const u of o.userPrompts) {
    const c = countTextTokens(u);
    user += c.tokens;
    approximate ||= c.approximate;
  }
  return totals(o, o.userPrompts.length, user, approximate);
}

function totals(o: Omit<RunEstimateInput, 'userPrompts'>, texts: number, userTokens: number, approximate: boolean): RunEstimate {
  const sys = countTextTokens(o.systemPrompt);
  const system = sys.tokens + PER_MESSAGE;
  const perText = o.useN ? Math.min(o.repeats, o.requestsPerText ?? 1) : o.repeats;
  const inputTokens = Math.round(((system + PER_MESSAGE + PER_REPLY) * texts + userTokens) * perText);
  const outputTokens = texts * o.repeats * o.maxOutputTokens;
  const calls = texts * perText;
  const cost = o.price ? costOf(inputTokens, outputTokens, o.price) * (o.discount ?? 1) : null;
  const batchCost = o.price ? costOf(inputTokens, outputTokens, batchPrice(o.price)) * (o.discount ?? 1) : null;
  return { inputTokens, outputTokens, calls, cost, batchCost, approximate: approximate || sys.approximate };
}

/** Characters of user messages counted in one estimateSampledRun, at most (windows of long texts included). */
export const SAMPLE_CHARS = 400_000;

/**
 * The estimate for `count` user messages of `chars` characters in all, from
 * a spread `sample` of them: the sample's tokens per character times `chars`.
 * Counting takes turns with the page (a yield every ~15 ms), and the caller
 * keeps the sample within SAMPLE_CHARS (samplePlan), so a corpus of 10 MB
 * texts is estimated as fast as one of tweets. Approximate unless the sample
 * is every message and none was counted on windows.
 */
export async function estimateSampledRun(
  o: Omit<RunEstimateInput, 'userPrompts'> & { sample: readonly string[]; count: number; chars: number },
): Promise<RunEstimate> {
  let tokens = 0;
  let sampleChars = 0;
  let approximate = o.sample.length < o.count;
  let last = Date.now();
  for (const u of o.sample) {
    const c = countTextTokens(u);
    tokens += c.tokens;
    sampleChars += u.length;
    approximate ||= c.approximate;
    if (Date.now() - last > 15) {
      await new Promise((r) => setTimeout(r, 0));
      last = Date.now();
    }
  }
  const user = o.sample.length === o.count && !approximate ? tokens : sampleChars > 0 ? (tokens / sampleChars) * o.chars : 0;
  return totals(o, o.count, user, approximate);
}

/**
 * Which of `lengths` (characters per message) to count: every `step`-th, with
 * `step` large enough that at most `maxTexts` texts and about SAMPLE_CHARS
 * characters are counted (each text costs at most EXACT_CHARS).
 */
export function samplePlan(lengths: readonly number[], maxTexts = 2000, budget = SAMPLE_CHARS): number[] {
  const cost = lengths.reduce((n, l) => n + Math.min(l, EXACT_CHARS), 0);
  const step = Math.max(1, Math.ceil(lengths.length / maxTexts), Math.ceil(cost / budget));
  const out: number[] = [];
  for (let i = 0; i < lengths.length; i += step) out.push(i);
  return out;
}
