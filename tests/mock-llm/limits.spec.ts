// The mock's rate-limit and logprobs modes (server.spec.ts covers the rest).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockLabelProbs, NOT_A_LABEL_TOKEN } from './chat.mjs';
import { createLimiter, goDuration } from './limits.mjs';
import { startMockServer } from './server.mjs';

let server: { url: string; baseURL: string; close(): Promise<void> };
beforeAll(async () => {
  server = await startMockServer({ port: 0 });
});
afterAll(() => server.close());
beforeEach(async () => {
  await post('/__mock/reset', {});
});

function post(p: string, body: unknown) {
  return fetch(server.url + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
const config = (c: object) => post('/__mock/config', c);
const chat = (text: string, extra: object = {}) =>
  post('/v1/chat/completions', {
    model: 'mock-teacher',
    max_tokens: 16,
    messages: [
      { role: 'system', content: 'Labels.' },
      { role: 'user', content: `Classify.\n<text>\n${text}\n</text>` },
    ],
    ...extra,
  });

describe('goDuration', () => {
  it('writes durations as OpenAI’s reset headers do', () => {
    expect(goDuration(20)).toBe('20ms');
    expect(goDuration(1000)).toBe('1s');
    expect(goDuration(1500)).toBe('1.5s');
    expect(goDuration(360_000)).toBe('6m0s');
    expect(goDuration(3_723_000)).toBe('1h2m3s');
  });
});

describe('rateLimit mode', () => {
  it('answers 429 with x-ratelimit-* headers once the requests of the bucket are used up, and refills', async () => {
    await config({ rateLimit: { requestsPerMinute: 60, burst: 3 }, exposeRateLimitHeaders: true });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await chat(`t${i}`));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(answers[0].headers.get('x-ratelimit-limit-requests')).toBe('3');
    expect(answers[0].headers.get('x-ratelimit-remaining-requests')).toBe('2');
    expect(answers[0].headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+ms$|^1s$/);
    const refused = answers[3];
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(Number(refused.headers.get('retry-after-ms'))).toBeGreaterThan(0);
    expect(refused.headers.get('access-control-expose-headers')).toContain('x-ratelimit-remaining-requests');
    expect((await refused.json()).error.code).toBe('rate_limit_exceeded');
    // One a second comes back.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await chat('later')).status).toBe(200);
  });

  it('limits estimated tokens too (prompt + the cap of every answer)', async () => {
    const limiter = createLimiter({ requestsPerMinute: 1000, tokensPerMinute: 600, tokenBurst: 100 }, 0)!;
    expect(limiter.take(0, 60)).toMatchObject({ ok: true });
    const second = limiter.take(0, 60);
    expect(second.ok).toBe(false);
    expect(second.headers['x-ratelimit-remaining-tokens']).toBe('40');
    expect(second.waitMs).toBe(2000); // 20 tokens at 10 per second
    expect(limiter.take(2000, 60).ok).toBe(true);
  });
});

describe('logprobs mode', () => {
  it('gives the label’s token every label’s probability, matching mockLabelProbs', async () => {
    await config({ logprobs: true, labels: ['spam', 'ham'], fallback: 'ham' });
    const res = await chat('hello', { logprobs: true, top_logprobs: 5 });
    const body = await res.json();
    const content = body.choices[0].logprobs.content;
    expect(content.map((t: { token: string }) => t.token).join('')).toBe('ham');
    const expected = mockLabelProbs({ seed: 1 }, 'hello', ['spam', 'ham'], 'ham');
    const top = Object.fromEntries(content[0].top_logprobs.map((a: { token: string; logprob: number }) => [a.token, Math.exp(a.logprob)]));
    expect(top.ham).toBeCloseTo(expected.probs.ham, 12);
    expect(top.spam).toBeCloseTo(expected.probs.spam, 12);
    expect(top[NOT_A_LABEL_TOKEN]).toBeCloseTo(expected.other, 12);
    expect(expected.probs.ham + expected.probs.spam + expected.other).toBeCloseTo(1, 12);
    expect(expected.probs.ham).toBeGreaterThanOrEqual(0.55);
    // JSON-schema answers are tokens too.
    const schema = { type: 'json_schema', json_schema: { name: 'label', schema: { properties: { label: { enum: ['spam', 'ham'] } } } } };
    const json = await (await chat('hello', { logprobs: true, top_logprobs: 2, response_format: schema })).json();
    const tokens = json.choices[0].logprobs.content;
    expect(tokens.map((t: { token: string }) => t.token).join('')).toBe('{"label":"ham"}');
    expect(tokens[3].top_logprobs).toHaveLength(2);
  });

  it('without the mode, accepts logprobs but gives no tokens', async () => {
    const body = await (await chat('hello', { logprobs: true })).json();
    expect(body.choices[0].logprobs).toEqual({ content: [] });
  });
});
