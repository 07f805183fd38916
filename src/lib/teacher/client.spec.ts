// client.ts with the real openai package against the real mock server,
// started in-process. No fake network: this is the seam the app ships.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockServer } from '../../../tests/mock-llm/server.mjs';
import { complete, createClient, forgetCapabilities, probeCapabilities, sendWith, testConnection } from './client';
import { parseAnswer } from './parse';
import { userMessage } from './prompt';
import { runTeacher, type TeacherDeps } from './queue';
import { DEFAULT_TEACHER_SETTINGS, type TeacherResponse, type TeacherSettings } from './types';

let server: { url: string; baseURL: string; close(): Promise<void> };
const LABELS = ['positive', 'negative'];

beforeAll(async () => {
  server = await startMockServer({ port: 0 });
});
afterAll(() => server.close());
beforeEach(async () => {
  forgetCapabilities();
  await configure({});
});

/** Reset the mock (config and log), then apply `config` over our labels and rules. */
async function configure(config: Record<string, unknown>) {
  await fetch(`${server.url}/__mock/reset`, { method: 'POST' });
  const res = await fetch(`${server.url}/__mock/config`, {
    method: 'POST',
    body: JSON.stringify({ labels: LABELS, rules: [{ contains: 'love', label: 'positive' }], fallback: 'negative', ...config }),
  });
  expect(res.status).toBe(200);
}

async function chatLog(): Promise<{ headers: Record<string, string>; body: Record<string, unknown> }[]> {
  return (await fetch(`${server.url}/__mock/log?path=/v1/chat/completions`)).json();
}

const settings = (over: Partial<TeacherSettings> = {}): TeacherSettings => ({
  ...DEFAULT_TEACHER_SETTINGS,
  baseURL: server.baseURL,
  model: 'mock-teacher',
  ...over,
});

const req = (text: string, over: object = {}) => ({
  model: 'mock-teacher',
  messages: [
    { role: 'system' as const, content: 'Label the sentiment.' },
    { role: 'user' as const, content: userMessage(text) },
  ],
  maxTokens: 16,
  structured: true,
  labels: LABELS,
  ...over,
});

function memoryDeps(client: ReturnType<typeof createClient>) {
  const store = new Map<string, TeacherResponse>();
  const sleeps: number[] = [];
  let skew = 0;
  const deps: TeacherDeps = {
    send: sendWith(client),
    getCached: async (keys) => new Map(keys.filter((k) => store.has(k)).map((k) => [k, store.get(k)!])),
    put: async (rs) => rs.forEach((r) => store.set(r.key, r)),
    onProgress: () => {},
    // Honour the delay in the record, not the wall clock: the run's clock jumps ahead instead.
    now: () => Date.now() + skew,
    sleep: async (ms) => {
      sleeps.push(ms);
      skew += ms;
    },
  };
  return { store, sleeps, deps };
}

