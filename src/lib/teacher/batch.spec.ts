import { describe, expect, it } from 'vitest';
// The mock server's answering logic stands in for OpenAI's batch workers.
import { answerChat, defaultConfig } from '../../../tests/mock-llm/chat.mjs';
import { batchPendingForJob, fromBatchOutput, splitPending, toBatchJsonl } from './batch';
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
      if (kind === 'error') return JSON.stringify({ id: `b${i}`, custom_id, response: null, error: { code: 'x', message: 'Batch expired' } });
      const out = kind === 'http'
        ? { status: 500, body: { error: { message: 'server error' } } }
        : answerChat(config, body, undefined, i + 1);
      return JSON.stringify({ id: `b${i}`, custom_id, response: { status_code: out.status, request_id: `r${i}`, body: out.body }, error: null });
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
    const lines = jsonl.trim().split('\n').map((l) => JSON.parse(l));
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
      'Batch expired',
      'The request failed (500): server error',
      'Line 4 is not valid JSON.',
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
});
