import { describe, expect, it } from 'vitest';
import { runTeacher } from './queue';
import { answer, hang, harness, makeJob, textOf } from './queue.fixture';
import { responseKeys } from './tasks';
import { TeacherRequestError, type Capabilities } from './types';

const separate = { batchRepeats: 'off' as const };

describe('runTeacher', () => {
  it('labels 30 texts × 3 repeats with separate calls, within the concurrency limit', async () => {
    const { h, deps, last } = harness();
    const job = makeJob(30, { ...separate, concurrency: 4 });
    const summary = await runTeacher(job, deps).done;
    expect(h.sent).toHaveLength(90);
    expect(h.store.size).toBe(90);
    expect(h.maxInflight).toBe(4);
    expect(summary).toMatchObject({ state: 'done', done: 90, total: 90, cached: 0, sent: 90, failed: 0, invalid: 0 });
    expect(summary.tokensIn).toBe(9000);
    expect(last().state).toBe('done');
    // repeat 0 at `temperature`, the others at `repeatTemperature`
    const temps = [...h.store.values()].map((r) => [r.repeat, r.temperature]);
    expect(new Set(temps.map(String))).toEqual(new Set(['0,0', '1,0.7', '2,0.7']));
    const r0 = [...h.store.values()].find((r) => r.textHash === 'h3' && r.repeat === 0)!;
    expect(r0).toMatchObject({
      label: 'positive',
      valid: true,
      model: 'mock',
      endpoint: 'http://mock.test/v1',
      codebookHash: 'cb1',
      template: 'tpl1',
    });
    expect(new Set(h.store.keys())).toEqual(new Set(responseKeys(job)));
  });

  it('writes the privacy log: one entry per request with the endpoint and row', async () => {
    const { h, deps } = harness();
    await runTeacher(makeJob(2, { ...separate, repeats: 1 }), deps).done;
    expect(h.log.map((e) => [e.endpoint, e.model, e.rowId, e.textHash])).toEqual([
      ['http://mock.test/v1', 'mock', 'row0', 'h0'],
      ['http://mock.test/v1', 'mock', 'row1', 'h1'],
    ]);
  });

  it('uses n for the repeats and stores the same keys as the separate-calls path', async () => {
    const a = harness();
    await runTeacher(makeJob(10, separate), a.deps).done;
    const b = harness();
    await runTeacher(makeJob(10, { batchRepeats: 'auto' }), b.deps).done;
    // repeat 0 at temperature 0 alone, repeats 1–2 together at 0.7
    expect(b.h.sent).toHaveLength(20);
    expect(b.h.sent.filter((r) => r.n === 2)).toHaveLength(10);
    expect([...b.h.store.keys()].sort()).toEqual([...a.h.store.keys()].sort());
    // answers from one path are cache hits for the other
    const c = harness();
    c.h.store = b.h.store;
    expect(await runTeacher(makeJob(10, separate), c.deps).done).toMatchObject({ cached: 30, sent: 0 });

    const same = harness();
    await runTeacher(makeJob(10, { temperature: 0.7 }), same.deps).done;
    expect(same.h.sent.map((r) => r.n)).toEqual(Array(10).fill(3));
    expect(same.h.store.size).toBe(30);
  });

  it('sends nothing on a second identical run', async () => {
    const { h, deps } = harness();
    await runTeacher(makeJob(12), deps).done;
    const before = h.sent.length;
    const again = await runTeacher(makeJob(12), deps).done;
    expect(h.sent.length).toBe(before);
    expect(again).toMatchObject({ state: 'done', cached: 36, done: 36, sent: 0 });
  });

  it('resumes after a partial run by sending only the missing calls', async () => {
    const { h, deps } = harness();
    const first = runTeacher(makeJob(20, { ...separate, concurrency: 2 }), deps);
    h.onPut = () => h.store.size === 25 && first.cancel();
    expect((await first.done).state).toBe('cancelled');
    const stored = h.store.size;
    expect(stored).toBeGreaterThanOrEqual(25);
    expect(stored).toBeLessThan(60);
    h.onPut = () => {};
    const sentBefore = h.sent.length;
    const second = await runTeacher(makeJob(20, { ...separate, concurrency: 2 }), deps).done;
    expect(h.sent.length - sentBefore).toBe(60 - stored);
    expect(second).toMatchObject({ cached: stored, done: 60, state: 'done' });
  });

  it('waits at least Retry-After after a 429, then succeeds', async () => {
    const { h, deps } = harness(async (req, _s, call) => {
      if (call === 1) throw new TeacherRequestError('429 Rate limit', 'http', 429, null, '3');
      return answer(req);
    });
    const s = await runTeacher(makeJob(3, { ...separate, repeats: 1, concurrency: 1 }), deps).done;
    expect(h.sleeps.some((ms) => ms >= 3000)).toBe(true);
    expect(s).toMatchObject({ state: 'done', sent: 4, done: 3, failed: 0 });
    expect(h.progress.some((p) => p.state === 'waiting-retry')).toBe(true);
  });

  it('retries 500s and timeouts', async () => {
    const { h, deps } = harness(async (req, signal, call) => {
      if (call === 1) throw new TeacherRequestError('500 oops', 'http', 500);
      if (call === 2) return hang(signal);
      return answer(req);
    });
    // The per-request timeout fires as soon as the event loop turns.
    deps.setTimer = (fn) => setImmediate(fn);
    deps.clearTimer = (t) => clearImmediate(t as NodeJS.Immediate);
    const s = await runTeacher(makeJob(2, { ...separate, repeats: 1, concurrency: 1 }), deps).done;
    expect(h.signals[1].aborted).toBe(true);
    expect(s).toMatchObject({ state: 'done', sent: 4, failed: 0, done: 2 });
    expect(h.store.size).toBe(2);
  });

  it('stores a request that keeps failing as failed, keeps it failed on the next run, and "Retry failed" sends only it', async () => {
    let broken = true;
    const { h, deps } = harness(async (req) => {
      if (broken && textOf(req).startsWith('text 1 ')) throw new TeacherRequestError('503', 'http', 503);
      return answer(req);
    });
    const s = await runTeacher(makeJob(3, { ...separate, repeats: 1, maxRetries: 2 }), deps).done;
    expect(s).toMatchObject({ state: 'done', failed: 1, done: 3 });
    expect(s.failures).toEqual([{ rowId: 'row1', repeats: [0], message: '503' }]);
    expect(h.sent.filter((r) => textOf(r).startsWith('text 1 '))).toHaveLength(3);
    // Stored with its error and tries, as no answer.
    const stored = [...h.store.values()].find((r) => r.textHash === 'h1')!;
    expect(stored).toMatchObject({ valid: false, invalidReason: 'request-failed', error: '503', attempts: 3, label: null, raw: null });
    expect(h.store.size).toBe(3);
    broken = false;
    // A plain run (a reload, Start again) shows it failed and sends nothing.
    const plain = await runTeacher(makeJob(3, { ...separate, repeats: 1 }), deps).done;
    expect(plain).toMatchObject({ cached: 2, sent: 0, failed: 1, done: 3 });
    expect(plain.failures[0]).toMatchObject({ rowId: 'row1', message: '503 (Stored from an earlier run.)' });
    // "Retry failed" sends exactly that one, and it becomes an answer.
    const before = h.sent.length;
    const retry = await runTeacher({ ...makeJob(3, { ...separate, repeats: 1 }), resend: 'failed' }, deps).done;
    expect(h.sent.slice(before).map(textOf)).toEqual(['text 1 is bad']);
    expect(retry).toMatchObject({ cached: 2, sent: 1, failed: 0, done: 3, total: 3 });
    expect(h.store.get(stored.key)).toMatchObject({ valid: true, label: 'negative' });
  });

  it('"Retry failed" leaves answers never asked alone', async () => {
    const { h, deps } = harness(async (req) => {
      if (textOf(req).startsWith('text 1 ')) throw new TeacherRequestError('401 bad key', 'http', 401);
      return answer(req);
    });
    const first = runTeacher(makeJob(2, { ...separate, repeats: 1, concurrency: 1 }), deps);
    expect(await first.done).toMatchObject({ failed: 1 });
    const more = makeJob(4, { ...separate, repeats: 1 });
    const before = h.sent.length;
    const retry = await runTeacher({ ...more, resend: 'failed' }, deps).done;
    // Only the failed text 1 went out again (and failed again); texts 2 and 3 were never asked and stay so.
    expect(h.sent.slice(before).map(textOf)).toEqual(['text 1 is bad']);
    expect(retry).toMatchObject({ total: 2, done: 2, cached: 1, failed: 1 });
  });

  it('asks for label probabilities on the first answer only, and stops asking (remembered) once the server rejects them', async () => {
    const caps: Capabilities[] = [];
    let reject = false;
    const { h, deps } = harness(async (req) => {
      if (reject && req.logprobs) throw new TeacherRequestError("400 Unsupported parameter: 'logprobs'", 'http', 400, 'logprobs');
      return answer(req);
    });
    deps.onCapabilities = (c) => caps.push(c);
    const profile = {
      n: true,
      temperature: true,
      structured: true,
      logprobs: true,
      reasoning: false,
      reasoningEffort: false,
      maxTokensParam: 'max_tokens' as const,
      probed: true,
    };
    await runTeacher({ ...makeJob(2), capabilities: profile }, deps).done;
    // Repeat 0 alone with logprobs and enough alternatives; repeats 1–2 (n = 2) without.
    expect(h.sent.filter((r) => r.logprobs).map((r) => [r.n, r.topLogprobs, r.temperature])).toEqual([
      [undefined, 5, 0],
      [undefined, 5, 0],
    ]);
    expect(h.sent.filter((r) => r.n === 2).every((r) => !r.logprobs)).toBe(true);
    // Switched off in the settings: never asked.
    const off = harness();
    await runTeacher({ ...makeJob(2, { logprobs: 'off' }), capabilities: profile }, off.deps).done;
    expect(off.h.sent.some((r) => r.logprobs)).toBe(false);
    // A server that starts rejecting them: asked once more without, and the profile says so.
    reject = true;
    h.store.clear();
    const before = h.sent.length;
    const s = await runTeacher({ ...makeJob(4), capabilities: profile }, deps).done;
    expect(s).toMatchObject({ state: 'done', failed: 0, done: 12 });
    expect(s.capabilities.logprobs).toBe(false);
    expect(caps.at(-1)!.logprobs).toBe(false);
    const later = h.sent.slice(before);
    // Only the requests already out when the first refusal came back carried logprobs.
    expect(later.filter((r) => r.logprobs).length).toBeLessThanOrEqual(4);
    expect(later.filter((r) => !r.logprobs && r.temperature === 0)).toHaveLength(4);
  });

  it('does not retry a 401', async () => {
    const { h, deps } = harness(async () => {
      throw new TeacherRequestError('401 bad key', 'http', 401);
    });
    const s = await runTeacher(makeJob(2, { ...separate, repeats: 1 }), deps).done;
    expect(h.sent).toHaveLength(2);
    expect(s.failed).toBe(2);
  });

  it('stores malformed, off-set and refused answers as invalid, keeping the raw text', async () => {
    const raws = ['{"label": ', '{"label":"banana"}', null];
    const { h, deps } = harness(async (_req, _s, call) => ({
      choices: [{ content: call <= 3 ? raws[call - 1] : '{"label":"negative"}', refusal: call === 3 ? 'No.' : null }],
      usage: { prompt: 10, completion: 2 },
    }));
    const job = makeJob(4, { ...separate, repeats: 1, concurrency: 1 });
    const s = await runTeacher(job, deps).done;
    expect(s).toMatchObject({ invalid: 3, done: 4, failed: 0 });
    const byRow = (hash: string) => [...h.store.values()].find((r) => r.textHash === hash)!;
    expect(byRow('h0')).toMatchObject({ valid: false, label: null, invalidReason: 'malformed-json', raw: '{"label": ' });
    expect(byRow('h1')).toMatchObject({ valid: false, invalidReason: 'not-a-label', raw: '{"label":"banana"}' });
    expect(byRow('h2')).toMatchObject({ valid: false, invalidReason: 'refusal', raw: 'No.' });
    expect(byRow('h3')).toMatchObject({ valid: true, label: 'negative' });
    expect(await runTeacher(job, deps).done).toMatchObject({ sent: 0, invalid: 3, cached: 4 });
  });

  it('cancel aborts in-flight requests and sends nothing more', async () => {
    const { h, deps } = harness(async (_req, signal) => hang(signal));
    const run = runTeacher(makeJob(10, { ...separate, concurrency: 3 }), deps);
    while (h.sent.length < 3) await new Promise((r) => setImmediate(r));
    run.cancel();
    const s = await run.done;
    expect(h.sent).toHaveLength(3);
    expect(h.signals.every((sig) => sig.aborted)).toBe(true);
    expect(s).toMatchObject({ state: 'cancelled', failed: 0, done: 0 });
  });

  it('pause starts no new requests until resume', async () => {
    const { h, deps } = harness();
    const run = runTeacher(makeJob(5, { ...separate, repeats: 1, concurrency: 1 }), deps);
    h.onPut = () => h.store.size === 2 && run.pause();
    await new Promise((r) => setTimeout(r, 0));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(h.sent).toHaveLength(2);
    expect(h.progress.at(-1)!.state).toBe('paused');
    run.resume();
    expect(await run.done).toMatchObject({ state: 'done', done: 5 });
  });

  it('pauses in state budget at the token cap, and continues when the budget is raised', async () => {
    const { h, deps } = harness();
    // each single answer costs 105 tokens
    const run = runTeacher(makeJob(10, { ...separate, repeats: 1, concurrency: 1, budget: { maxTokens: 400 } }), deps);
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(h.sent).toHaveLength(4);
    expect(h.progress.at(-1)!.state).toBe('budget');
    run.setBudget({ maxTokens: 10_000 });
    run.resume();
    expect(await run.done).toMatchObject({ state: 'done', done: 10, sent: 10 });
  });

  it('pauses at the cost cap', async () => {
    const { h, deps } = harness();
    const job = {
      ...makeJob(10, { ...separate, repeats: 1, concurrency: 1, budget: { maxCost: 0.0003 } }),
      price: { inputPerM: 1, outputPerM: 1 },
    };
    const run = runTeacher(job, deps);
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(h.sent).toHaveLength(3);
    expect(h.progress.at(-1)).toMatchObject({ state: 'budget' });
    run.cancel();
    expect((await run.done).state).toBe('cancelled');
  });

  it('adapts when the endpoint rejects n, and keeps the same keys', async () => {
    const told: Capabilities[] = [];
    const { h, deps } = harness(async (req) => {
      if ((req.n ?? 1) > 1) throw new TeacherRequestError("400 Unsupported parameter: 'n'", 'http', 400, 'n');
      return answer(req);
    });
    deps.onCapabilities = (c) => told.push(c);
    const job = makeJob(4);
    const s = await runTeacher(job, deps).done;
    expect(s).toMatchObject({ state: 'done', failed: 0, done: 12 });
    expect(s.capabilities.n).toBe(false);
    expect(told.at(-1)?.n).toBe(false);
    expect(new Set(h.store.keys())).toEqual(new Set(responseKeys(job)));
  });

  it('keeps the concurrency when a rejected n splits one request into several', async () => {
    const { h, deps } = harness(async (req) => {
      if ((req.n ?? 1) > 1) throw new TeacherRequestError('400', 'http', 400, 'n');
      return answer(req);
    });
    const s = await runTeacher(makeJob(1, { temperature: 0.7, repeats: 3, concurrency: 3 }), deps).done;
    expect(s.done).toBe(3);
    expect(h.maxInflight).toBe(3);
  });

  it('adapts when the endpoint rejects temperature or response_format', async () => {
    const { h, deps } = harness(async (req) => {
      if (req.temperature !== undefined) throw new TeacherRequestError('400', 'http', 400, 'temperature');
      if (req.structured) throw new TeacherRequestError("400 'response_format' is not supported", 'http', 400, null);
      return answer(req);
    });
    const s = await runTeacher(makeJob(2, separate), deps).done;
    expect(s).toMatchObject({ state: 'done', done: 6, failed: 0 });
    expect(s.capabilities).toMatchObject({ temperature: false, structured: false });
    expect([...h.store.values()].every((r) => r.temperature === null && r.valid)).toBe(true);
    // keys made without temperature are found when the capability is known up front
    const again = await runTeacher({ ...makeJob(2, separate), capabilities: { temperature: false, structured: false } }, deps).done;
    expect(again).toMatchObject({ cached: 6, sent: 0 });
  });

  it('asks again, one by one, for repeats a server silently dropped from n', async () => {
    const { h, deps } = harness(async (req) => answer({ ...req, n: 1 }));
    const s = await runTeacher(makeJob(3, { temperature: 0.7 }), deps).done;
    expect(s).toMatchObject({ done: 9, failed: 0 });
    expect(s.capabilities.n).toBe(false);
    expect(h.store.size).toBe(9);
  });

  it('stops with state error when the store cannot save', async () => {
    const { deps } = harness();
    deps.put = async () => {
      throw new Error('QuotaExceededError');
    };
    const s = await runTeacher(makeJob(3, { repeats: 1 }), deps).done;
    expect(s.state).toBe('error');
    expect(s.error).toContain('QuotaExceededError');
  });

  it('stops the whole run on a quota error after one request, retrying nothing', async () => {
    const { h, deps } = harness(async () => {
      throw new TeacherRequestError(
        '429 You exceeded your current quota, please check your plan and billing details.',
        'http',
        429,
        null,
        '1',
        'insufficient_quota',
      );
    });
    const s = await runTeacher(makeJob(10, { ...separate, repeats: 1, concurrency: 1 }), deps).done;
    expect(h.sent).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
    expect(s.state).toBe('error');
    expect(s.error).toMatch(/no quota left or reached its billing limit.*exceeded your current quota/);
    // A billing hard limit named only in words stops it too.
    const b = harness(async () => {
      throw new TeacherRequestError('400 Billing hard limit has been reached', 'http', 400, null, null, null);
    });
    expect(await runTeacher(makeJob(3, { ...separate, repeats: 1, concurrency: 1 }), b.deps).done).toMatchObject({
      state: 'error',
      sent: 1,
    });
  });

  it('keeps an answer cut at the token cap as a failed attempt, not an answer', async () => {
    const { h, deps } = harness(async (req) => ({
      choices: [{ content: req.structured ? '{"label": "pos' : 'positive, because', refusal: null, finishReason: 'length' }],
      usage: { prompt: 10, completion: req.maxTokens },
    }));
    const s = await runTeacher(makeJob(2, { ...separate, repeats: 1, maxTokens: 8 }), deps).done;
    expect(s).toMatchObject({ state: 'done', failed: 2, invalid: 0, done: 2 });
    expect(s.failures[0].message).toMatch(/was cut off at the 8-token cap/);
    expect([...h.store.values()].every((r) => r.invalidReason === 'truncated' && r.maxTokens === 8)).toBe(true);
  });

  it('asks again for empty answers stored before the cap was recorded', async () => {
    const { h, deps } = harness();
    const job = makeJob(2, { ...separate, repeats: 1 });
    await runTeacher(job, deps).done;
    // What the first version stored for a reasoning model's empty answer: no maxTokens.
    for (const r of h.store.values())
      h.store.set(r.key, { ...r, raw: '', label: null, valid: false, invalidReason: 'empty', maxTokens: undefined });
    const again = await runTeacher(job, deps).done;
    expect(again).toMatchObject({ sent: 2, cached: 0, failed: 0 });
    expect([...h.store.values()].every((r) => r.valid)).toBe(true);
  });

  it('counts reasoning and cached prompt tokens in the live cost', async () => {
    const { deps } = harness(async (req) => ({
      ...answer(req),
      usage: { prompt: 1000, completion: 300, reasoning: 280, cachedPrompt: 800 },
    }));
    const job = { ...makeJob(2, { ...separate, repeats: 1 }), price: { inputPerM: 1, outputPerM: 10, cachedInputPerM: 0.1 } };
    const s = await runTeacher(job, deps).done;
    expect(s).toMatchObject({ tokensIn: 2000, tokensOut: 600, tokensReasoning: 560, tokensCached: 1600, costKnown: true });
    expect(s.cost).toBeCloseTo((2 * (200 * 1 + 800 * 0.1 + 300 * 10)) / 1e6);
  });

  it('with an unknown price: no cost, and a US$ budget cannot stop the run (the UI turns it off)', async () => {
    const { h, deps } = harness();
    const job = { ...makeJob(4, { ...separate, repeats: 1, budget: { maxCost: 0.000001 } }), price: null };
    const s = await runTeacher(job, deps).done;
    expect(s).toMatchObject({ state: 'done', cost: 0, costKnown: false });
    expect(h.sent).toHaveLength(4);
  });

  it('drops n once per request after an error that names nothing, then treats the next error as an error', async () => {
    const { h, deps } = harness(async (req) => {
      if ((req.n ?? 1) > 1) throw new TeacherRequestError('500 Only one completion choice is allowed', 'http', 500);
      return answer(req);
    });
    const s = await runTeacher(makeJob(3, { temperature: 0.7, concurrency: 3 }), deps).done;
    expect(s).toMatchObject({ state: 'done', done: 9, failed: 0 });
    expect(s.capabilities.n).toBe(false);
    expect(h.sent.filter((r) => (r.n ?? 1) > 1)).toHaveLength(3);
    // Rate limits and auth errors say nothing about n: they are retried (or fail) as they are.
    const r = harness(async (req, _s, call) => {
      if (call === 1) throw new TeacherRequestError('429 slow down', 'http', 429, null, null);
      return answer(req);
    });
    const t = await runTeacher(makeJob(1, { temperature: 0.7 }), r.deps).done;
    expect(t.capabilities.n).toBe(true);
    expect(r.h.sent.map((q) => q.n)).toEqual([3, 3]);
  });
});
