import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryable, retryAfterMs } from './backoff';
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
