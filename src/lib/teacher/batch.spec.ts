import { describe, expect, it } from 'vitest';
// The mock server's answering logic stands in for OpenAI's batch workers.
import { answerChat, defaultConfig } from '../../../tests/mock-llm/chat.mjs';
import {
  BATCH_MAX_BYTES,
  batchLine,
  batchPendingForJob,
  fromBatchOutput,
  planBatchFiles,
  splitPending,
  toBatchJsonl,
  utf8Bytes,
  type BatchPending,
} from './batch';
import { guessProfile } from './profile';
import { runTeacher } from './queue';
import { harness, LABELS, makeJob } from './queue.fixture';
import { responseKeys } from './tasks';

const config = { ...defaultConfig(), labels: LABELS, rules: [{ contains: 'good', label: 'positive' }], fallback: 'negative' };

/** An output file as the Batch API would write it for `jsonl`. */
function fakeBatchRun(jsonl: string, fail: (i: number) => 'http' | 'error' | null = () => null): string {
  return jsonl
    .trim()
    .split('\n')
    .map((line, i) => {
      const { custom_id, body } = JSON.parse(line);
      const kind = fail(i);
      if (kind === 'error')
        return JSON.stringify({ id: `b${i}`, custom_id, response: null, error: { code: 'x', message: 'Batch expired' } });
      const out =
        kind === 'http' ? { status: 500, body: { error: { message: 'server error' } } } : answerChat(config, body, undefined, i + 1);
      return JSON.stringify({
        id: `b${i}`,
        custom_id,
        response: { status_code: out.status, request_id: `r${i}`, body: out.body },
        error: null,
      });
    })
    .join('\n');
}

