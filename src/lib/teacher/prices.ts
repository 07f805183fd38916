// List prices and the cost of tokens actually used. Kept apart from cost.ts
// (which loads gpt-tokenizer's large table) so the UI can show a price, or
// that none is known, without that download.

import type { TokenUsage } from './types';

export interface Price {
  /** US dollars per million input tokens. */
  inputPerM: number;
  /** US dollars per million output tokens (reasoning tokens are billed as output). */
  outputPerM: number;
  /** US dollars per million input tokens served from the prompt cache; inputPerM when absent. */
  cachedInputPerM?: number;
}

/** The month the table below was written for. */
export const PRICES_AS_OF = '2026-06';

// Standard-tier list prices in USD per 1M tokens (input / cached input /
// output), as of PRICES_AS_OF. Written from the best knowledge available
// without network access: they MUST be checked against
// https://openai.com/api/pricing before a budget depends on them, and edited
// when OpenAI changes them (users can also override any model in the app).
// Only exact names (and their dated snapshots, see priceFor) are priced; a
// model missing here has an unknown price, never a guessed one.
const p = (inputPerM: number, outputPerM: number, cachedInputPerM?: number): Price =>
  cachedInputPerM === undefined ? { inputPerM, outputPerM } : { inputPerM, outputPerM, cachedInputPerM };

export const DEFAULT_PRICES: Record<string, Price> = {
  'gpt-5.5': p(5, 30, 0.5),
  'gpt-5.5-pro': p(30, 180),
  'gpt-5.4': p(2.5, 15, 0.25),
  'gpt-5.4-mini': p(0.75, 4.5, 0.075),
  'gpt-5.4-nano': p(0.2, 1.25, 0.02),
  'gpt-5.2': p(1.75, 14, 0.175),
  'gpt-5.2-chat-latest': p(1.75, 14, 0.175),
  'gpt-5.2-pro': p(21, 168),
  'gpt-5.1': p(1.25, 10, 0.125),
  'gpt-5.1-chat-latest': p(1.25, 10, 0.125),
  'gpt-5.1-codex': p(1.25, 10, 0.125),
  'gpt-5': p(1.25, 10, 0.125),
  'gpt-5-chat-latest': p(1.25, 10, 0.125),
  'gpt-5-mini': p(0.25, 2, 0.025),
  'gpt-5-nano': p(0.05, 0.4, 0.005),
  'gpt-5-pro': p(15, 120),
  'gpt-4.1': p(2, 8, 0.5),
  'gpt-4.1-mini': p(0.4, 1.6, 0.1),
  'gpt-4.1-nano': p(0.1, 0.4, 0.025),
  'gpt-4o': p(2.5, 10, 1.25),
  // The first gpt-4o snapshot kept its launch price.
  'gpt-4o-2024-05-13': p(5, 15),
  'chatgpt-4o-latest': p(5, 15),
  'gpt-4o-mini': p(0.15, 0.6, 0.075),
  'o4-mini': p(1.1, 4.4, 0.275),
  o3: p(2, 8, 0.5),
  'o3-pro': p(20, 80),
  'o3-mini': p(1.1, 4.4, 0.55),
  o1: p(15, 60, 7.5),
  'o1-pro': p(150, 600),
  'o1-mini': p(1.1, 4.4, 0.55),
  'gpt-4-turbo': p(10, 30),
  'gpt-4': p(30, 60),
  'gpt-3.5-turbo': p(0.5, 1.5),
};

/** The OpenAI Batch API bills half the standard price (input, cached input and output). */
export const BATCH_DISCOUNT = 0.5;

export const FREE: Price = { inputPerM: 0, outputPerM: 0 };

const SNAPSHOT = /-\d{4}-\d{2}-\d{2}$/;

/**
 * The list price of a model: its exact name, else — for a dated snapshot
 * ("gpt-4o-mini-2024-07-18") — its alias, else null (unknown). A snapshot
 * with a price of its own is listed under its full name, so exact wins
 * (gpt-4o-2024-05-13 is not priced as gpt-4o). No other prefix matching:
 * "gpt-4o-audio-preview" is not gpt-4o.
 */
export function priceFor(model: string, prices: Record<string, Price> = DEFAULT_PRICES): Price | null {
  const name = model.trim();
  if (Object.hasOwn(prices, name)) return prices[name];
  const alias = name.replace(SNAPSHOT, '');
  if (alias !== name && Object.hasOwn(prices, alias)) return prices[alias];
  return null;
}

export type PriceSource = 'user' | 'list' | 'local' | 'unknown';

export interface PriceInfo {
  /** null: unknown, so no cost can be shown and a US$ budget cannot work. */
  price: Price | null;
  source: PriceSource;
}

/** True for loopback and private-network hosts: a server on your own machine or network. */
export function isLocalEndpoint(baseURL: string): boolean {
  if (baseURL.trim().startsWith('local:')) return true; // a model running in this tab (teacher/local)
  let host: string;
  try {
    host = new URL(baseURL.trim()).hostname.toLowerCase();
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host === '::1' || host === '0.0.0.0') return true;
  const m = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a === 127 || a === 10 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31);
}

/** The user's price for the model, else the list price, else free on a local server, else unknown. */
export function priceInfo(baseURL: string, model: string, user: Record<string, Price> = {}): PriceInfo {
  const own = user[model.trim()];
  if (own) return { price: own, source: 'user' };
  const list = priceFor(model);
  if (list) return { price: list, source: 'list' };
  if (isLocalEndpoint(baseURL)) return { price: FREE, source: 'local' };
  return { price: null, source: 'unknown' };
}

/** The same price at the Batch API's discount. */
export function batchPrice(price: Price): Price {
  const half = (x: number) => x * BATCH_DISCOUNT;
  return {
    inputPerM: half(price.inputPerM),
    outputPerM: half(price.outputPerM),
    ...(price.cachedInputPerM === undefined ? {} : { cachedInputPerM: half(price.cachedInputPerM) }),
  };
}

/** USD for the given token counts (no cache discount). */
export function costOf(tokensIn: number, tokensOut: number, price: Price): number {
  return (tokensIn * price.inputPerM + tokensOut * price.outputPerM) / 1_000_000;
}

/**
 * Output tokens billed. OpenAI counts reasoning inside completion_tokens; a
 * server that reports more reasoning than completion tokens evidently counts
 * them apart, so they are added.
 */
export function billedOutput(u: TokenUsage): number {
  const reasoning = u.reasoning ?? 0;
  return u.completion >= reasoning ? u.completion : u.completion + reasoning;
}

/** USD for one usage record: cached prompt tokens at the cached price, reasoning as output. */
export function usageCost(u: TokenUsage, price: Price): number {
  const cached = Math.min(Math.max(0, u.cachedPrompt ?? 0), u.prompt);
  const fresh = u.prompt - cached;
  const cachedPrice = price.cachedInputPerM ?? price.inputPerM;
  return (fresh * price.inputPerM + cached * cachedPrice + billedOutput(u) * price.outputPerM) / 1_000_000;
}
