// Hostile files: stray NULs and control characters, UTF-16 from Excel,
// Latin-1 bytes, binary dumps and one repeated character. Each rule is about
// shares and positions, so these cases stand for families of files.
import { describe, expect, it } from 'vitest';
import { cleanCell, cleanTable, cleanTableSliced } from './clean';
import { Slicer } from '../store/yield';
import { firstInvalidUtf8, sniffEncoding } from './decode';
import { ImportError } from './errors';
import { parseFile, parseText } from './parse';
import { importErrorAsync as importError } from './testing';

const utf8 = (s: string) => new TextEncoder().encode(s);
function utf16(s: string, le: boolean, bom: boolean): Uint8Array {
  const out = new Uint8Array((s.length + (bom ? 1 : 0)) * 2);
  let o = 0;
  const put = (c: number) => {
    out[o++] = le ? c & 0xff : c >> 8;
    out[o++] = le ? c >> 8 : c & 0xff;
  };
  if (bom) put(0xfeff);
  for (let i = 0; i < s.length; i++) put(s.charCodeAt(i));
  return out;
}
const blob = (b: Uint8Array) => new Blob([b as BlobPart]);

const SCRAPED = [
  'id,text,label',
  '1,"مرحبا بالعالم — هذا نص عربي",pos',
  '2,"שלום עולם",neg',
  '3,"family 👨‍👩‍👧‍👦 and flags 🇩🇪, zero\u200bwidth, joiner\u200d here",pos',
  '4,"a NUL\u0000inside and a bell\u0007",neg',
  '5,"plain",pos',
].join('\n');

describe('text with stray characters imports', () => {
  it('keeps RTL scripts, emoji and zero-width joiners; removes NUL and other controls, naming the rows', async () => {
    const t = await parseFile(blob(utf8(SCRAPED)), 'scraped.csv');
    expect(t.rows).toHaveLength(5);
    expect(t.rows[0][1]).toBe('مرحبا بالعالم — هذا نص عربي');
    expect(t.rows[2][1]).toContain('👨‍👩‍👧‍👦');
    expect(t.rows[2][1]).toContain('zero\u200bwidth');
    expect(t.rows[3][1]).toBe('a NULinside and a bell');
    expect(t.cleaned).toEqual({ count: 1, rows: [4] });
    expect(t.strayChars).toBe(2);
  });

  it('does not call a text file binary for a few NULs, only for a share of control bytes', () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i},"text number ${i}${i % 50 === 0 ? '\u0000' : ''}"`);
    expect(() => sniffEncoding(utf8(`id,text\n${rows.join('\n')}`))).not.toThrow();
    const dump = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    expect(() => sniffEncoding(dump)).toThrow(/binary data \(\d+% of its first/);
    expect(() => sniffEncoding(new Uint8Array(1000))).toThrow(ImportError);
    expect(() => sniffEncoding(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1]))).toThrow(/program/);
  });

  it('turns spreadsheet line breaks into newlines and unpaired surrogates into U+FFFD', () => {
    expect(cleanCell('a\u000bb\u000cc\u0085d').text).toBe('a\nb\nc\nd');
    expect(cleanCell('x\ud800y').text).toBe('x\ufffdy');
    expect(cleanCell('ok 😀').removed).toBe(0);
    const t = cleanTable({ columns: ['te\u0000xt'], rows: [['fine'], ['b\u0001ad']] });
    expect(t.columns).toEqual(['text']);
    expect(t.cleaned?.rows).toEqual([0, 2]);
  });

  it('cleans a table in slices exactly as in one pass', async () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => [i % 7 === 0 ? `row\u0000${i}` : `row ${i}`, i % 11 === 0 ? 'x\ud800' : 'y']);
    let pauses = 0;
    const sliced = await cleanTableSliced({ columns: ['text', 'label'], rows }, new Slicer(async () => void pauses++, 0));
    expect(sliced).toEqual(cleanTable({ columns: ['text', 'label'], rows }));
    expect(sliced.cleaned?.count).toBe(221); // rows with i divisible by 7 or by 11
    expect(pauses).toBeGreaterThan(10);
    const clean = { columns: ['text'], rows: [['fine']] };
    expect(await cleanTableSliced(clean)).toBe(clean);
  });

  it('cleans pasted text and JSON the same way', () => {
    const j = parseText('[{"text":"a\\u0000b"},{"text":"fine"}]', 'json');
    expect(j.rows[0][0]).toBe('ab');
    expect(j.cleaned?.rows).toEqual([1]);
  });
});

describe('UTF-16', () => {
  const content = 'id\ttext\tlabel\r\n1\tCafé crème ☕\tpos\r\n2\t日本語のテキスト\tneg\r\n';
  for (const le of [true, false]) {
    const name = le ? 'UTF-16LE' : 'UTF-16BE';
    it(`decodes ${name} with a byte-order mark (Excel's "Unicode text")`, async () => {
      const t = await parseFile(blob(utf16(content, le, true)), 'export.txt');
      expect(t.columns).toEqual(['id', 'text', 'label']);
      expect(t.rows).toEqual([
        ['1', 'Café crème ☕', 'pos'],
        ['2', '日本語のテキスト', 'neg'],
      ]);
      expect(t.encodingNote).toContain(name);
    });
    it(`recognises ${name} without a byte-order mark`, async () => {
      const t = await parseFile(blob(utf16(content, le, false)), 'export.tsv');
      expect(t.rows[0][1]).toBe('Café crème ☕');
      expect(t.encodingNote).toMatch(/no byte-order mark/);
    });
  }

  it('reads a UTF-16 file larger than one read slice', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `${i}\ttexte numéro ${i} ✓`);
    const t = await parseFile(blob(utf16(`id\ttext\n${rows.join('\n')}\n`, true, true)), 'big.txt');
    expect(t.rows).toHaveLength(40_000);
    expect(t.rows[39_999]).toEqual(['39999', 'texte numéro 39999 ✓']);
  });

  it('refuses UTF-32 by name', async () => {
    const e = await importError(parseFile(blob(new Uint8Array([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0])), 'x.txt'));
    expect(e.kind).toBe('encoding');
    expect(e.message).toMatch(/UTF-32/);
  });
});

