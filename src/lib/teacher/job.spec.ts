import { describe, expect, it } from 'vitest';
import { hashText } from '../data/hash';
import type { DataRow, Splits } from '../data/types';
import { codebookHash } from '../codebook/codebook';
import type { CodebookVersion } from '../codebook/types';
import { labels, reviewCodebook } from '../codebook/testing';
import { responseKeys } from './tasks';
import { DEFAULT_PROJECT_SETTINGS } from '../project/settings';
import { formatDuration, formatUsd } from './format';
import { makeJob, scopeIds, setupKey, toTeacherSettings } from './job';

const row = (id: string, text: string, human: string | null): DataRow => ({ id, text, human, hash: hashText(text) });
const rows: DataRow[] = Array.from({ length: 40 }, (_, i) => row(`r${i}`, `text ${i}`, i < 30 ? (i % 3 === 0 ? 'neg' : 'pos') : null));
const splits: Splits = { seed: 1, validation: ['r0', 'r1', 'r2'], test: ['r3', 'r4', 'r5'], pool: rows.slice(6).map((r) => r.id) };
const cb = reviewCodebook({
  task: 'Sentiment',
  instructions: '',
  labels: labels({ pos: 'good', neg: 'bad' }),
  positive: 'pos',
  examples: [],
});
const version: CodebookVersion = { version: 1, createdAt: 0, codebook: cb, hash: codebookHash(cb) };
const run = DEFAULT_PROJECT_SETTINGS.teacher;
const settings = toTeacherSettings({ baseURL: 'http://x/v1/', model: 'm', apiKey: 'k' }, { ...run, budgetTokens: 100, budgetCost: null });

describe('scopeIds', () => {
  it('takes validation, then test, then a seeded sample of poolN pool texts', () => {
    const ids = scopeIds(rows, splits, { scope: 'paper', poolN: 10, seed: 7 });
    expect(ids.slice(0, 6)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    expect(ids).toHaveLength(16);
    const pool = ids.slice(6);
    expect(pool.every((id) => splits.pool.includes(id))).toBe(true);
    expect(scopeIds(rows, splits, { scope: 'paper', poolN: 10, seed: 7 })).toEqual(ids);
    expect(scopeIds(rows, splits, { scope: 'paper', poolN: 10, seed: 8 })).not.toEqual(ids);
  });

  it('stratifies the pool sample by human label, unlabeled rows included', () => {
    const pool = scopeIds(rows, splits, { scope: 'paper', poolN: 17, seed: 3 }).slice(6);
    const of = (id: string) => rows.find((r) => r.id === id)!.human;
    // pool: 24 labeled (16 pos, 8 neg) + 10 unlabeled of 34 → 17 is half of each.
    expect(pool.filter((id) => of(id) === 'pos')).toHaveLength(8);
    expect(pool.filter((id) => of(id) === 'neg')).toHaveLength(4);
    expect(pool.filter((id) => of(id) === null)).toHaveLength(5);
  });

  it('uses the rows by id and the pool the caller holds, with the same result', () => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const pool = splits.pool.map((id) => byId.get(id)!);
    const o = { scope: 'paper' as const, poolN: 10, seed: 7 };
    expect(scopeIds(rows, splits, o, { byId, pool })).toEqual(scopeIds(rows, splits, o));
    expect(scopeIds(rows, splits, o, { byId, pool: pool.slice(0, 4) }).slice(6)).toEqual(splits.pool.slice(0, 4));
  });

  it('labels everything with scope all or a poolN over the pool size', () => {
    expect(scopeIds(rows, splits, { scope: 'all', poolN: 0, seed: 1 })).toHaveLength(40);
    expect(new Set(scopeIds(rows, splits, { scope: 'paper', poolN: 1000, seed: 1 })).size).toBe(40);
    expect(scopeIds(rows, null, { scope: 'paper', poolN: 5, seed: 1 })).toHaveLength(5);
  });
});

describe('makeJob', () => {
  it('asks each distinct text once and uses the codebook prompt', () => {
    const dup = [...rows.slice(0, 3), row('copy', 'text 1', null)];
    const job = makeJob({ rows: dup, version, settings, projectId: 'p' });
    expect(job.items.map((i) => i.rowId)).toEqual(['r0', 'r1', 'r2']);
    expect(job.prompt?.system).toContain('# Labels');
    expect(job.prompt?.user?.('a </text> b')).toBe('Classify the text between the <text> tags.\n<text>\na </text_> b\n</text>');
    expect(job.codebookHash).toBe(version.hash);
    expect(responseKeys(job)).toHaveLength(9);
  });

  it('maps run settings, dropping empty budgets', () => {
    expect(settings.budget).toEqual({ maxTokens: 100 });
    expect(settings.baseURL).toBe('http://x/v1/');
    expect(settings.repeats).toBe(3);
  });
});

describe('setupKey', () => {
  it('changes with what changes the answers, not with the key or the budget', () => {
    const k = setupKey('p', version, settings, true);
    expect(setupKey('p', version, { ...settings, apiKey: 'other', budget: {} }, true)).toBe(k);
    expect(setupKey('p', version, { ...settings, baseURL: 'http://x/v1' }, true)).toBe(k);
    expect(setupKey('p', version, { ...settings, model: 'n' }, true)).not.toBe(k);
    expect(setupKey('p', version, { ...settings, repeats: 5 }, true)).not.toBe(k);
    expect(setupKey('p', version, settings, false)).not.toBe(k);
  });
});

describe('formatting', () => {
  it('reads well', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
    expect(formatDuration(7_500_000)).toBe('2 h 5 min');
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(0.0012)).toBe('$0.0012');
    expect(formatUsd(3.456)).toBe('$3.46');
  });
});

describe('toTeacherSettings: the reasoning extras', () => {
  it('defaults them for older projects and keeps what the user set', () => {
    expect(settings).toMatchObject({ reasoningMaxTokens: 4096, reasoningEffort: 'low' });
    const mine = toTeacherSettings(
      { baseURL: 'x', model: 'm', apiKey: '' },
      { ...run, reasoningMaxTokens: 8000.7, reasoningEffort: 'minimal' },
    );
    expect(mine).toMatchObject({ reasoningMaxTokens: 8000, reasoningEffort: 'minimal' });
    const odd = toTeacherSettings(
      { baseURL: 'x', model: 'm', apiKey: '' },
      { ...run, reasoningMaxTokens: 0, reasoningEffort: 'max' as never },
    );
    expect(odd).toMatchObject({ reasoningMaxTokens: 1, reasoningEffort: 'low' });
  });
});
