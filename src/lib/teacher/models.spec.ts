// The models people pick today, against the real mock server through the
// real client: reasoning models, an account without quota, llama.cpp's
// answer to `n`. No fake network: requests are read back from the mock's log.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockServer } from '../../../tests/mock-llm/server.mjs';
import { createClient, forgetCapabilities, probeCapabilities, sendWith } from './client';
import { PROBE_SYSTEM } from './profile';
import { runTeacher, type TeacherDeps } from './queue';
import type { TeacherJob } from './tasks';
import { DEFAULT_TEACHER_SETTINGS, type Capabilities, type TeacherResponse, type TeacherSettings } from './types';

let server: { url: string; baseURL: string; close(): Promise<void> };
const LABELS = ['positive', 'negative'];
const RULES = [{ contains: 'love', label: 'positive' }];

beforeAll(async () => {
  server = await startMockServer({ port: 0 });
});
afterAll(() => server.close());
beforeEach(() => forgetCapabilities());

async function configure(config: Record<string, unknown>) {
  await fetch(`${server.url}/__mock/reset`, { method: 'POST' });
  const res = await fetch(`${server.url}/__mock/config`, {
    method: 'POST',
    body: JSON.stringify({ labels: LABELS, rules: RULES, fallback: 'negative', ...config }),
  });
  expect(res.status).toBe(200);
}

type Body = Record<string, unknown> & { messages: { role: string; content: string }[] };
async function chatLog(): Promise<Body[]> {
  const log = (await (await fetch(`${server.url}/__mock/log?path=/v1/chat/completions`)).json()) as { body: Body }[];
  return log.map((e) => e.body);
}
const labelling = (b: Body) => b.messages[0].content !== PROBE_SYSTEM;

const settings = (over: Partial<TeacherSettings> = {}): TeacherSettings => ({
  ...DEFAULT_TEACHER_SETTINGS,
  baseURL: server.baseURL,
  model: 'mock-teacher',
  ...over,
});

const TEXTS = ['I love it', 'awful', 'meh', 'love love', 'nope'];
function job(over: Partial<TeacherSettings> = {}, capabilities?: Partial<Capabilities>): TeacherJob {
  return {
    items: TEXTS.map((text, i) => ({ rowId: `r${i}`, text, textHash: `h${i}` })),
    codebook: { labels: LABELS.map((name) => ({ name })) },
    codebookHash: 'cb',
    settings: settings(over),
    ...(capabilities ? { capabilities } : {}),
  };
}

function memory() {
  const store = new Map<string, TeacherResponse>();
  const told: Capabilities[] = [];
  const deps = (s: TeacherSettings): TeacherDeps => ({
    send: sendWith(createClient(s)),
    getCached: async (keys) => new Map(keys.filter((k) => store.has(k)).map((k) => [k, store.get(k)!])),
    put: async (rs) => rs.forEach((r) => store.set(r.key, r)),
    onProgress: () => {},
    onCapabilities: (c) => told.push(c),
    sleep: async () => {},
  });
  return { store, told, deps };
}