describe('Batch API JSONL', () => {
  it('round-trips: the output becomes responses with the live keys, so a live run then sends nothing', async () => {
    const job = makeJob(6, { structured: 'on' });
    const { h, deps } = harness();
    const pending = await batchPendingForJob(job, deps.getCached);
    expect(pending).toHaveLength(12); // repeat 0 alone + repeats 1–2 with n=2, per text
    const { jsonl, mapping } = toBatchJsonl(pending);
    const lines = jsonl
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ method: 'POST', url: '/v1/chat/completions', body: { model: 'mock', max_completion_tokens: 32 } });
    expect(lines.every((l) => l.custom_id.length <= 64)).toBe(true);
    expect(new Set(lines.map((l) => l.custom_id)).size).toBe(12);
    // stable ids: the same export gives the same custom_ids
    expect(toBatchJsonl(pending).mapping).toEqual(mapping);

    const { responses, failed } = fromBatchOutput(fakeBatchRun(jsonl), mapping, LABELS);
    expect(failed).toEqual([]);
    expect(responses.map((r) => r.key).sort()).toEqual(responseKeys(job).sort());
    const r = responses.find((x) => x.textHash === 'h0' && x.repeat === 1)!;
    expect(r).toMatchObject({ label: 'positive', valid: true, model: 'mock', temperature: 0.7, codebookHash: 'cb1' });

    await deps.put(responses);
    expect(await runTeacher(job, deps).done).toMatchObject({ cached: 18, sent: 0 });
    expect(h.sent).toHaveLength(0);
  });

  it('keeps failed lines as failures, not responses', async () => {
    const job = makeJob(3, { repeats: 1 });
    const { deps } = harness();
    const { jsonl, mapping } = toBatchJsonl(await batchPendingForJob(job, deps.getCached));
    const out = fakeBatchRun(jsonl, (i) => (i === 0 ? 'error' : i === 1 ? 'http' : null)) + '\nnot json\n';
    const { responses, failed } = fromBatchOutput(out, mapping, LABELS);
    expect(responses).toHaveLength(1);
    expect(failed.map((f) => f.message)).toEqual([
      'Line 1: Batch expired',
      'Line 2: the request failed (500): server error',
      'Line 4: it is not valid JSON.',
    ]);
    expect(failed[0].keys).toHaveLength(1);
  });

  it('skips answers already cached and splits files at the request limit', async () => {
    const job = makeJob(4, { repeats: 1 });
    const { deps } = harness();
    await runTeacher({ ...job, items: job.items.slice(0, 3) }, deps).done;
    const pending = await batchPendingForJob(job, deps.getCached);
    expect(pending).toHaveLength(1);
    expect(splitPending([...pending, ...pending, ...pending], 2).map((p) => p.length)).toEqual([2, 1]);
    expect(() => toBatchJsonl([...pending, ...pending])).toThrow(/twice/);
  });

  it("builds a reasoning profile's lines with no temperature or n, the reasoning cap and low effort", async () => {
    const job = makeJob(3, { model: 'gpt-5-mini', baseURL: 'https://api.openai.com/v1', structured: 'on' });
    const { deps } = harness();
    // The names' guess (what an export uses when the model cannot be checked) …
    const guessed = await batchPendingForJob(job, deps.getCached);
    // … and a probed profile that learned the same.
    const probed = await batchPendingForJob(job, deps.getCached, {
      ...guessProfile('https://api.openai.com/v1', 'gpt-5-mini'),
      probed: true,
    });
    for (const pending of [guessed, probed]) {
      expect(pending).toHaveLength(9); // no n: one line per answer
      for (const { body, keys } of pending) {
        expect(body).not.toHaveProperty('temperature');
        expect(body).not.toHaveProperty('n');
        expect(body).not.toHaveProperty('max_tokens');
        expect(body).toMatchObject({
          model: 'gpt-5-mini',
          max_completion_tokens: 4096,
          reasoning_effort: 'low',
          response_format: { type: 'json_schema' },
        });
        expect(keys).toHaveLength(1);
        expect(keys[0]).toMatch(/\|default$/); // keys of answers at the default temperature
      }
    }
    // An ordinary model keeps temperature and n.
    const plain = await batchPendingForJob(makeJob(1, { model: 'gpt-4.1-mini', baseURL: 'https://api.openai.com/v1' }), deps.getCached);
    expect(plain.map((p) => [p.body.temperature, p.body.n])).toEqual([
      [0, undefined],
      [0.7, 2],
    ]);
  });

  it('splits a 250 MB export into two files under 190 MB, measuring lines one at a time', () => {
    // 20,000 requests of a 3 KB system prompt and a ~9.5 KB text: ~250 MB of JSONL.
    const system = 'S'.repeat(3000);
    const text = 'lorem ipsum '.repeat(800);
    const count = 20_000;
    function* lazy(): Generator<BatchPending> {
      for (let i = 0; i < count; i++) {
        yield {
          keys: [`r1|e|m|c|t|h${i}|0|0`],
          body: {
            model: 'm',
            messages: [
              { role: 'system', content: system },
              { role: 'user', content: text },
            ],
            max_completion_tokens: 32,
          },
        };
      }
    }
    const lineBytes = utf8Bytes(batchLine(lazy().next().value as BatchPending).line) + 1;
    const files = planBatchFiles(lazy());
    const total = files.reduce((n, f) => n + f.bytes, 0);
    expect(total).toBeGreaterThan(250_000_000);
    expect(files).toHaveLength(2);
    expect(files.every((f) => f.bytes <= BATCH_MAX_BYTES)).toBe(true);
    expect(files[0]).toMatchObject({ start: 0, lines: Math.floor(BATCH_MAX_BYTES / lineBytes) });
    expect(files[1].start).toBe(files[0].end);
    expect(files[1].end).toBe(count);
    expect(files[0].lines + files[1].lines).toBe(count);
  });

  it('splits at 50,000 lines and at the enqueued-token limit, and counts bytes as UTF-8', () => {
    const tiny = (i: number): BatchPending => ({ keys: [`k${i}`], body: { m: 'é' } });
    const many = Array.from({ length: 50_001 }, (_, i) => tiny(i));
    expect(planBatchFiles(many).map((f) => f.lines)).toEqual([50_000, 1]);
    const byTokens = planBatchFiles(many.slice(0, 10), { maxTokens: 250 }, () => 100);
    expect(byTokens.map((f) => [f.lines, f.tokens])).toEqual([
      [2, 200],
      [2, 200],
      [2, 200],
      [2, 200],
      [2, 200],
    ]);
    expect(splitPending(many.slice(0, 5), { maxTokens: null, maxLines: 2 }).map((p) => p.length)).toEqual([2, 2, 1]);
    expect(utf8Bytes('aé€😀')).toBe(1 + 2 + 3 + 4);
    expect(utf8Bytes(batchLine(tiny(0)).line)).toBe(new TextEncoder().encode(batchLine(tiny(0)).line).length);
  });

  it('reads empty and truncated answers as failures, not responses', async () => {
    const job = makeJob(2, { repeats: 1 });
    const { deps } = harness();
    const { jsonl, mapping } = toBatchJsonl(await batchPendingForJob(job, deps.getCached));
    const out = jsonl
      .trim()
      .split('\n')
      .map((l, i) => {
        const { custom_id } = JSON.parse(l);
        const choice =
          i === 0
            ? { index: 0, finish_reason: 'length', message: { content: '' } }
            : { index: 0, finish_reason: 'stop', message: { content: '{"label":"negative"}' } };
        const usage = { prompt_tokens: 50, completion_tokens: 32, completion_tokens_details: { reasoning_tokens: i === 0 ? 32 : 20 } };
        return JSON.stringify({ custom_id, response: { status_code: 200, body: { choices: [choice], usage } } });
      })
      .join('\n');
    const { responses, failed } = fromBatchOutput(out, mapping, LABELS);
    expect(failed).toHaveLength(1);
    expect(failed[0].message).toMatch(/came back empty after 32 reasoning tokens; raise the token cap/);
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ label: 'negative', usage: { prompt: 50, completion: 32, reasoning: 20 }, finishReason: 'stop' });
  });
});
