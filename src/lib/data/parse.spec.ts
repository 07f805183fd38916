import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, parseFile, parseText } from './parse';
import { importError, importErrorAsync } from './testing';

const fixture = (name: string) => readFileSync(new URL(`../../../tests/fixtures/data/${name}`, import.meta.url), 'utf8');

describe('detectFormat', () => {
  it('uses the extension first', () => {
    expect(detectFormat('a.csv', 'x\ty')).toBe('csv');
    expect(detectFormat('a.TSV', '')).toBe('tsv');
    expect(detectFormat('a.ndjson', '')).toBe('jsonl');
    expect(detectFormat('a.json', '[{"a":1}]')).toBe('json');
    expect(detectFormat('a.json', '{"a":1}\n{"a":2}')).toBe('jsonl');
    expect(detectFormat('a.txt', 'one line\nanother')).toBe('txt');
  });
  it('reads tab-delimited .txt exports as TSV', () => {
    expect(detectFormat('export.txt', 'id\ttext\n1\thello')).toBe('tsv');
  });
  it('sniffs the content when the extension is unknown', () => {
    expect(detectFormat('data', '\uFEFF[{"text":"a"}]')).toBe('json');
    expect(detectFormat('data', '{"text":"a"}')).toBe('jsonl');
    expect(detectFormat('data', 'id\ttext\n')).toBe('tsv');
    expect(detectFormat('data', 'id,text\n')).toBe('csv');
    expect(detectFormat('data', 'just words')).toBe('txt');
  });
});

describe('parseText: CSV and TSV', () => {
  it('reads a header and rows, stripping a BOM', () => {
    const t = parseText('\uFEFFid,text,label\n1,hello,pos\n2,bye,neg\n', 'csv');
    expect(t.columns).toEqual(['id', 'text', 'label']);
    expect(t.rows).toEqual([
      ['1', 'hello', 'pos'],
      ['2', 'bye', 'neg'],
    ]);
  });

  it('keeps quoted commas, doubled quotes and multi-line fields', () => {
    const t = parseText('id,text\n1,"a, b"\n2,"say ""hi"""\n3,"line one\nline two"\n', 'csv');
    expect(t.rows.map((r) => r[1])).toEqual(['a, b', 'say "hi"', 'line one\nline two']);
  });

  it('handles mixed \\r\\n, \\n and \\r line endings', () => {
    const t = parseText('id,text\r\n1,a\n2,b\r3,c\r\n4,"x\r\ny"', 'csv');
    expect(t.rows).toEqual([
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
      ['4', 'x\ny'],
    ]);
  });

  it('keeps HTML and script text verbatim', () => {
    const evil = '<img src=x onerror=alert(1)><script>alert("x")</script>';
    const t = parseText(`id,text\n1,"${evil.replace(/"/g, '""')}"\n`, 'csv');
    expect(t.rows[0][1]).toBe(evil);
  });

  it('reads a 10 MB single field', () => {
    const big = 'word '.repeat(2_000_000);
    const t = parseText(`id,text\n1,"${big}"\n2,small\n`, 'csv');
    expect(t.rows[0][1].length).toBe(big.length);
    expect(t.rows[1]).toEqual(['2', 'small']);
  });

  it('skips blank lines, cleans header names, guesses ; and honours header=false', () => {
    const t = parseText('text;text; \n\na;b;c\n\n', 'csv');
    expect(t.columns).toEqual(['text', 'text_2', 'column_3']);
    expect(t.rows).toEqual([['a', 'b', 'c']]);
    const n = parseText('a,b\nc,d\n', 'csv', { header: false });
    expect(n.columns).toEqual(['column_1', 'column_2']);
    expect(n.rows).toHaveLength(2);
  });

  it('reads TSV', () => {
    const t = parseText('id\ttext\n1\thello, world\n', 'tsv');
    expect(t.rows).toEqual([['1', 'hello, world']]);
  });

  it('names the line of an unbalanced quote', () => {
    const e = importError(() => parseText('id,text\n1,ok\n2,"never closed\n3,more\n', 'csv'));
    expect(e.kind).toBe('unbalanced-quotes');
    expect(e.row).toBe(2);
    expect(e.message).toMatch(/Line 3 \(data row 2\)/);
  });

  it('rejects text after a closing quote', () => {
    const e = importError(() => parseText('id,text\n1,"a"b,c"\n', 'csv'));
    expect(e.kind).toBe('unbalanced-quotes');
    expect(e.message).toMatch(/Line 2/);
  });

  it('rejects rows with the wrong number of fields', () => {
    const e = importError(() => parseText('id,text,label\n1,a,pos\n2,b,c,pos\n', 'csv'));
    expect(e.kind).toBe('field-count');
    expect(e.message).toMatch(/Line 3 \(data row 2\) has 4 fields but the header has 3/);
  });

  it('counts lines inside multi-line fields when reporting errors', () => {
    const e = importError(() => parseText('id,text\n1,"a\nb\nc"\n2,x,y\n', 'csv'));
    expect(e.message).toMatch(/Line 5 \(data row 2\)/);
  });

  it('rejects empty files and header-only files', () => {
    expect(importError(() => parseText('', 'csv')).kind).toBe('empty');
    expect(importError(() => parseText('\uFEFF \n\n', 'csv')).kind).toBe('empty');
    expect(importError(() => parseText('id,text\n', 'csv')).message).toMatch(/header row but no data rows/);
  });

  it('rejects binary garbage', () => {
    const png = '\uFFFDPNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR';
    expect(importError(() => parseText(png, 'csv')).kind).toBe('binary');
    const noise = Array.from({ length: 500 }, (_, i) => String.fromCharCode((i * 37) % 32)).join('');
    expect(importError(() => parseText(noise, 'txt')).kind).toBe('binary');
  });

  it('reads the fixtures', () => {
    const t = parseText(fixture('tiny-sentiment.csv'), 'csv');
    expect(t.columns).toEqual(['id', 'text', 'label']);
    expect(t.rows.length).toBeGreaterThanOrEqual(55);
    expect(t.rows.some((r) => r[1].includes('<img src=x onerror="window.__xss=1">'))).toBe(true);
    expect(t.rows.some((r) => r[1].includes('\n'))).toBe(true);
    expect(new Set(t.rows.map((r) => r[2]))).toEqual(new Set(['positive', 'negative']));
    const e = importError(() => parseText(fixture('broken.csv'), 'csv'));
    expect(e.kind).toBe('unbalanced-quotes');
  });
});

