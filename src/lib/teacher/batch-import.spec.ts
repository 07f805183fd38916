// Hostile and unlucky Batch output files: built from a request file this
// app exported, answered, then damaged. A file's answer never replaces a
// stored one; bad lines are named by number and reason; duplicates, empty
// files and the request file picked by mistake each get a plain message.
import { describe, expect, it } from 'vitest';
import { batchExport, batchImport, type BatchImportIo, type BatchIo } from './batch-files';
import { runTeacher } from './queue';
import { harness, LABELS, makeJob } from './queue.fixture';
import { responseKeys } from './tasks';
import type { TeacherResponse } from './types';

const PROJECT = 'p1';

/** The answer cache and kv rows in memory, with the files the export saved. */
function memoryIo() {
  const { h, deps } = harness();
  const kv = new Map<string, unknown>();
  const saved: { name: string; file: Blob }[] = [];
  const io: BatchIo = {
    getCached: (_projectId, keys) => deps.getCached(keys),
    putResponses: (rs) => deps.put(rs),
    kvGet: async (k) => kv.get(k),
    kvSet: async (k, v) => void kv.set(k, v),
    save: (name, file) => void saved.push({ name, file }),
  };
  // As store/responses.ts addResponses does it: all of them at once, never over a stored answer that is not `replaceable`.
  const importIo: BatchImportIo = {
    ...io,
    addResponses: async (rs, replaceable) => {
      const put = rs.filter((r) => {
        const had = h.store.get(r.key);
        return !had || replaceable(had);
      });
      await deps.put(put);
      return put.length;
    },
  };
  return { h, deps, io: importIo, exportIo: io, saved };
}

/** Exports the job's requests and answers each line `label` (JSON), as the Batch API's output file would. */
async function exported(structured: 'on' | 'off' = 'off', texts = 4) {
  const m = memoryIo();
  const job = { ...makeJob(texts, { repeats: 1, structured }), projectId: PROJECT };
  await batchExport(m.exportIo, job, 'Project');
  const request = await m.saved[0].file.text();
  const lines = request
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { custom_id: string; body: Record<string, unknown> });
  const answer = (custom_id: string, content: string) =>
    JSON.stringify({
      custom_id,
      response: {
        status_code: 200,
        body: {
          created: 1_700_000_000,
          choices: [{ index: 0, finish_reason: 'stop', message: { content } }],
          usage: { prompt_tokens: 40, completion_tokens: 5 },
        },
      },
      error: null,
    });
  return { ...m, job, request, lines, answer };
}

const file = (text: string, name = 'batch_output.jsonl') => new File([text], name);

