import { describe, expect, it } from 'vitest';
import { DelimitedReader } from './delimited';
import { ImportError } from './errors';
import { parseFile, parseText } from './parse';
import { mulberry32 } from './rng';

// Feed `content` in random-sized pieces with tiny batches, so every kind of
// boundary (inside quotes, between \r and \n, inside "") gets crossed.
function readInPieces(content: string, seed: number, batchChars: number) {
  const rand = mulberry32(seed);
  const reader = new DelimitedReader({ header: true, delimiter: ',', fallback: ',', batchChars });
  for (let i = 0; i < content.length;) {
    const n = 1 + Math.floor(rand() * 9);
    reader.push(content.slice(i, i + n));
    i += n;
  }
  return reader.end();
}

const tricky =
  'id,text,label\r\n' +
  '1,"a, ""quoted"" word",pos\r\n' +
  '2,"multi\r\nline\rfield\n""end""",neg\n' +
  '3,plain,pos\r' +
  '4,"",neg\r\n' +
  '\r\n' +
  '5,"<script>alert(""x"")</script>",pos\n' +
  '6,last,neg';

describe('DelimitedReader across batch boundaries', () => {
  it('gives the same table however the text is cut', () => {
    const whole = parseText(tricky, 'csv');
    expect(whole.rows).toHaveLength(6);
    expect(whole.rows[1][1]).toBe('multi\nline\nfield\n"end"');
    for (let seed = 1; seed <= 30; seed++) {
      for (const batch of [1, 5, 17]) expect(readInPieces(tricky, seed, batch)).toEqual(whole);
    }
  });

  it('reports the same line for an error however the text is cut', () => {
    const bad = 'id,text\n1,"a\nb"\n2,ok\n3,"oops\n4,x\n';
    for (let seed = 1; seed <= 10; seed++) {
      let err: unknown;
      try {
        readInPieces(bad, seed, 4);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ImportError);
      expect((err as ImportError).message).toMatch(/^Line 5 \(data row 3\)/);
    }
  });
});

describe('parseFile streaming', () => {
  it('parses 100,000 rows from a Blob in batches', async () => {
    const parts: string[] = ['id,text,label\r\n'];
    for (let i = 0; i < 100_000; i++) {
      const text = i % 1000 === 0 ? `"row ${i}, with ""quotes""\nand a second line"` : `row ${i} text`;
      parts.push(`${i},${text},${i % 3 === 0 ? 'a' : 'b'}\r\n`);
    }
    const fracs: number[] = [];
    const table = await parseFile(new Blob([parts.join('')]), 'big.csv', (f) => fracs.push(f));
    expect(table.columns).toEqual(['id', 'text', 'label']);
    expect(table.rows).toHaveLength(100_000);
    expect(table.rows[0]).toEqual(['0', 'row 0, with "quotes"\nand a second line', 'a']);
    expect(table.rows[99_999]).toEqual(['99999', 'row 99999 text', 'a']);
    expect(table.rows[54_322]).toEqual(['54322', 'row 54322 text', 'b']);
    expect(fracs.length).toBeGreaterThan(1);
    expect(fracs.every((f, i) => i === 0 || f >= fracs[i - 1])).toBe(true);
    expect(fracs.at(-1)).toBe(1);
  });

  it('decodes multi-byte characters split across read slices (1 MiB)', async () => {
    const head = 'id,text\n1,"';
    const pad = 'a'.repeat((1 << 20) - head.length - 2); // the emoji's 4 bytes straddle the boundary
    const table = await parseFile(new Blob([`${head}${pad}😀 café"\n`]), 'u.csv');
    expect(table.rows[0][1]).toBe(`${pad}😀 café`);
  });
});