describe('reasoning models', () => {
  it('the probe finds a reasoning model the name does not reveal, and what it accepts', async () => {
    await configure({ reasoning: true });
    const probe = await probeCapabilities(createClient(settings()), settings());
    expect(probe).toMatchObject({
      ok: true,
      capabilities: {
        reasoning: true,
        reasoningEffort: true,
        temperature: false,
        n: false,
        logprobs: false,
        structured: true,
        maxTokensParam: 'max_completion_tokens',
        probed: true,
      },
    });
    const log = await chatLog();
    expect(log.every((b) => !labelling(b))).toBe(true);
    // Rejected parameters cost a request each; the last one asked with the reasoning cap and low effort.
    expect(log.at(-1)).toMatchObject({ max_completion_tokens: 4096, reasoning_effort: 'low' });
    expect(log.at(-1)).not.toHaveProperty('temperature');
    expect(probe.ok && probe.requests).toBe(log.length);
  });

  it('labels arrive with the probed profile: no temperature or n, a reasoning-sized cap, reasoning tokens counted', async () => {
    await configure({ reasoning: true });
    const s = settings();
    const probe = await probeCapabilities(createClient(s), s);
    expect(probe.ok).toBe(true);
    const { store, deps } = memory();
    const sum = await runTeacher(job({}, probe.ok ? probe.capabilities : {}), deps(s)).done;
    expect(sum).toMatchObject({ state: 'done', done: 15, failed: 0, invalid: 0, sent: 15 });
    // 96 reasoning tokens at medium, halved by low effort, per answer.
    expect(sum.tokensReasoning).toBe(15 * 48);
    expect(sum.tokensOut).toBeGreaterThan(sum.tokensReasoning);
    expect([...store.values()].filter((r) => r.textHash === 'h0').map((r) => r.label)).toEqual(['positive', 'positive', 'positive']);
    for (const b of (await chatLog()).filter(labelling)) {
      expect(b).toMatchObject({ max_completion_tokens: 4096, reasoning_effort: 'low' });
      expect(b).not.toHaveProperty('temperature');
      expect(b).not.toHaveProperty('n');
    }
  });

  it('a run that does not know it is a reasoning model adapts per request and still labels', async () => {
    await configure({ reasoning: true, reasoningTokens: 8 });
    const { deps, told } = memory();
    const sum = await runTeacher(job({ concurrency: 3 }), deps(settings())).done;
    expect(sum).toMatchObject({ state: 'done', done: 15, failed: 0 });
    expect(told.at(-1)).toMatchObject({ temperature: false, n: false, maxTokensParam: 'max_completion_tokens' });
  });

  it('never caches an empty answer as an answer: the same cap reuses the failed attempt, a new cap asks again', async () => {
    // The case: a cap of 32 and a model that reasons for more.
    await configure({ reasoning: true, reasoningTokens: 200 });
    const reasoningProfile = {
      reasoning: true,
      reasoningEffort: true,
      temperature: false,
      n: false,
      maxTokensParam: 'max_completion_tokens' as const,
      probed: true,
    };
    const { store, deps } = memory();
    const small = settings({ reasoningMaxTokens: 32 });
    const first = await runTeacher(job({ reasoningMaxTokens: 32 }, reasoningProfile), deps(small)).done;
    expect(first).toMatchObject({ state: 'done', done: 15, failed: 15, invalid: 0, sent: 15 });
    expect(first.failures[0].message).toMatch(/came back empty at the 32-token cap \(32 of them on hidden reasoning\)/);
    const stored = [...store.values()];
    expect(stored.every((r) => !r.valid && r.invalidReason === 'empty' && r.maxTokens === 32 && r.finishReason === 'length')).toBe(true);

    // Same cap: nothing is sent (it would come back empty again), and nothing counts as a label.
    const again = await runTeacher(job({ reasoningMaxTokens: 32 }, reasoningProfile), deps(small)).done;
    expect(again).toMatchObject({ sent: 0, cached: 0, failed: 15 });
    const { labelsFromResponses } = await import('./labels');
    expect(labelsFromResponses([{ rowId: 'r0', textHash: 'h0' }], store.values(), 3)[0]).toMatchObject({ label: null, n: 0, invalid: 0 });

    // A larger cap asks again, and the answers replace the failed attempts.
    const big = settings({ reasoningMaxTokens: 2000 });
    const third = await runTeacher(job({ reasoningMaxTokens: 2000 }, reasoningProfile), deps(big)).done;
    expect(third).toMatchObject({ sent: 15, failed: 0, invalid: 0, done: 15 });
    expect([...store.values()].every((r) => r.valid && r.maxTokens === 2000)).toBe(true);
    expect(labelsFromResponses([{ rowId: 'r0', textHash: 'h0' }], store.values(), 3)[0]).toMatchObject({ label: 'positive', n: 3 });
  });
});

describe('an account without quota', () => {
  it('the probe says so in plain words', async () => {
    await configure({ quota: true });
    const probe = await probeCapabilities(createClient(settings()), settings());
    expect(probe).toMatchObject({ ok: false, kind: 'quota', requests: 1 });
    expect(!probe.ok && probe.message).toMatch(/no quota left or reached its billing limit.*exceeded your current quota/);
  });

  it('the run stops at once and retries nothing', async () => {
    await configure({ quota: true, latencyMs: 30 });
    const { store, deps } = memory();
    const sum = await runTeacher(job({ concurrency: 2, repeats: 1 }), deps(settings())).done;
    expect(sum.state).toBe('error');
    expect(sum.error).toMatch(/^The run stopped: the account behind this API key has no quota left/);
    const log = await chatLog();
    // Only the requests already in flight when the first answer came; none asked twice.
    expect(log.length).toBeLessThanOrEqual(2);
    expect(new Set(log.map((b) => b.messages[1].content)).size).toBe(log.length);
    expect(store.size).toBe(0);
  });
});

describe('llama.cpp and n', () => {
  for (const nError of ['slots', 'legacy'] as const) {
    it(`turns n off after "${nError === 'slots' ? 'n_cmpl cannot be greater than the number of slots' : 'Only one completion choice is allowed'}" and answers every repeat`, async () => {
      await configure({ slots: 1, nError });
      const probe = await probeCapabilities(createClient(settings()), settings());
      expect(probe).toMatchObject({ ok: true, capabilities: { n: false, temperature: true } });

      // The queue too, with n forced on: each request with n fails once, is asked without it, and n goes off.
      await configure({ slots: 1, nError });
      const { store, deps, told } = memory();
      const sum = await runTeacher(job({ batchRepeats: 'on', temperature: 0.7 }), deps(settings())).done;
      expect(sum).toMatchObject({ state: 'done', done: 15, failed: 0 });
      expect(told.at(-1)?.n).toBe(false);
      expect(store.size).toBe(15);
      const log = await chatLog();
      const withN = log.filter((b) => ((b.n as number | undefined) ?? 1) > 1).length;
      // Only requests already in flight with n when the first failure came back.
      expect(withN).toBeGreaterThanOrEqual(1);
      expect(withN).toBeLessThanOrEqual(DEFAULT_TEACHER_SETTINGS.concurrency);
      expect(log.filter((b) => b.n === undefined)).toHaveLength(15);
    });
  }
});
