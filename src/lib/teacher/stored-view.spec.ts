import { describe, expect, it } from 'vitest';
import { hashText } from '../data/hash';
import { codebookHash } from '../codebook/codebook';
import type { CodebookVersion } from '../codebook/types';
import { labels, reviewCodebook } from '../codebook/testing';
import { DEFAULT_PROJECT_SETTINGS } from '../project/settings';
import { makeJob, toTeacherSettings } from './job';
import { answeredItems, hashesById, setupAnswers, type ListByPrefix } from './stored-view';
import { keyOf, responseKeys } from './tasks';
import type { TeacherResponse } from './types';

const cb = reviewCodebook({
  task: 'Sentiment',
  instructions: '',
  labels: labels({ pos: 'good', neg: 'bad' }),
  positive: 'pos',
  examples: [],
});
const version: CodebookVersion = { version: 1, createdAt: 0, codebook: cb, hash: codebookHash(cb) };
const settings = toTeacherSettings({ baseURL: 'http://x/v1', model: 'm', apiKey: '' }, DEFAULT_PROJECT_SETTINGS.teacher);
const job = makeJob({ rows: [], version, settings });
const rows = ['a', 'b', 'c', 'd'].map((t, i) => ({ id: `r${i}`, text: t, human: null, hash: hashText(t) }));

const answer = (key: string, textHash: string, repeat: number): TeacherResponse =>
  ({ key, textHash, repeat, label: 'pos', valid: true, raw: 'pos', at: 0 }) as unknown as TeacherResponse;

/** A sorted key → response store read as listResponsesByKeyPrefix does (prefix range, after a key, a page). */
function storeOf(responses: TeacherResponse[]): { list: ListByPrefix; pages: number[] } {
  const sorted = [...responses].sort((x, y) => (x.key < y.key ? -1 : 1));
  const pages: number[] = [];
  const list: ListByPrefix = async (prefix, after, count) => {
    const page = sorted.filter((r) => r.key.startsWith(prefix) && (after === null || r.key > after)).slice(0, count);
    pages.push(page.length);
    return page;
  };
  return { list, pages };
}

describe('setupAnswers', () => {
  it('finds, page by page, exactly the stored answers a run of the setup would look up', async () => {
    const other = makeJob({ rows: [], version, settings: { ...settings, model: 'other' } });
    const mine = rows.map((r) => answer(keyOf(job, r.hash, 0, true), r.hash, 0));
    const stored = [
      ...mine,
      answer(keyOf(job, rows[0].hash, 1, true), rows[0].hash, 1), // repeat 1 is asked for too (3 repeats)
      answer(keyOf(job, rows[0].hash, 5, true), rows[0].hash, 5), // a repeat this run does not ask for
      answer(keyOf(job, rows[1].hash, 1, false), rows[1].hash, 1), // repeat 1 at the default temperature: another key
      answer(keyOf(other, rows[2].hash, 0, true), rows[2].hash, 0), // another model
    ];
    const { list, pages } = storeOf(stored);
    const found = await setupAnswers(job, true, list, 2);
    const wanted = new Set(responseKeys(makeJob({ rows, version, settings })));
    expect(found.map((r) => r.key).sort()).toEqual([...mine.map((r) => r.key), keyOf(job, rows[0].hash, 1, true)].sort());
    expect(found.every((r) => wanted.has(r.key))).toBe(true);
    expect(pages).toEqual([2, 2, 2, 1]); // 7 keys of this setup's range, 2 a page
  });
});

describe('the row scans', () => {
  it('index each row by id and list the rows with an answered text in row order, duplicates included', async () => {
    const dup = [...rows, { ...rows[1], id: 'copy' }];
    expect([...(await hashesById(dup))]).toEqual(dup.map((r) => [r.id, r.hash]));
    const items = await answeredItems(dup, new Set([rows[3].hash, rows[1].hash]));
    expect(items).toEqual([
      { rowId: 'r1', textHash: rows[1].hash },
      { rowId: 'r3', textHash: rows[3].hash },
      { rowId: 'copy', textHash: rows[1].hash },
    ]);
  });
});
