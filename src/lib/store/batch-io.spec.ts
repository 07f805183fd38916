// A Batch output import against the real store (fake-indexeddb): what it
// refuses, or cannot write, leaves every store byte for byte as it was; what
// it writes adds answers and never replaces a stored one.
import { afterEach, describe, expect, it } from 'vitest';
import { batchImport } from '../teacher/batch-files';
import type { TeacherResponse } from '../teacher/types';
import { storeBatchIo } from './batch-io';
import { codebookVersion, digest, liveAnswer, makeRows } from './fixtures';
import { createProject, getResponses, kvSet, putResponses, resetDbForTests } from './index';

afterEach(resetDbForTests);

const LABELS = ['neg', 'pos'];

/** A project with a recorded Batch export of three texts (custom_ids t0…t2), one of them already answered live. */
async function exported() {
  const p = await createProject('P');
  const cb = codebookVersion(1).hash;
  const keys = makeRows(3).map((r) => liveAnswer(p.id, cb, r.hash, null).key);
  await kvSet(`teacher.batchMapping.v1|${p.id}`, Object.fromEntries(keys.map((k, i) => [`t${i}`, [k]])));
  const live = { ...liveAnswer(p.id, cb, makeRows(1)[0].hash, 'pos'), key: keys[0] };
  await putResponses([live]);
  return { p, keys, live };
}

const line = (customId: string, label: string) =>
  JSON.stringify({
    custom_id: customId,
    response: { status_code: 200, body: { created: 1, choices: [{ message: { content: JSON.stringify({ label }) } }] } },
  });
const file = (name: string, ...lines: string[]) => new File([lines.join('\n')], name);

describe('Batch import into the store', () => {
  it('a file with nothing usable, an empty file or the request file: every store as it was', async () => {
    const { p } = await exported();
    const before = await digest();
    const request = JSON.stringify({ custom_id: 't1', method: 'POST', url: '/v1/chat/completions', body: {} });
    const report = await batchImport(
      storeBatchIo,
      [file('bad.jsonl', 'null', '{not json', '{"custom_id": "t9"}'), file('empty.jsonl', ''), file('request.jsonl', request)],
      p.id,
      LABELS,
    );
    expect(report).toMatchObject({ stored: 0, failedCount: 3 });
    expect(await digest()).toBe(before);
  });

  it('a write that fails part way stores none of the files’ answers', async () => {
    const { p } = await exported();
    const before = await digest();
    // The second answer cannot be stored (no key): the transaction, and the first answer with it, is rolled back.
    const failing = {
      ...storeBatchIo,
      addResponses: (rs: TeacherResponse[], r: (s: TeacherResponse) => boolean) =>
        storeBatchIo.addResponses([rs[0], { ...rs[1], key: undefined as unknown as string }], r),
    };
    await expect(batchImport(failing, [file('a.jsonl', line('t1', 'neg'), line('t2', 'neg'))], p.id, LABELS)).rejects.toThrow();
    expect(await digest()).toBe(before);
  });

  it('the paid live answer is kept; the others are added, marked as from the file', async () => {
    const { p, keys, live } = await exported();
    const report = await batchImport(
      storeBatchIo,
      [file('out.jsonl', line('t0', 'neg'), line('t1', 'neg'), line('t2', 'pos'))],
      p.id,
      LABELS,
    );
    expect(report).toMatchObject({ stored: 2, kept: 1, conflicts: 1 });
    const stored = await getResponses<TeacherResponse>(keys);
    expect(stored.get(keys[0])).toEqual(live);
    expect(stored.get(keys[1])).toMatchObject({ label: 'neg', valid: true, origin: { kind: 'batch', file: 'out.jsonl' } });
  });
});