describe('client.ts against the mock server', () => {
  it('sends structured output and parses the JSON label', async () => {
    const client = createClient(settings());
    const res = await complete(client, req('I love this'));
    expect(res.choices).toEqual([{ content: '{"label":"positive"}', refusal: null, finishReason: 'stop' }]);
    expect(res.usage.prompt).toBeGreaterThan(0);
    const [sent] = await chatLog();
    expect(sent.headers.authorization).toBe('Bearer not-needed');
    expect(sent.body).toMatchObject({
      max_tokens: 16,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'label', strict: true, schema: { properties: { label: { enum: LABELS } } } },
      },
    });
  });

  it('asks for n=3 answers in one request', async () => {
    const res = await complete(createClient(settings()), req('meh', { n: 3, temperature: 0.7 }));
    expect(res.choices.map((c) => parseAnswer(c.content, c.refusal, LABELS).label)).toEqual(['negative', 'negative', 'negative']);
    expect(await chatLog()).toHaveLength(1);
  });

  it('returns refusals as such', async () => {
    await configure({ faults: [{ kind: 'refusal' }] });
    const res = await complete(createClient(settings()), req('anything'));
    expect(res.choices[0].content).toBeNull();
    expect(parseAnswer(res.choices[0].content, res.choices[0].refusal, LABELS)).toMatchObject({ valid: false, reason: 'refusal' });
  });

  it('sends the cap as max_completion_tokens and reasoning_effort when the request says so', async () => {
    await complete(
      createClient(settings()),
      req('I love it', { maxTokensParam: 'max_completion_tokens', reasoningEffort: 'low', maxTokens: 4000 }),
    );
    const [sent] = await chatLog();
    expect(sent.body).toMatchObject({ max_completion_tokens: 4000, reasoning_effort: 'low' });
    expect(sent.body).not.toHaveProperty('max_tokens');
  });

  it('concurrent max_tokens rejections all succeed on their own retry', async () => {
    await configure({ unsupported: ['max_tokens'] });
    const { store, deps } = memoryDeps(createClient(settings()));
    const items = Array.from({ length: 8 }, (_, i) => ({ rowId: `r${i}`, text: `text ${i}`, textHash: `h${i}` }));
    const job = {
      items,
      codebook: { labels: LABELS.map((name) => ({ name })) },
      codebookHash: 'c',
      settings: settings({ repeats: 1, concurrency: 4 }),
    };
    const s = await runTeacher(job, deps).done;
    expect(s).toMatchObject({ state: 'done', done: 8, failed: 0 });
    expect(s.capabilities.maxTokensParam).toBe('max_completion_tokens');
    expect(store.size).toBe(8);
    const log = await chatLog();
    const rejected = log.filter((e) => 'max_tokens' in e.body);
    // The four first requests went out together with max_tokens; each was retried once, none failed.
    expect(rejected.length).toBeGreaterThanOrEqual(4);
    expect(log.filter((e) => 'max_completion_tokens' in e.body)).toHaveLength(8);
    expect(log).toHaveLength(8 + rejected.length);
  });

  it('reads retry-after-ms before Retry-After', async () => {
    await configure({ faults: [{ kind: '429', retryAfter: 1, retryAfterMs: 2500 }] });
    const { sleeps, deps } = memoryDeps(createClient(settings()));
    const job = {
      items: [{ rowId: 'r', text: 'x', textHash: 'h' }],
      codebook: { labels: LABELS.map((name) => ({ name })) },
      codebookHash: 'c',
      settings: settings({ repeats: 1 }),
    };
    expect(await runTeacher(job, deps).done).toMatchObject({ state: 'done', failed: 0 });
    expect(Math.max(...sleeps)).toBeGreaterThanOrEqual(2500);
  });

  it('runs the queue through a 429 with Retry-After, then succeeds', async () => {
    await configure({ faults: [{ kind: '429', retryAfter: 2 }] });
    const client = createClient(settings());
    const { store, sleeps, deps } = memoryDeps(client);
    const items = ['I love it', 'bad', 'so-so'].map((text, i) => ({ rowId: `r${i}`, text, textHash: `t${i}` }));
    const job = {
      items,
      codebook: { labels: LABELS.map((name) => ({ name })) },
      codebookHash: 'c',
      settings: settings({ concurrency: 1 }),
    };
    const s = await runTeacher(job, deps).done;
    expect(s).toMatchObject({ state: 'done', done: 9, failed: 0, invalid: 0 });
    expect(sleeps.some((ms) => ms >= 2000)).toBe(true);
    expect([...store.values()].filter((r) => r.textHash === 't0').map((r) => r.label)).toEqual(['positive', 'positive', 'positive']);
    // n path with the default temperatures: 2 requests per text, plus the one that got 429
    expect(await chatLog()).toHaveLength(7);
  });

  it('times a hanging request out, retries it, and finishes', async () => {
    await configure({ faults: [{ kind: 'hang', ms: 30_000 }] });
    const { store, deps } = memoryDeps(createClient(settings()));
    const job = {
      items: [{ rowId: 'r', text: 'I love it', textHash: 'h' }],
      codebook: { labels: LABELS.map((name) => ({ name })) },
      codebookHash: 'c',
      settings: settings({ repeats: 1, timeoutMs: 300 }),
    };
    const s = await runTeacher(job, deps).done;
    expect(s).toMatchObject({ state: 'done', sent: 2, failed: 0 });
    expect(store.size).toBe(1);
  });

  it('probes capabilities and adapts when n is rejected', async () => {
    await configure({ unsupported: ['n'] });
    const client = createClient(settings());
    const probe = await probeCapabilities(client, settings());
    expect(probe).toEqual({
      ok: true,
      requests: 2,
      // The mock's default answers `logprobs: {content: []}`: no tokens, so no label probabilities.
      capabilities: {
        n: false,
        temperature: true,
        structured: true,
        logprobs: false,
        reasoning: false,
        reasoningEffort: false,
        maxTokensParam: 'max_tokens',
        probed: true,
      },
    });
    const { store, deps } = memoryDeps(client);
    const job = {
      items: [{ rowId: 'r', text: 'I love it', textHash: 'h' }],
      codebook: { labels: LABELS.map((name) => ({ name })) },
      codebookHash: 'c',
      settings: settings(),
    };
    const s = await runTeacher(job, deps).done;
    expect(s).toMatchObject({ state: 'done', done: 3, failed: 0 });
    expect(s.capabilities.n).toBe(false);
    expect(store.size).toBe(3);
  });

  it('probes an endpoint that rejects temperature and response_format', async () => {
    await configure({ unsupported: ['temperature', 'response_format'] });
    const probe = await probeCapabilities(createClient(settings()), settings());
    expect(probe).toMatchObject({ ok: true, capabilities: { n: true, temperature: false, structured: false } });
  });
});

describe('testConnection', () => {
  it('lists the models', async () => {
    expect(await testConnection(settings())).toEqual({ ok: true, models: ['mock-teacher'] });
  });

  it('explains a wrong base URL, a bad key and an unreachable server', async () => {
    const wrong = await testConnection(settings({ baseURL: `${server.url}/v2` }));
    expect(wrong).toMatchObject({ ok: false });
    expect(!wrong.ok && wrong.message).toMatch(/base URL is probably wrong/);

    await configure({ apiKey: 'sk-right' });
    const bad = await testConnection(settings({ apiKey: 'sk-wrong' }));
    expect(!bad.ok && bad.message).toMatch(/refused the API key \(401\)/);
    expect(await testConnection(settings({ apiKey: 'sk-right' }))).toMatchObject({ ok: true });

    const down = await testConnection(settings({ baseURL: 'http://127.0.0.1:9/v1' }));
    expect(!down.ok && down.message).toMatch(/could not reach http:\/\/127\.0\.0\.1:9\/v1.*OLLAMA_ORIGINS/);
  });
});
