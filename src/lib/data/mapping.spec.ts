import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashText } from './hash';
import { applyMapping, guessMapping, labelValuesNotIn, rawLabelValues } from './mapping';
import { parseText } from './parse';
import type { RawTable } from './types';
import { importError } from './testing';

const table = (columns: string[], rows: string[][]): RawTable => ({ columns, rows });

describe('guessMapping', () => {
  it('finds columns by name', () => {
    expect(guessMapping(table(['ID', 'Tweet Text', 'Class'], []))).toEqual({ text: 'Tweet Text', id: 'ID', label: 'Class' });
    expect(guessMapping(table(['doc_id', 'body', 'code'], []))).toEqual({ text: 'body', id: 'doc_id', label: 'code' });
  });

  it('falls back to the longest column for text and null for missing roles', () => {
    const t = table(
      ['a', 'b'],
      [
        ['x', 'a much longer piece of writing'],
        ['y', 'another long sentence here'],
      ],
    );
    expect(guessMapping(t)).toEqual({ text: 'b', id: null, label: null });
  });

  it('maps the fixture', () => {
    const t = parseText(readFileSync(new URL('../../../tests/fixtures/data/tiny-sentiment.csv', import.meta.url), 'utf8'), 'csv');
    expect(guessMapping(t)).toEqual({ text: 'text', id: 'id', label: 'label' });
  });
});

describe('applyMapping', () => {
  const t = table(
    ['id', 'text', 'label'],
    [
      ['a', '  Hello <b>there</b> ', '1'],
      ['b', '', '0'],
      ['c', 'Hello <b>there</b>', '0'],
      ['d', 'unlabeled one', ''],
      ['e', 'odd label', '9'],
    ],
  );

  it('builds rows, trims texts, reports empties, duplicates and label values', () => {
    const { rows, report } = applyMapping(
      t,
      { text: 'text', id: 'id', label: 'label' },
      { labelMap: { '1': 'pos', '0': 'neg', '9': null }, maxChars: 15 },
    );
    expect(rows.map((r) => [r.id, r.text, r.human])).toEqual([
      ['a', 'Hello <b>there</b>', 'pos'],
      ['c', 'Hello <b>there</b>', 'neg'],
      ['d', 'unlabeled one', null],
      ['e', 'odd label', null],
    ]);
    expect(rows[0].hash).toBe(hashText('Hello <b>there</b>'));
    expect(report).toEqual({
      rows: 5,
      imported: 4,
      emptyTexts: { count: 1, rows: [2] },
      duplicateTexts: { count: 1, rows: [3] },
      labelValues: { '1': 1, '0': 1, '9': 1 },
      unlabeled: 2,
      excludedLabels: 1,
      tooLong: 2,
      longTexts: {
        count: 2,
        rows: [
          { row: 1, chars: 18 },
          { row: 3, chars: 18 },
        ],
      },
      truncated: { count: 0, rows: [] },
      labelFlags: [],
    });
  });

  it('passes unmapped label values through and generates ids without an id column', () => {
    const { rows } = applyMapping(t, { text: 'text', id: null, label: 'label' });
    expect(rows.map((r) => r.id)).toEqual(['row-1', 'row-3', 'row-4', 'row-5']);
    expect(rows.map((r) => r.human)).toEqual(['1', '0', null, '9']);
  });

  it('caps listed row numbers but counts them all', () => {
    const many = table(['text'], Array.from({ length: 120 }, () => ['']).concat([['x']]));
    const { report } = applyMapping(many, { text: 'text', id: null, label: null });
    expect(report.emptyTexts.count).toBe(120);
    expect(report.emptyTexts.rows).toHaveLength(50);
    expect(report.emptyTexts.rows[0]).toBe(1);
  });

  it('throws on duplicate or empty ids, unknown columns and all-empty texts', () => {
    const dup = table(
      ['id', 'text'],
      [
        ['1', 'a'],
        ['2', 'b'],
        ['1', 'c'],
      ],
    );
    const e = importError(() => applyMapping(dup, { text: 'text', id: 'id', label: null }));
    expect(e.kind).toBe('duplicate-id');
    expect(e.message).toMatch(/rows 1 and 3/);
    expect(importError(() => applyMapping(table(['id', 'text'], [[' ', 'a']]), { text: 'text', id: 'id', label: null })).kind).toBe(
      'missing-id',
    );
    expect(importError(() => applyMapping(dup, { text: 'body', id: null, label: null })).kind).toBe('no-text-column');
    expect(importError(() => applyMapping(dup, { text: 'text', id: null, label: 'lab' })).kind).toBe('unknown-column');
    expect(importError(() => applyMapping(table(['text'], [[''], [' ']]), { text: 'text', id: null, label: null })).kind).toBe('empty');
  });
});

describe('label value helpers', () => {
  it('lists values outside the codebook', () => {
    expect(labelValuesNotIn(['pos', 'x', null, '', 'b', 'x'], ['pos', 'neg'])).toEqual(['b', 'x']);
    expect(labelValuesNotIn([{ human: 'neg' }, { human: 'maybe' }, { human: null }], ['pos', 'neg'])).toEqual(['maybe']);
    const t = table(
      ['text', 'label'],
      [
        ['a', ' 1 '],
        ['b', '0'],
        ['c', ''],
        ['d', '1'],
      ],
    );
    expect(rawLabelValues(t, 'label')).toEqual(['0', '1']);
  });
});

describe('long texts', () => {
  const big = 'x'.repeat(250_000);
  const t = table(['text'], [['short'], [big], ['🙂'.repeat(10)]]);

  it('names rows over the length threshold with their size', () => {
    const { report } = applyMapping(t, { text: 'text', id: null, label: null }, { maxChars: 2000 });
    expect(report.longTexts).toEqual({ count: 1, rows: [{ row: 2, chars: 250_000 }] });
  });

  it('cuts texts to the character limit, recording the length before, never halving a surrogate pair', () => {
    const { rows, report } = applyMapping(t, { text: 'text', id: null, label: null }, { limitChars: 5 });
    expect(rows.map((r) => r.text)).toEqual(['short', 'xxxxx', '🙂🙂']);
    expect(rows.map((r) => r.truncatedFrom)).toEqual([undefined, 250_000, 20]);
    expect(rows[1].hash).toBe(hashText('xxxxx'));
    expect(report.truncated).toEqual({
      count: 2,
      rows: [
        { row: 2, chars: 250_000 },
        { row: 3, chars: 20 },
      ],
    });
  });
});

describe('texts that are not there', () => {
  it('counts a text of only zero-width and direction marks as empty', () => {
    const { rows, report } = applyMapping(table(['text'], [['\u200b\u200f \u2060'], ['real']]), { text: 'text', id: null, label: null });
    expect(rows.map((r) => r.text)).toEqual(['real']);
    expect(report.emptyTexts).toEqual({ count: 1, rows: [1] });
  });
});