describe('parseText: JSON, JSON Lines, plain text', () => {
  it('reads a JSON array with the union of keys', () => {
    const t = parseText('[{"id":1,"text":"a"},{"text":"b","label":null,"meta":{"x":1}}]', 'json');
    expect(t.columns).toEqual(['id', 'text', 'label', 'meta']);
    expect(t.rows).toEqual([
      ['1', 'a', '', ''],
      ['', 'b', '', '{"x":1}'],
    ]);
  });

  it('rejects JSON that is not an array of records', () => {
    expect(importError(() => parseText('{"a":1', 'json')).kind).toBe('bad-json');
    expect(importError(() => parseText('{"a":1}', 'json')).kind).toBe('not-tabular');
    expect(importError(() => parseText('[1,2]', 'json')).kind).toBe('not-tabular');
  });

  it('reads JSON Lines and names a bad line', () => {
    const t = parseText('{"text":"a","label":"x"}\r\n\n{"text":"b"}\n', 'jsonl');
    expect(t.columns).toEqual(['text', 'label']);
    expect(t.rows).toEqual([
      ['a', 'x'],
      ['b', ''],
    ]);
    const e = importError(() => parseText('{"text":"a"}\n{"text":"b"}\n{"text": oops}\n', 'jsonl'));
    expect(e.kind).toBe('bad-json');
    expect(e.row).toBe(3);
    expect(e.message).toMatch(/^Line 3 /);
  });

  it('reads plain text as one text per line', () => {
    const t = parseText('first\r\n\nsecond <b>bold</b>\n', 'txt');
    expect(t).toEqual({ columns: ['text'], rows: [['first'], ['second <b>bold</b>']] });
  });
});

describe('parseFile', () => {
  it('parses a Blob like parseText, reporting progress', async () => {
    const fracs: number[] = [];
    const blob = new Blob([fixture('tiny-sentiment.csv')]);
    const t = await parseFile(blob, 'tiny-sentiment.csv', (f) => fracs.push(f));
    expect(t).toEqual(parseText(fixture('tiny-sentiment.csv'), 'csv'));
    expect(fracs.at(-1)).toBe(1);
  });

  it('rejects a PNG, an empty file and non-UTF-8 bytes with clear messages', async () => {
    const png = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])]);
    const e1 = await importErrorAsync(parseFile(png, 'data.csv'));
    expect(e1.kind).toBe('binary');
    expect(e1.message).toMatch(/PNG image/);
    expect((await importErrorAsync(parseFile(new Blob([]), 'x.csv'))).kind).toBe('empty');
    const latin1 = new Blob([new Uint8Array([0x69, 0x64, 0x2c, 0x74, 0x0a, 0x31, 0x2c, 0x63, 0x61, 0x66, 0xe9, 0x0a])]);
    const e3 = await importErrorAsync(parseFile(latin1, 'x.csv'));
    expect(e3.kind).toBe('encoding');
    expect(e3.message).toMatch(/UTF-8/);
  });

  it('reads JSON Lines and TSV files', async () => {
    const j = await parseFile(new Blob(['{"text":"a"}\n{"text":"b"}\n']), 'x.jsonl');
    expect(j.rows).toEqual([['a'], ['b']]);
    const t = await parseFile(new Blob(['\uFEFFid\ttext\n1\ta\n']), 'x.tsv');
    expect(t).toEqual({ columns: ['id', 'text'], rows: [['1', 'a']] });
  });
});
