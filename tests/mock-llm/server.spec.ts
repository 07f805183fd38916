import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { extractText } from './chat.mjs';
import { startMockServer } from './server.mjs';

let server: { url: string; baseURL: string; close(): Promise<void> };
let modelsDir: string;

beforeAll(async () => {
  modelsDir = await mkdtemp(path.join(tmpdir(), 'mock-models-'));
  await mkdir(path.join(modelsDir, 'tiny/onnx'), { recursive: true });
  await writeFile(path.join(modelsDir, 'tiny/config.json'), '{"model_type":"distilbert"}');
  await writeFile(path.join(modelsDir, 'tiny/onnx/model.onnx'), new Uint8Array([8, 1, 2, 3]));
  server = await startMockServer({ port: 0, modelsDir });
});
afterAll(async () => {
  await server.close();
  await rm(modelsDir, { recursive: true, force: true });
  await rm(path.join(modelsDir, '..', 'outside.txt'), { force: true });
});
beforeEach(async () => {
  await post('/__mock/reset', {});
});

function post(p: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(server.url + p, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}
const config = (c: object) => post('/__mock/config', c);

const user = (text: string) => `Classify the text between the <text> tags.\n<text>\n${text}\n</text>`;
const chat = (text: string, extra: object = {}) =>
  post('/v1/chat/completions', {
    model: 'mock-teacher',
    messages: [
      { role: 'system', content: 'Labels: spam, ham.' },
      { role: 'user', content: user(text) },
    ],
    ...extra,
  });
const schema = (labels: string[]) => ({
  type: 'json_schema',
  json_schema: {
    name: 'label',
    strict: true,
    schema: { type: 'object', properties: { label: { type: 'string', enum: labels } }, required: ['label'] },
  },
});
function rawStatus(p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(server.url + '/', { path: p }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject);
  });
}
const contents = async (res: Response) =>
  ((await res.json()) as { choices: { message: { content: string } }[] }).choices.map((c) => c.message.content);

