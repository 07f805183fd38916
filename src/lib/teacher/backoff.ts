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

/**
 * Delay before retry number `attempt` (0 = first retry): "full jitter",
 * uniform in [0, min(maxMs, baseMs·2^attempt)). A Retry-After header is a
 * floor: the result is never less than what the server asked for, even above
 * maxMs, because retrying earlier only earns another 429.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, retryAfterHeader?: string | null): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt));
  const jitter = Math.floor(opts.rand() * ceiling);
  const floor = retryAfterMs(retryAfterHeader, opts.now) ?? 0;
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
