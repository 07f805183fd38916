import { describe, expect, it } from 'vitest';
import { backoffDelay, durationMs, isRetryable, retryAfterMs, retryDelayFromHeaders } from './backoff';
import { TeacherRequestError } from './types';

const opts = (r: number) => ({ baseMs: 1000, maxMs: 30_000, rand: () => r });

describe('backoffDelay', () => {
  it('grows exponentially under full jitter and is capped', () => {
    expect(backoffDelay(0, opts(0.5))).toBe(500);
    expect(backoffDelay(1, opts(0.5))).toBe(1000);
    expect(backoffDelay(3, opts(0.5))).toBe(4000);
    expect(backoffDelay(20, opts(0.999))).toBeLessThan(30_000);
    expect(backoffDelay(2, opts(0))).toBe(0);
  });

  it('never waits less than Retry-After seconds, even above the cap', () => {
    expect(backoffDelay(0, opts(0.1), '2')).toBe(2000);
    expect(backoffDelay(0, opts(0.1), '0.5')).toBe(500);
    expect(backoffDelay(4, opts(0.9), '1')).toBe(14_400);
    expect(backoffDelay(0, opts(0.5), '120')).toBe(120_000);
  });

  it('honours Retry-After as an HTTP date', () => {
    const now = () => Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(backoffDelay(0, { ...opts(0), now }, 'Wed, 21 Oct 2015 07:28:07 GMT')).toBe(7000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
  });
});

describe('isRetryable', () => {
  it('retries 429, 408, 409 and 5xx but not other client errors', () => {
    for (const s of [429, 408, 409, 500, 502, 503, 504]) expect(isRetryable(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 422]) expect(isRetryable(s)).toBe(false);
  });

  it('retries timeouts and network failures, not cancellations', () => {
    expect(isRetryable(new TeacherRequestError('t', 'timeout'))).toBe(true);
    expect(isRetryable(new TeacherRequestError('n', 'network'))).toBe(true);
    expect(isRetryable(new TeacherRequestError('a', 'aborted'))).toBe(false);
    expect(isRetryable(new TeacherRequestError('x', 'http', 503))).toBe(true);
    expect(isRetryable(new TeacherRequestError('x', 'http', 401))).toBe(false);
    expect(isRetryable(new TypeError('Failed to fetch'))).toBe(true);
    expect(isRetryable(new DOMException('aborted', 'AbortError'))).toBe(false);
    expect(isRetryable({ status: 429 })).toBe(true);
    expect(isRetryable(new Error('?'))).toBe(false);
  });
});

describe('wait headers', () => {
  const headers = (h: Record<string, string>) => (name: string) => h[name.toLowerCase()] ?? null;

  it('reads OpenAI reset durations', () => {
    expect(durationMs('1s')).toBe(1000);
    expect(durationMs('6m0s')).toBe(360_000);
    expect(durationMs('20ms')).toBe(20);
    expect(durationMs('1h2m3.5s')).toBe(3_723_500);
    expect(durationMs('2.5')).toBe(2500);
    expect(durationMs('soon')).toBeNull();
    expect(durationMs('')).toBeNull();
  });

  it('prefers retry-after-ms, then Retry-After, then the reset of the exhausted limit', () => {
    const now = () => Date.parse('2026-12-01T00:00:00Z');
    expect(retryDelayFromHeaders(headers({ 'retry-after-ms': '2500', 'retry-after': '1' }), now)).toBe(2500);
    expect(retryDelayFromHeaders(headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryDelayFromHeaders(headers({ 'retry-after': 'Tue, 01 Dec 2026 00:00:04 GMT' }), now)).toBe(4000);
    expect(
      retryDelayFromHeaders(
        headers({
          'x-ratelimit-remaining-requests': '12',
          'x-ratelimit-reset-requests': '6m0s',
          'x-ratelimit-remaining-tokens': '0',
          'x-ratelimit-reset-tokens': '1.5s',
        }),
        now,
      ),
    ).toBe(1500);
    // Without remaining-* headers: the later reset, to be safe.
    expect(retryDelayFromHeaders(headers({ 'x-ratelimit-reset-requests': '20ms', 'x-ratelimit-reset-tokens': '2s' }), now)).toBe(2000);
    // Hidden by CORS (or absent): nothing to go on.
    expect(retryDelayFromHeaders(headers({}), now)).toBeNull();
  });

  it('takes a wait in ms as the floor of the backoff', () => {
    expect(backoffDelay(0, { baseMs: 1000, maxMs: 60_000, rand: () => 0 }, 2500)).toBe(2500);
    expect(backoffDelay(0, { baseMs: 1000, maxMs: 60_000, rand: () => 0 }, null)).toBe(0);
  });
});
