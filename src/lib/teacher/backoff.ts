// Retry timing and which failures deserve a retry.

import { TeacherRequestError } from './types';

export interface BackoffOptions {
  /** Ceiling of the first retry's delay. */
  baseMs: number;
  /** Cap on the exponential part (Retry-After may exceed it). */
  maxMs: number;
  /** Uniform [0, 1); injected so tests are exact. */
  rand: () => number;
  /** Clock for Retry-After HTTP dates; Date.now by default. */
  now?: () => number;
}

export const DEFAULT_BACKOFF = { baseMs: 1_000, maxMs: 60_000 } as const;

/**
 * Milliseconds a Retry-After header asks for: delta-seconds ("2", "1.5") or an
 * HTTP date. Null when absent or unreadable; never negative.
 */
export function retryAfterMs(header: string | null | undefined, now: () => number = Date.now): number | null {
  if (header === null || header === undefined || header.trim() === '') return null;
  const h = header.trim();
  if (/^\d+(\.\d+)?$/.test(h)) return Math.round(Number(h) * 1000);
  const date = Date.parse(h);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now());
}

/** OpenAI's x-ratelimit-reset-* durations ("1s", "6m0s", "20ms", "1h2m3.5s") in ms; null if unreadable. */
export function durationMs(text: string | null | undefined): number | null {
  const t = (text ?? '').trim();
  if (t === '') return null;
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000); // bare seconds
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let end = 0;
  for (const m of t.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]];
    end = m.index + m[0].length;
  }
  return end === t.length && end > 0 ? Math.round(total) : null;
}

/**
 * How long the server asked us to wait, from its response headers: first
 * retry-after-ms (OpenAI sends it; the SDK reads it first too), then
 * Retry-After, then x-ratelimit-reset-requests / -tokens — of the limit that
 * is used up when x-ratelimit-remaining-* says so, else the later of the two.
 * Null when none is present or readable (e.g. a CORS policy hides them).
 */
export function retryDelayFromHeaders(get: (name: string) => string | null | undefined, now: () => number = Date.now): number | null {
  const ms = Number(get('retry-after-ms'));
  if (get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const after = retryAfterMs(get('retry-after'), now);
  if (after !== null) return after;
  const resets = (['requests', 'tokens'] as const).map((kind) => ({
    ms: durationMs(get(`x-ratelimit-reset-${kind}`)),
    exhausted: get(`x-ratelimit-remaining-${kind}`)?.trim() === '0',
  }));
  const known = resets.filter((r) => r.ms !== null);
  if (known.length === 0) return null;
  const pick = known.some((r) => r.exhausted) ? known.filter((r) => r.exhausted) : known;
  return Math.max(...pick.map((r) => r.ms!));
}

/** One limit the server reported: how much is left, of how much, and when it is full again. */
export interface LimitState {
  /** x-ratelimit-remaining-*: requests (or tokens) left now. */
  remaining: number;
  /** x-ratelimit-limit-*: the full allowance; null when not sent. */
  limit: number | null;
  /** x-ratelimit-reset-*: ms until the allowance is full again; null when not sent or unreadable. */
  resetMs: number | null;
}

/** The x-ratelimit-* headers of one response (OpenAI, Azure OpenAI, Groq, Together, …). */
export interface RateLimitInfo {
  requests?: LimitState;
  tokens?: LimitState;
}

/**
 * The x-ratelimit-{remaining,limit,reset}-{requests,tokens} headers of a
 * response, for pacing the run before the server says 429. A kind is present
 * only when its remaining-* header is a number; null when neither is (absent,
 * or hidden by the server's CORS policy).
 */
export function rateLimitInfo(get: (name: string) => string | null | undefined): RateLimitInfo | null {
  const num = (h: string | null | undefined) => {
    const t = (h ?? '').trim();
    const v = t === '' ? NaN : Number(t);
    return Number.isFinite(v) && v >= 0 ? v : null;
  };
  const out: RateLimitInfo = {};
  for (const kind of ['requests', 'tokens'] as const) {
    const remaining = num(get(`x-ratelimit-remaining-${kind}`));
    if (remaining === null) continue;
    out[kind] = { remaining, limit: num(get(`x-ratelimit-limit-${kind}`)), resetMs: durationMs(get(`x-ratelimit-reset-${kind}`)) };
  }
  return out.requests || out.tokens ? out : null;
}

/**
 * Delay before retry number `attempt` (0 = first retry): "full jitter",
 * uniform in [0, min(maxMs, baseMs·2^attempt)). A Retry-After header is a
 * floor: the result is never less than what the server asked for, even above
 * maxMs, because retrying earlier only earns another 429. `retryAfter` is a
 * Retry-After header (string) or a wait already in ms (number).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, retryAfter?: string | number | null): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt));
  const jitter = Math.floor(opts.rand() * ceiling);
  const floor = (typeof retryAfter === 'number' ? Math.max(0, retryAfter) : retryAfterMs(retryAfter, opts.now)) ?? 0;
  return Math.max(jitter, floor);
}

const RETRY_STATUS = new Set([408, 409, 429]);

/**
 * Whether a failure is worth retrying: 408, 409, 429, 5xx, timeouts and
 * network errors yes; other 4xx (bad request, auth, not found) and our own
 * cancellations no. Accepts a status number or a thrown value.
 */
export function isRetryable(failure: number | unknown): boolean {
  if (typeof failure === 'number') return RETRY_STATUS.has(failure) || (failure >= 500 && failure <= 599);
  if (failure instanceof TeacherRequestError) {
    if (failure.kind === 'aborted') return false;
    if (failure.kind === 'timeout' || failure.kind === 'network') return true;
    return failure.status !== undefined && isRetryable(failure.status);
  }
  if (failure instanceof DOMException && failure.name === 'AbortError') return false;
  if (failure instanceof DOMException && failure.name === 'TimeoutError') return true;
  // fetch() rejects with a TypeError when the network (or CORS) fails.
  if (failure instanceof TypeError) return true;
  const status = (failure as { status?: unknown } | null)?.status;
  return typeof status === 'number' && isRetryable(status);
}
