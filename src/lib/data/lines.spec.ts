import { describe, expect, it } from 'vitest';
import { fileLines, type FileLine } from './lines';

async function all(blob: Blob, max = 100): Promise<FileLine[]> {
  const out: FileLine[] = [];
  for await (const l of fileLines(blob, max)) out.push(l);
  return out;
}

describe('fileLines', () => {
  it('numbers every line, blank ones included, with or without a last newline or \\r', async () => {
    expect(await all(new Blob(['a\r\n\nb']))).toEqual([
      { n: 1, text: 'a' },
      { n: 2, text: '' },
      { n: 3, text: 'b' },
    ]);
    expect(await all(new Blob(['a\n']))).toEqual([{ n: 1, text: 'a' }]);
    expect(await all(new Blob([]))).toEqual([]);
  });

  it('a line over the limit is not kept, only its number and length', async () => {
    expect(await all(new Blob(['ok\n', 'x'.repeat(250), '\nend']), 100)).toEqual([
      { n: 1, text: 'ok' },
      { n: 2, tooLong: 250 },
      { n: 3, text: 'end' },
    ]);
  });

  it('lines and multi-byte characters across slices of 4 MiB', async () => {
    const long = 'é'.repeat(3 * 2 ** 20); // 6 MiB of UTF-8: crosses a slice mid-character
    const got = await all(new Blob([long, '\nz']), 4 * 2 ** 20);
    expect(got).toEqual([
      { n: 1, text: long },
      { n: 2, text: 'z' },
    ]);
  });
});
