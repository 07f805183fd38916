import { describe, expect, it } from 'vitest';
import { rateLimitInfo } from './backoff';
import { RateControl, requestTokens } from './rate';
import type { CompletionRequest } from './types';

function clocked(o: ConstructorParameters<typeof RateControl>[0]) {
  const c = { t: 0 };
  return { c, rate: new RateControl(o, () => c.t) };
}

const ok = { kind: 'ok' as const };
const overload = (waitMs = 1000) => ({ kind: 'overload' as const, waitMs });

describe('RateControl: AIMD concurrency', () => {
  it('starts at "requests at once" and holds the next request until one finishes', () => {
    const { rate } = clocked({ maxConcurrency: 3 });
    const t = [rate.start(0), rate.start(0), rate.start(0)];
    expect(rate.wait(0)).toBe(Infinity);
    rate.finish(t[0], ok);
    expect(rate.wait(0)).toBe(0);
    expect(rate.view()).toMatchObject({ concurrency: 3, inFlight: 2 });
  });

  it('halves on a 429, once per round of requests, and grows by one after a run of successes', () => {
    const { rate } = clocked({ maxConcurrency: 8, growAfter: 2 });
    const first = Array.from({ length: 8 }, () => rate.start(0));
    rate.finish(first[0], overload());
    expect(rate.concurrency).toBe(4);
    // The other seven were sent before the cut: their 429s do not cut again.
    rate.finish(first[1], overload());
    rate.finish(first[2], overload());
    expect(rate.concurrency).toBe(4);
    // A 429 on a request sent after the cut does.
    const later = rate.start(0);
    rate.finish(later, overload());
    expect(rate.concurrency).toBe(2);
    for (const t of first.slice(3)) rate.finish(t, ok);
    // 5 successes in a row: +1 after two, +1 after four.
    expect(rate.concurrency).toBe(4);
    for (let i = 0; i < 20; i++) rate.finish(rate.start(0), ok);
    expect(rate.concurrency).toBe(8); // never above the user's limit
  });

  it('never goes below one request, and other failures neither grow nor cut', () => {
    const { rate } = clocked({ maxConcurrency: 2, growAfter: 1 });
    for (let i = 0; i < 5; i++) rate.finish(rate.start(0), overload());
    expect(rate.concurrency).toBe(1);
    rate.finish(rate.start(0), { kind: 'other' });
    expect(rate.concurrency).toBe(1);
    rate.finish(rate.start(0), ok);
    expect(rate.concurrency).toBe(2);
  });
});

describe('RateControl: a burst of 429s pauses everyone', () => {
  it('pauses all requests for the wait after several 429s within a second that outnumber the answers', () => {
    const { c, rate } = clocked({ maxConcurrency: 8 });
    const ts = Array.from({ length: 6 }, () => rate.start(0));
    rate.finish(ts[0], ok);
    rate.finish(ts[1], overload(2000));
    rate.finish(ts[2], overload(2000));
    expect(rate.wait(0)).toBe(0); // two 429s: not yet a burst
    c.t = 300;
    rate.finish(ts[3], overload(2000));
    expect(rate.wait(0)).toBe(2000);
    expect(rate.view().waiting).toMatch(/turned down 3 requests within a second \(429\): every request waits 2 s/);
    c.t = 2300;
    expect(rate.wait(0)).toBe(0);
  });

  it('does not pause everyone for sporadic 429s among many answers', () => {
    const { c, rate } = clocked({ maxConcurrency: 50 });
    for (let i = 0; i < 40; i++) {
      c.t += 25;
      rate.finish(rate.start(0), i % 10 === 0 ? overload(1000) : ok);
    }
    expect(rate.wait(0)).toBe(0);
  });
});