describe('non-UTF-8 bytes', () => {
  it('names the byte, its line and the Windows-1252 character', async () => {
    const bytes = new Uint8Array([...utf8('id,text\n1,fine\n2,caf'), 0xe9, ...utf8(' au lait\n')]);
    const e = await importError(parseFile(blob(bytes), 'latin1.csv'));
    expect(e.kind).toBe('encoding');
    expect(e.message).toContain('byte 21 (line 3) is 0xE9');
    expect(e.message).toContain('"é"');
    expect(e.message).not.toMatch(/position 0/);
  });

  it('finds a bad byte past the first read slice, counting lines across slices', async () => {
    const good = 'x,y\n' + 'ok,ünïcödé\n'.repeat(120_000);
    const bytes = new Uint8Array([...utf8(good), 0x80, 0x0a]);
    const e = await importError(parseFile(blob(bytes), 'late.csv'));
    expect(e.message).toContain(`byte ${(utf8(good).length + 1).toLocaleString('en')} (line 120,002)`);
  });

  it('validates UTF-8 as the standard says', () => {
    expect(firstInvalidUtf8(utf8('plain ✓ 😀'))).toBe(-1);
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0xc0, 0x80]))).toBe(1); // overlong
    expect(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toBe(0); // surrogate
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0xe2, 0x82]), 0, false)).toBe(-1); // continues in the next slice
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0xe2, 0x82]), 0, true)).toBe(1);
  });
});

describe('files with no texts in them', () => {
  it('says a file is one repeated character instead of "header row but no data rows"', async () => {
    const e = await importError(parseFile(blob(utf8('a'.repeat(100_000))), 'aaaa.csv'));
    expect(e.kind).toBe('empty');
    expect(e.message).toBe('The file holds nothing but the character "a", repeated 100,000 times: there are no texts in it to import.');
    const commas = await importError(parseFile(blob(utf8(',,,,,,\n,,,,,,\n')), 'x.csv'));
    expect(commas.message).toMatch(/character ",", repeated 12 times/);
    expect(() => parseText('xxxxxxxx', 'txt')).toThrow(/nothing but the character "x"/);
  });

  it('names the header of a header-only file', async () => {
    const e = await importError(parseFile(blob(utf8('id,text,label\n')), 'h.csv'));
    expect(e.message).toBe('The file has a header row but no data rows: its only row (3 columns: id, text, label) is read as the header.');
  });

  it('calls a file of only blank lines empty', async () => {
    expect((await importError(parseFile(blob(utf8('\n\n   \n')), 'b.csv'))).kind).toBe('empty');
  });
});

