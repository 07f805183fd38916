import { describe, expect, it } from 'vitest';
import { validateCodebook } from '../codebook/codebook';
import { ImportError } from './errors';
import { EXAMPLES, loadExample, type FetchLike } from './example';
import { applyMapping, guessMapping } from './mapping';

// A fake network: URL → body (or an HTTP status).
function fakeFetch(files: Record<string, string | number>): FetchLike & { calls: string[] } {
  const calls: string[] = [];
  const f = async (url: string) => {
    calls.push(url);
    const body = files[url];
    if (body === undefined) throw new TypeError('Failed to fetch');
    if (typeof body === 'number') return { ok: false, status: body, text: async () => '' };
    return { ok: true, status: 200, text: async () => body };
  };
  return Object.assign(f, { calls });
}

const ex = EXAMPLES[0];

describe('EXAMPLES', () => {
  it('points at TweetEval hate files and carries a valid codebook', () => {
    for (const e of EXAMPLES) {
      expect(e.textUrl).toMatch(
        /^https:\/\/raw\.githubusercontent\.com\/cardiffnlp\/tweeteval\/main\/datasets\/hate\/(train|val|test)_text\.txt$/,
      );
      expect(e.labelUrl).toBe(e.textUrl.replace('_text.txt', '_labels.txt'));
      expect(validateCodebook(e.codebook)).toEqual([]);
      expect(Object.values(e.labelNames).sort()).toEqual(e.codebook.labels.map((l) => l.name).sort());
      expect(e.citation).toMatch(/SemEval-2019 Task 5/);
    }
    expect(new Set(EXAMPLES.map((e) => e.id)).size).toBe(EXAMPLES.length);
  });
});

describe('loadExample', () => {
  const texts = '@user first tweet \n"He said ""rescue"" today" \n<script>x</script> third\n';
  const labels = '0\n1\n0\n';

  it('pairs line i of the texts with line i of the labels', async () => {
    const fetch = fakeFetch({ [ex.textUrl]: texts, [ex.labelUrl]: labels });
    const t = await loadExample(ex, fetch);
    expect(fetch.calls.sort()).toEqual([ex.labelUrl, ex.textUrl].sort());
    expect(t).toEqual({
      columns: ['id', 'text', 'label'],
      rows: [
        [`${ex.id}-1`, '@user first tweet', 'not-hate'],
        [`${ex.id}-2`, 'He said "rescue" today', 'hate'],
        [`${ex.id}-3`, '<script>x</script> third', 'not-hate'],
      ],
    });
    const { rows } = applyMapping(t, guessMapping(t));
    expect(rows.map((r) => r.human)).toEqual(['not-hate', 'hate', 'not-hate']);
  });

  it('honours a limit and CRLF files', async () => {
    const fetch = fakeFetch({ [ex.textUrl]: texts.replace(/\n/g, '\r\n'), [ex.labelUrl]: labels.replace(/\n/g, '\r\n') });
    const t = await loadExample(ex, fetch, 2);
    expect(t.rows.map((r) => r[2])).toEqual(['not-hate', 'hate']);
  });

  it('fails clearly on HTTP errors, network errors, mismatched files and unknown labels', async () => {
    const cases: [Record<string, string | number>, RegExp][] = [
      [{ [ex.textUrl]: 404, [ex.labelUrl]: labels }, /HTTP 404/],
      [{ [ex.labelUrl]: labels }, /Could not download .*Failed to fetch/],
      [{ [ex.textUrl]: texts, [ex.labelUrl]: '0\n1\n' }, /3 texts but 2 labels/],
      [{ [ex.textUrl]: texts, [ex.labelUrl]: '0\n7\n0\n' }, /Line 2 of the label file has the unknown value "7"/],
    ];
    for (const [files, message] of cases) {
      const err = await loadExample(ex, fakeFetch(files)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImportError);
      expect((err as ImportError).message).toMatch(message);
    }
  });
});
