import { describe, expect, it } from 'vitest';
import { columnKinds, describeColumns, requireTextColumns, valueKind } from './columns';
import { ImportError } from './errors';
import { applyMapping, guessMapping } from './mapping';
import type { RawTable } from './types';

describe('column kinds', () => {
  it('tells numbers, dates, booleans and missing markers from text', () => {
    for (const v of ['42', '-3.5', '1,234,567', '12%', '$9.99', '1e-5', '3,5']) expect(valueKind(v)).toBe('number');
    for (const v of ['2024-01-31', '31/01/2024', '2024-01-31T12:00:00Z', '12:30']) expect(valueKind(v)).toBe('date');
    for (const v of ['true', 'No', 'y']) expect(valueKind(v)).toBe('boolean');
    for (const v of ['', '  ', 'NA', 'n/a', 'null', '-']) expect(valueKind(v)).toBe('empty');
    for (const v of ['hello', '😀😀', 'positive', 'No way!', 'a'.repeat(10_000_000)]) expect(valueKind(v)).toBe('text');
  });

  it('calls a column text when a fifth of its values are text', () => {
    const t: RawTable = {
      columns: ['n', 'mixed', 'none'],
      rows: Array.from({ length: 10 }, (_, i) => [String(i), i < 2 ? 'words here' : String(i), '']),
    };
    expect(columnKinds(t)).toEqual(['number', 'text', 'empty']);
  });
});

describe('a file without a text column', () => {
  const numeric: RawTable = {
    columns: ['text', 'score', 'when', 'blank'],
    rows: Array.from({ length: 50 }, (_, i) => [String(i), `${i}.5`, '2024-01-01', '']),
  };

  it('is refused with every column and its kind, even when one is named "text"', () => {
    let err: unknown;
    try {
      guessMapping(numeric);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).kind).toBe('no-text-column');
    expect((err as ImportError).message).toBe(
      'No column holds text: all 4 columns hold numbers, dates, true/false values or nothing — text (numbers), score (numbers), when (dates), blank (empty). Import a file with a column of the texts to classify.',
    );
  });

  it('summarises 5,000 numeric columns instead of picking the first', () => {
    const columns = Array.from({ length: 5000 }, (_, i) => `c${i}`);
    const wide: RawTable = { columns, rows: Array.from({ length: 20 }, (_, r) => columns.map((_, c) => String(r * c))) };
    expect(() => requireTextColumns(wide)).toThrow(/all 5,000 columns .* and 4,988 more \(4,988 numbers\)/);
    expect(describeColumns(['a', 'b'], ['number', 'empty'])).toBe('a (numbers), b (empty)');
  });

  it('takes the text column among text columns only, wherever it is', () => {
    const columns = Array.from({ length: 300 }, (_, i) => `x${i}`);
    columns[250] = 'words';
    const rows = Array.from({ length: 30 }, (_, r) => columns.map((c, i) => (i === 250 ? `post number ${r}` : String(r + i))));
    expect(guessMapping({ columns, rows }).text).toBe('words');
  });

  it('still maps a numeric column the user picks by hand', () => {
    const { rows } = applyMapping(numeric, { text: 'score', id: null, label: null });
    expect(rows[0].text).toBe('0.5');
  });
});