describe('more shapes of real files', () => {
  it('drops the empty cells spreadsheets pad rows with, but still refuses a real extra field', () => {
    const t = parseText('id,text,label\n1,hello,pos,,\n2,bye,neg\n', 'csv');
    expect(t.rows).toEqual([
      ['1', 'hello', 'pos'],
      ['2', 'bye', 'neg'],
    ]);
    expect(() => parseText('id,text\n1,hello,world\n', 'csv')).toThrow(/has 3 fields but the header has 2/);
  });

  it('skips header rows repeated by pasting files together, naming their lines', () => {
    const t = parseText('id,text\n1,a\n\uFEFFid, text\n2,b\nid,text\n3,c\n', 'csv');
    expect(t.rows.map((r) => r[0])).toEqual(['1', '2', '3']);
    expect(t.repeatedHeaders).toEqual({ count: 2, rows: [3, 5] });
  });

  it('refuses a table too wide to map, instead of listing a million columns', () => {
    expect(() => parseText(`${'x,'.repeat(20_000)}x\n${'1,'.repeat(20_000)}1\n`, 'csv')).toThrow(
      /20,001 fields; the app reads tables of up to 10,000 columns/,
    );
  });

  it('reads JSON rows as arrays and a records array wrapped in an object', () => {
    expect(parseText('[["id","text"],[1,"a"],[2,"b"]]', 'json')).toEqual({
      columns: ['id', 'text'],
      rows: [
        ['1', 'a'],
        ['2', 'b'],
      ],
    });
    expect(parseText('{"meta":{"n":2},"data":[{"text":"a"},{"text":"b"}]}', 'json').rows).toEqual([['a'], ['b']]);
    expect(() => parseText('[["id","text"],[1]]', 'json')).toThrow(/Item 2 of the JSON array has 1 fields but the first has 2/);
    expect(() => parseText('{"a":[1],"b":[2]}', 'json')).toThrow(/array of records/);
  });
});

describe('reading a Latin-1 file on request', () => {
  it('decodes Windows-1252 when asked, and says so', async () => {
    // (Node decodes 0x80–0x9F as Latin-1, browsers as Windows-1252: this test keeps to bytes both agree on.)
    const bytes = new Uint8Array([...utf8('id,text\n1,caf'), 0xe9, 0x20, 0xe0, 0x20, 0xfc, 0x0a]);
    const t = await parseFile(blob(bytes), 'l.csv', undefined, { encoding: 'windows-1252' });
    expect(t.rows).toEqual([['1', 'café à ü']]);
    expect(t.encodingNote).toBe('Read as Windows-1252 (Latin-1), as chosen.');
  });
});

describe('JSON Lines joined end to end', () => {
  it('ignores a byte-order mark at the start of a line', () => {
    expect(parseText('{"text":"a"}\n\uFEFF{"text":"b"}\n', 'jsonl').rows).toEqual([['a'], ['b']]);
  });
});

describe('NUL padding', () => {
  it('skips a trailing line of NULs in CSV and JSON Lines', async () => {
    const pad = '\u0000'.repeat(40);
    const rows = Array.from({ length: 60 }, (_, i) => `${i},text number ${i}`).join('\n');
    const t = await parseFile(blob(utf8(`id,text\n${rows}\n${pad}`)), 'p.csv');
    expect(t.rows).toHaveLength(60);
    const lines = Array.from({ length: 60 }, (_, i) => `{"text":"t${i}"}`).join('\n');
    expect((await parseFile(blob(utf8(`${lines}\n${pad}\n`)), 'p.jsonl')).rows).toHaveLength(60);
  });
});

describe('tab-separated .txt exports', () => {
  it('are TSV even when a quoted field holds a line break', async () => {
    const tsv = 'id\ttext\tlabel\r\n1\t"first line\r\nsecond line"\tpos\r\n2\tplain\tneg\r\n3\tmore\tpos\r\n';
    const t = await parseFile(blob(utf16(tsv, true, true)), 'Unicode Text.txt');
    expect(t.columns).toEqual(['id', 'text', 'label']);
    expect(t.rows[0][1]).toBe('first line\nsecond line');
  });
});