describe('mock LLM server', () => {
  it('answers CORS preflights and marks every response cross-origin readable', async () => {
    const pre = await fetch(server.baseURL + '/chat/completions', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-headers': 'authorization,x-stainless-os' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/\*.*Authorization/);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    for (const res of [await fetch(server.baseURL + '/models'), await fetch(server.url + '/nowhere')]) {
      expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      // Like many real servers, the wait headers are not exposed to pages by default.
      expect(res.headers.get('access-control-expose-headers')).toBe('x-request-id');
    }
  });

  it('exposes the wait headers through CORS only when asked to', async () => {
    await config({
      faults: [
        { kind: '429', retryAfter: 2 },
        { kind: '429', retryAfter: 2 },
      ],
    });
    const hidden = await chat('x');
    expect(hidden.status).toBe(429);
    expect(hidden.headers.get('access-control-expose-headers')).toBe('x-request-id');
    expect(hidden.headers.get('retry-after-ms')).toBe('2000'); // sent, but a browser may not read it
    await config({ exposeRateLimitHeaders: true, faults: [{ kind: '429', retryAfter: 2, retryAfterMs: 2500 }] });
    const shown = await chat('x');
    const exposed = shown.headers.get('access-control-expose-headers')!.split(', ');
    expect(exposed).toEqual(
      expect.arrayContaining(['Retry-After', 'retry-after-ms', 'x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']),
    );
    expect([
      shown.headers.get('retry-after'),
      shown.headers.get('retry-after-ms'),
      shown.headers.get('x-ratelimit-reset-requests'),
    ]).toEqual(['2', '2500', '2500ms']);
  });

  it('lists the configured models', async () => {
    await config({ models: ['a', 'b'] });
    const list = await (await fetch(server.baseURL + '/models')).json();
    expect(list).toEqual({
      object: 'list',
      data: [
        { id: 'a', object: 'model', created: 0, owned_by: 'mock' },
        { id: 'b', object: 'model', created: 0, owned_by: 'mock' },
      ],
    });
  });

  it('answers in the OpenAI shape with token estimates, honouring n', async () => {
    const res = await chat('hello', { n: 2 });
    const body = await res.json();
    expect(body).toMatchObject({ object: 'chat.completion', model: 'mock-teacher' });
    expect(body.choices).toEqual(
      [0, 1].map((index) => ({
        index,
        message: { role: 'assistant', content: 'positive', refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      })),
    );
    const chars = 'Labels: spam, ham.'.length + user('hello').length;
    expect(body.usage).toEqual({
      prompt_tokens: Math.ceil(chars / 4),
      completion_tokens: 2 * Math.ceil('positive'.length / 4),
      total_tokens: Math.ceil(chars / 4) + 4,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it('cuts an answer at the token cap with finish_reason length', async () => {
    const body = await (await chat('hello', { max_tokens: 1 })).json();
    expect(body.choices[0]).toMatchObject({ message: { content: 'posi' }, finish_reason: 'length' });
    expect(body.usage.completion_tokens).toBe(1);
  });

  it('acts as a reasoning model: default temperature only, no max_tokens, no n, hidden reasoning against the cap', async () => {
    await config({ reasoning: true, reasoningTokens: 100 });
    const errorOf = async (extra: object) => {
      const res = await chat('x', extra);
      expect(res.status).toBe(400);
      return (await res.json()).error;
    };
    expect(await errorOf({ temperature: 0 })).toMatchObject({
      param: 'temperature',
      code: 'unsupported_value',
      message: expect.stringContaining("'temperature' does not support 0"),
    });
    expect(await errorOf({ max_tokens: 500 })).toMatchObject({
      param: 'max_tokens',
      message: expect.stringContaining("Use 'max_completion_tokens' instead"),
    });
    expect(await errorOf({ n: 2 })).toMatchObject({ param: 'n' });
    expect(await errorOf({ logprobs: true })).toMatchObject({ param: 'logprobs' });

    // A cap smaller than the reasoning: nothing is left for the answer.
    const starved = await (await chat('x', { max_completion_tokens: 32 })).json();
    expect(starved.choices[0]).toMatchObject({ message: { content: '' }, finish_reason: 'length' });
    expect(starved.usage).toMatchObject({ completion_tokens: 32, completion_tokens_details: { reasoning_tokens: 32 } });
    // Enough room: the answer arrives, and low effort halves the reasoning.
    const ok = await (
      await chat('x', { max_completion_tokens: 2000, temperature: 1, reasoning_effort: 'low', response_format: schema(['a', 'b']) })
    ).json();
    expect(ok.choices[0]).toMatchObject({ message: { content: '{"label":"a"}' }, finish_reason: 'stop' });
    expect(ok.usage).toMatchObject({ completion_tokens: 50 + 4, completion_tokens_details: { reasoning_tokens: 50 } });
  });

  it('answers insufficient_quota as OpenAI does, on every request', async () => {
    await config({ quota: true });
    for (let i = 0; i < 2; i++) {
      const res = await chat('x');
      expect(res.status).toBe(429);
      expect((await res.json()).error).toMatchObject({
        type: 'insufficient_quota',
        code: 'insufficient_quota',
        message: expect.stringContaining('exceeded your current quota'),
      });
    }
    await config({ faults: [{ kind: 'quota' }] });
    expect((await chat('x')).status).toBe(429);
    expect((await chat('x')).status).toBe(200);
  });

  it('rejects n above its slots as llama.cpp does, naming no parameter', async () => {
    await config({ slots: 1 });
    const res = await chat('x', { n: 2 });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toEqual({
      code: 400,
      message: 'n_cmpl cannot be greater than the number of slots, please increase -np',
      type: 'invalid_request_error',
    });
    expect((await chat('x', { n: 1 })).status).toBe(200);
    await config({ slots: 1, nError: 'legacy' });
    const old = await chat('x', { n: 3 });
    expect(old.status).toBe(500);
    expect((await old.json()).error.message).toBe('Only one completion choice is allowed');
  });

  it('decides by rules, then replay, then fallback, with labels from the schema enum', async () => {
    await config({ labels: ['x', 'y'], rules: [{ contains: 'WIN', label: 'spam' }], replay: { 'see you': 'ham' }, fallback: 'ham' });
    expect(await contents(await chat('You win a prize', { response_format: schema(['spam', 'ham']) }))).toEqual(['{"label":"spam"}']);
    expect(await contents(await chat('see you'))).toEqual(['ham']);
    expect(await contents(await chat('other'))).toEqual(['ham']);
    await config({ labels: ['x', 'y'], plainStyle: 'sentence' });
    expect(await contents(await chat('other'))).toEqual(['The answer is: x.']);
    expect(await contents(await chat('other', { response_format: schema(['spam', 'ham']) }))).toEqual(['{"label":"spam"}']);
  });

  it('reads the text between the last <text> delimiters', () => {
    expect(
      extractText([
        { role: 'user', content: 'old' },
        { role: 'user', content: 'x <text>\nfake\n</text>\n' + user('a <text_> b') },
      ]),
    ).toBe('a <text_> b');
    expect(extractText([{ role: 'user', content: 'no delimiters' }])).toBe('no delimiters');
  });

  it('rejects parameters configured as unsupported with an OpenAI-style 400', async () => {
    await config({ unsupported: ['n', 'temperature', 'response_format'] });
    const cases: [object, string][] = [
      [{ n: 3 }, 'n'],
      [{ temperature: 0.7 }, 'temperature'],
      [{ response_format: schema(['a']) }, 'response_format'],
    ];
    for (const [extra, param] of cases) {
      const res = await chat('x', extra);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatchObject({ type: 'invalid_request_error', param, code: 'unsupported_parameter' });
    }
    expect((await chat('x', { n: 1, temperature: 1 })).status).toBe(200);
  });

  it('flips answers with the configured probability, deterministically', async () => {
    const run = async () => {
      await post('/__mock/reset', {});
      await config({ labels: ['a', 'b', 'c'], flip: 0.5, seed: 7 });
      return contents(await chat('same text', { n: 40 }));
    };
    const first = await run();
    expect(new Set(first).size).toBeGreaterThan(1);
    const flipped = first.filter((c) => c !== 'a').length;
    expect(flipped).toBeGreaterThan(8);
    expect(flipped).toBeLessThan(32);
    expect(await run()).toEqual(first);
  });

  it('injects faults in order, one per chat request', async () => {
    await config({
      faults: [
        { kind: '429', retryAfter: 5, times: 2 },
        { kind: '500' },
        { kind: 'malformed' },
        { kind: 'refusal' },
        { kind: 'offset', label: 'banana' },
      ],
    });
    const r1 = await chat('x');
    expect(r1.status).toBe(429);
    expect(r1.headers.get('retry-after')).toBe('5');
    expect(r1.headers.get('retry-after-ms')).toBe('5000');
    expect((await r1.json()).error.code).toBe('rate_limit_exceeded');
    expect((await chat('x')).status).toBe(429);
    expect((await chat('x')).status).toBe(500);
    expect(await contents(await chat('x', { response_format: schema(['a', 'b']) }))).toEqual(['{"label": ']);
    const refused = (await (await chat('x')).json()).choices[0].message;
    expect(refused).toMatchObject({ content: null, refusal: expect.stringContaining('can') });
    expect(await contents(await chat('x', { response_format: schema(['a', 'b']) }))).toEqual(['{"label":"banana"}']);
    expect(await contents(await chat('x'))).toEqual(['positive']);
  });

  it('hangs a request without blocking close()', async () => {
    const other = await startMockServer({ config: { faults: [{ kind: 'hang' }] } });
    const pending = fetch(other.baseURL + '/chat/completions', { method: 'POST', body: JSON.stringify({ messages: [] }) }).catch(
      (e: Error) => e,
    );
    await new Promise((r) => setTimeout(r, 50));
    await other.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('answers a hang fault after its delay', async () => {
    await config({ faults: [{ kind: 'hang', ms: 20 }] });
    expect((await chat('x')).status).toBe(200);
  });

  it('sends random 429s at rate429', async () => {
    await config({ rate429: 1 });
    const res = await chat('x');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
  });

  it('checks the API key when one is configured', async () => {
    await config({ apiKey: 'sk-test' });
    expect((await fetch(server.baseURL + '/models')).status).toBe(401);
    expect((await fetch(server.baseURL + '/models', { headers: { authorization: 'Bearer sk-test' } })).status).toBe(200);
  });

  it('logs every non-control request with headers and body; reset clears it', async () => {
    await chat('logged', {});
    await post('/v1/chat/completions', { model: 'm', messages: [] }, { authorization: 'Bearer sk-1' });
    await fetch(server.baseURL + '/models');
    const log = await (await fetch(server.url + '/__mock/log')).json();
    expect(log.map((e: { method: string; path: string }) => `${e.method} ${e.path}`)).toEqual([
      'POST /v1/chat/completions',
      'POST /v1/chat/completions',
      'GET /v1/models',
    ]);
    expect(log[1].headers.authorization).toBe('Bearer sk-1');
    expect(log[0].body.messages[1].content).toBe(user('logged'));
    expect(typeof log[0].at).toBe('number');
    const filtered = await (await fetch(server.url + '/__mock/log?path=/v1/models')).json();
    expect(filtered).toHaveLength(1);
    const reset = await (await post('/__mock/reset', {})).json();
    expect(reset.faults).toEqual([]);
    expect(await (await fetch(server.url + '/__mock/log')).json()).toEqual([]);
  });

  it('serves model files with content types, HEAD, and 404s', async () => {
    const json = await fetch(server.url + '/models/tiny/config.json');
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(json.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(await json.json()).toEqual({ model_type: 'distilbert' });
    const onnx = await fetch(server.url + '/models/tiny/onnx/model.onnx');
    expect(onnx.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await onnx.arrayBuffer())]).toEqual([8, 1, 2, 3]);
    const head = await fetch(server.url + '/models/tiny/onnx/model.onnx', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('4');
    expect((await fetch(server.url + '/models/tiny/missing.json')).status).toBe(404);
    expect((await fetch(server.url + '/models/tiny')).status).toBe(404);
    // fetch() would normalise "..", so send the raw path
    await writeFile(path.join(modelsDir, '..', 'outside.txt'), 'secret').catch(() => undefined);
    expect(await rawStatus(`/models/../${path.basename(modelsDir)}/../outside.txt`)).toBe(404);
    expect(await rawStatus('/models/%2e%2e/outside.txt')).toBe(404);
    expect(await rawStatus('/models/..%2foutside.txt')).toBe(404); // survives URL parsing; caught by the guard
  });
});

describe('mock LLM server: prose answers and held responses (issue 12)', () => {
  it('answers in prose even when a JSON schema was asked for, from a template or per text', async () => {
    await config({
      labels: ['Democrat', 'Republican'],
      rules: [{ contains: 'vote', label: 'Democrat' }],
      prose: 'The poster is definitely not a {label}; maybe {other}.',
      proseReplay: { 'exact one': 'Probably not Republican' },
    });
    expect(await contents(await chat('I will vote', { response_format: schema(['Democrat', 'Republican']) }))).toEqual([
      'The poster is definitely not a Democrat; maybe Republican.',
    ]);
    expect(await contents(await chat('exact one', { n: 2 }))).toEqual(['Probably not Republican', 'Probably not Republican']);
    await config({ labels: ['Democrat', 'Republican'] });
    expect(await contents(await chat('exact one'))).toEqual(['Democrat']);
  });

  it('holds the first K chat requests until released, answering the rest at once', async () => {
    await config({ labels: ['x'], hold: 2 });
    const first = chat('one');
    const second = chat('two');
    await new Promise((r) => setTimeout(r, 100));
    expect(await (await fetch(server.url + '/__mock/held')).json()).toEqual({ held: 2, holdLeft: 0 });
    expect(await contents(await chat('three'))).toEqual(['x']);
    let settled = false;
    void first.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    expect(await (await post('/__mock/release', {})).json()).toEqual({ released: 2 });
    expect(await contents(await first)).toEqual(['x']);
    expect(await contents(await second)).toEqual(['x']);
  });

  it('forgets a held request whose client went away', async () => {
    await config({ labels: ['x'], hold: 1 });
    const ac = new AbortController();
    const aborted = fetch(server.baseURL + '/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      signal: ac.signal,
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: user('gone') }] }),
    }).catch(() => null);
    await new Promise((r) => setTimeout(r, 100));
    expect((await (await fetch(server.url + '/__mock/held')).json()).held).toBe(1);
    ac.abort();
    await aborted;
    await new Promise((r) => setTimeout(r, 100));
    expect(await (await fetch(server.url + '/__mock/held')).json()).toEqual({ held: 0, holdLeft: 0 });
    expect(await contents(await chat('next'))).toEqual(['x']);
  });
});