describe('Batch import of hostile output files', () => {
  it('never replaces a paid live answer: the conflict is counted and the stored answer kept', async () => {
    const { h, deps, io, job, lines, answer } = await exported();
    // Live labelling first: every text answered "positive".
    h.behaviour = async () => ({
      choices: [{ content: '{"label":"positive"}', refusal: null, finishReason: 'stop' }],
      usage: { prompt: 40, completion: 5 },
    });
    await runTeacher(job, deps).done;
    const live = new Map([...h.store].map(([k, r]) => [k, { ...r }]));
    const out = lines.map((l) => answer(l.custom_id, '{"label":"negative"}')).join('\n');
    const report = await batchImport(io, [file(out)], PROJECT, LABELS);
    expect(report).toMatchObject({ stored: 0, kept: 4, conflicts: 4 });
    expect(report.text).toMatch(
      /4 answers were already stored and kept as they were \(4 of them differ from the file's answer; the stored answer was kept\)/,
    );
    expect(h.store).toEqual(live);
  });

  it('fills in a stored failed request, which the export sent again', async () => {
    const { h, io, job, lines, answer } = await exported();
    const [key] = responseKeys(job);
    h.store.set(key, { key, label: null, valid: false, invalidReason: 'request-failed', error: '500' } as unknown as TeacherResponse);
    const report = await batchImport(io, [file(lines.map((l) => answer(l.custom_id, '{"label":"negative"}')).join('\n'))], PROJECT, LABELS);
    expect(report.stored).toBe(4);
    expect(h.store.get(key)).toMatchObject({ label: 'negative', valid: true, origin: { kind: 'batch', file: 'batch_output.jsonl' } });
  });

  it('a custom_id twice: the first line wins, and the report says so', async () => {
    const { h, io, lines, answer } = await exported();
    const out = [...lines.map((l) => answer(l.custom_id, '{"label":"negative"}')), answer(lines[0].custom_id, '{"label":"positive"}')].join(
      '\n',
    );
    const report = await batchImport(io, [file(out)], PROJECT, LABELS);
    expect(report).toMatchObject({ stored: 4, duplicates: 1, failed: [], failedCount: 0 }); // a repeat, not a failure
    expect(report.text).toMatch(
      /1 custom_id appears twice: the first line of each was used \(batch_output\.jsonl: Line 5: custom_id "t\w+" was already answered on line 1 of batch_output\.jsonl\)\.$/,
    );
    expect(report.repeats[0].message).toMatch(
      /Line 5: custom_id "t\w+" was already answered on line 1 of batch_output\.jsonl; the first answer is kept/,
    );
    expect([...h.store.values()].every((r) => r.label === 'negative')).toBe(true);
  });

  it('one bad line does not refuse the file: the good lines are stored, each bad one named by number and reason', async () => {
    const { h, io, lines, answer } = await exported();
    const good = lines.map((l) => answer(l.custom_id, '{"label":"negative"}'));
    const out = [
      good[0],
      'null',
      '{"custom_id": 5}',
      JSON.stringify({ custom_id: lines[1].custom_id, response: { status_code: 200, body: { choices: { 0: 1 } } } }),
      JSON.stringify({ custom_id: lines[2].custom_id, response: { status_code: 200, body: { choices: [{ message: { content: 7 } }] } } }),
      JSON.stringify({ custom_id: '__proto__', response: null }),
      good[3],
      '{not json',
    ].join('\n');
    const report = await batchImport(io, [file(out)], PROJECT, LABELS);
    expect(report.stored).toBe(2);
    expect(h.store.size).toBe(2);
    const said = report.failed.map((f) => f.message);
    expect(said).toEqual([
      'batch_output.jsonl: Line 2: it is not a Batch output line (an object with custom_id and response).',
      'batch_output.jsonl: Line 3: it has no custom_id.',
      'batch_output.jsonl: Line 4: its answer has no choices.',
      'batch_output.jsonl: Line 5: choice 1 of its answer is malformed.',
      'batch_output.jsonl: Line 6: unknown custom_id "__proto__" (was this file made from another export?).',
      'batch_output.jsonl: Line 8: it is not valid JSON.',
    ]);
    expect(said.join(' ')).not.toMatch(/Cannot read|is not a function|is not iterable/);
  });

  it('an empty file and the request file picked by mistake each say what they are', async () => {
    const { io, request } = await exported();
    const empty = await batchImport(io, [file('\n\n', 'empty.jsonl')], PROJECT, LABELS);
    expect(empty.stored).toBe(0);
    expect(empty.text).toMatch(/empty\.jsonl is empty: it holds no answers/);
    const mistaken = await batchImport(io, [file(request, 'project-batch.jsonl')], PROJECT, LABELS);
    expect(mistaken.stored).toBe(0);
    expect(mistaken.text).toMatch(/project-batch\.jsonl is a request file \(the one uploaded to OpenAI\), not the batch's output/);
    expect(mistaken.text).not.toMatch(/request failed/);
  });

  it('out-of-codebook labels and another codebook version are counted in the message', async () => {
    const { io, lines, answer } = await exported();
    const out = lines.map((l, i) => answer(l.custom_id, i === 0 ? 'maybe' : '{"label":"negative"}')).join('\n');
    const report = await batchImport(io, [file(out)], PROJECT, LABELS, 'another-hash');
    expect(report).toMatchObject({ stored: 4, notLabels: 1, otherVersion: 4 });
    expect(report.text).toMatch(/1 of them are not one of the codebook's labels .* stored as invalid/);
    expect(report.text).toMatch(/4 of them are for another codebook version than the active one/);
  });

  it('a 12 MB answer against the schema its request asked for is malformed, as a live run reads it', async () => {
    const { h, io, lines, answer } = await exported('on', 1);
    const huge = JSON.stringify({ label: 'negative', pad: 'x'.repeat(12 * 2 ** 20) });
    const report = await batchImport(io, [file(answer(lines[0].custom_id, huge))], PROJECT, LABELS);
    expect(report.stored).toBe(1);
    const [r] = h.store.values();
    expect(r).toMatchObject({ valid: false, label: null, invalidReason: 'malformed-json' });
    expect(r.raw!.length).toBeLessThanOrEqual(64 * 1024);
  });

  it("a custom_id answered in two files: the second file's line is a duplicate naming the first", async () => {
    const { h, io, lines, answer } = await exported();
    const a = lines.map((l) => answer(l.custom_id, '{"label":"negative"}')).join('\n');
    const b = answer(lines[0].custom_id, '{"label":"positive"}');
    const report = await batchImport(io, [file(a, 'a.jsonl'), file(b, 'b.jsonl')], PROJECT, LABELS);
    expect(report).toMatchObject({ stored: 4, duplicates: 1 });
    expect(report.repeats[0].message).toMatch(/^b\.jsonl: Line 1: custom_id "t\w+" was already answered on line 1 of a\.jsonl/);
    expect([...h.store.values()].every((r) => r.label === 'negative')).toBe(true);
  });

  it('an answer that came in meanwhile is kept: the write never replaces it', async () => {
    const { h, io, job, lines, answer } = await exported();
    const [key] = responseKeys(job);
    const live = { key, label: 'positive', valid: true } as unknown as TeacherResponse;
    // Not stored when the file was checked; stored (a live run) by the time it is written.
    const racing: BatchImportIo = {
      ...io,
      getCached: async () => new Map(),
      addResponses: async (rs, r) => (h.store.set(key, live), io.addResponses(rs, r)),
    };
    const report = await batchImport(
      racing,
      [file(lines.map((l) => answer(l.custom_id, '{"label":"negative"}')).join('\n'))],
      PROJECT,
      LABELS,
    );
    expect(report).toMatchObject({ stored: 3, kept: 1 });
    expect(h.store.get(key)).toBe(live);
  });

  it('a write that fails stores nothing, and a line too long to be an answer is named, not read', async () => {
    const { h, io, lines, answer } = await exported();
    const out = [
      answer(lines[0].custom_id, '{"label":"negative"}'),
      'x'.repeat(17 * 2 ** 20),
      answer(lines[1].custom_id, '{"label":"negative"}'),
    ];
    const failing: BatchImportIo = { ...io, addResponses: () => Promise.reject(new Error('The browser storage is full.')) };
    await expect(batchImport(failing, [file(out.join('\n'))], PROJECT, LABELS)).rejects.toThrow(/storage is full/);
    expect(h.store.size).toBe(0);
    const report = await batchImport(io, [file(out.join('\n'))], PROJECT, LABELS);
    expect(report.stored).toBe(2);
    expect(report.failed.map((f) => f.message)).toEqual([
      'batch_output.jsonl: Line 2: it is 17.0 MB long, longer than any Batch output line; it was not read.',
    ]);
  });

  it('50,000 bad lines: all counted, the first hundred listed', async () => {
    const { io } = await exported();
    const report = await batchImport(io, [file(Array.from({ length: 50_000 }, () => '{not json').join('\n'))], PROJECT, LABELS);
    expect(report).toMatchObject({ stored: 0, failedCount: 50_000 });
    expect(report.failed).toHaveLength(100);
    expect(report.text).toMatch(/50,000 lines or answers could not be used .* …and 49,995 more\./);
  });

  it('wrong-typed usage and times are refused per line, not stored as NaN', async () => {
    const { h, io, lines } = await exported();
    const line = (usage: unknown, created: unknown) =>
      JSON.stringify({
        custom_id: lines[0].custom_id,
        response: { status_code: 200, body: { created, choices: [{ message: { content: '{"label":"negative"}' } }], usage } },
      });
    const report = await batchImport(io, [file(line({ prompt_tokens: -3, completion_tokens: 'x' }, 'soon'))], PROJECT, LABELS);
    expect(report.stored).toBe(0);
    expect(report.failed[0].message).toMatch(/Line 1: its token counts are not counts/);
    await batchImport(io, [file(line({ prompt_tokens: 3, completion_tokens: 1 }, 'soon'))], PROJECT, LABELS);
    expect(Number.isFinite([...h.store.values()][0].at)).toBe(true);
  });
});