describe('RateControl: x-ratelimit-* headers', () => {
  const limits = (remaining: number, resetMs: number, limit: number | null = null) => ({
    requests: { remaining, resetMs, limit },
  });

  it('spends what the server says is left, then waits for the refill (token bucket with a limit)', () => {
    const { c, rate } = clocked({ maxConcurrency: 10 });
    const a = rate.start(0);
    // 2 left of 60; full in 5.8 s → one more every 100 ms.
    rate.finish(a, { kind: 'ok', limits: limits(2, 5800, 60) });
    rate.finish(rate.start(0), ok);
    rate.finish(rate.start(0), ok);
    expect(rate.wait(0)).toBe(100);
    expect(rate.view().waiting).toMatch(/request limit is used up/);
    c.t = 100;
    expect(rate.wait(0)).toBe(0);
    rate.start(0);
    expect(rate.wait(0)).toBe(100);
  });

  it('without a limit header, waits for the reset; an old header says nothing', () => {
    const { c, rate } = clocked({ maxConcurrency: 10 });
    const a = rate.start(0);
    c.t = 50;
    rate.finish(a, { kind: 'overload', waitMs: 1000, limits: limits(0, 1000) });
    // Measured from when the answer came, when the server wrote the header: never early.
    expect(rate.wait(0)).toBe(1000);
    c.t = 1049;
    expect(rate.wait(0)).toBe(1);
    c.t = 1050;
    expect(rate.wait(0)).toBe(0);
  });

  it('counts requests sent after the one whose answer carried the header, even ones sent before it arrived', () => {
    const { rate } = clocked({ maxConcurrency: 10 });
    const a = rate.start(0);
    const b = rate.start(0);
    rate.start(0);
    rate.finish(a, { kind: 'ok', limits: limits(2, 60_000) });
    expect(rate.wait(0)).toBeGreaterThan(0); // b and the third used the 2 left
    rate.finish(b, { kind: 'ok', limits: limits(5, 60_000) }); // newer news
    expect(rate.wait(0)).toBe(0);
  });

  it('paces estimated tokens to the token headers', () => {
    const { c, rate } = clocked({ maxConcurrency: 10 });
    const a = rate.start(500);
    rate.finish(a, { kind: 'ok', limits: { tokens: { remaining: 1000, limit: 10_000, resetMs: 9000 } } });
    rate.start(800);
    // 200 left, 1 token per ms back: a 500-token request waits 300 ms.
    expect(rate.wait(500)).toBe(300);
    c.t = 300;
    expect(rate.wait(500)).toBe(0);
  });

  it('reads the headers: remaining, limit and Go-style reset durations', () => {
    const h: Record<string, string> = {
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '499',
      'x-ratelimit-reset-requests': '120ms',
      'x-ratelimit-limit-tokens': '30000',
      'x-ratelimit-remaining-tokens': '29000',
      'x-ratelimit-reset-tokens': '6m0s',
    };
    expect(rateLimitInfo((n) => h[n] ?? null)).toEqual({
      requests: { remaining: 499, limit: 500, resetMs: 120 },
      tokens: { remaining: 29000, limit: 30000, resetMs: 360_000 },
    });
    expect(rateLimitInfo((n) => ({ 'x-ratelimit-remaining-requests': '3', 'x-ratelimit-reset-requests': '1s' })[n] ?? null)).toEqual({
      requests: { remaining: 3, limit: null, resetMs: 1000 },
    });
    expect(rateLimitInfo(() => null)).toBeNull();
    expect(rateLimitInfo((n) => (n === 'x-ratelimit-remaining-requests' ? 'lots' : null))).toBeNull();
  });
});

describe('RateControl: the user’s RPM and TPM', () => {
  it('paces requests evenly to the RPM', () => {
    const { c, rate } = clocked({ maxConcurrency: 10, rpm: 120 });
    // One at once at the start, then one every 500 ms.
    expect(rate.wait(0)).toBe(0);
    rate.start(0);
    expect(rate.wait(0)).toBe(500);
    expect(rate.view().waiting).toBe('Paced to your limit of 120 requests per minute.');
    c.t = 500;
    expect(rate.wait(0)).toBe(0);
    rate.start(0);
    expect(rate.wait(0)).toBe(500);
  });

  it('paces estimated tokens to the TPM, corrected by what the answer really used', () => {
    const { c, rate } = clocked({ maxConcurrency: 10, tpm: 60_000 }); // 1 token per ms, 1,000 in the bucket
    const a = rate.start(900);
    expect(rate.wait(300)).toBe(200);
    rate.finish(a, { kind: 'ok', tokens: 400 }); // 500 given back
    expect(rate.wait(300)).toBe(0);
    // A request bigger than the bucket waits for a full bucket, then borrows.
    rate.start(600);
    c.t += 5000;
    expect(rate.wait(5000)).toBe(0);
  });
});

describe('requestTokens', () => {
  const req = (system: string, user: string, n?: number): CompletionRequest => ({
    model: 'm',
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ],
    maxTokens: 20,
    structured: false,
    labels: [],
    ...(n ? { n } : {}),
  });
  const chars = (t: string) => t.length;

  it('counts the messages, their formatting and the output cap of every answer', () => {
    expect(requestTokens(req('abcd', 'efgh'), chars)).toBe(3 + 4 + 3 + 4 + 3 + 20);
    expect(requestTokens(req('abcd', 'efgh', 3), chars)).toBe(17 + 60);
  });

  it('counts a very long text on a prefix, in bounded time, scaled to its length', () => {
    let counted = 0;
    const count = (t: string) => ((counted = Math.max(counted, t.length)), t.length);
    expect(requestTokens(req('s', 'x'.repeat(1_000_000)), count)).toBe(3 + 1 + 3 + 1_000_000 + 3 + 20);
    expect(counted).toBeLessThanOrEqual(20_000);
  });
});
