import { describe, expect, it } from 'vitest';
import { assertCsr, concatRows, type CsrMatrix } from '../train/matrix';
import {
  deserializeTfidf,
  fitTfidf,
  fitTfidfSliced,
  serializeTfidf,
  TFIDF_DEFAULTS,
  TFIDF_MAX_FIT_TEXTS,
  TfidfError,
  tfidfColumn,
  tfidfFeatures,
  transformTfidf,
  transformTfidfChunks,
  transformTfidfSparse,
  type TfidfModel,
} from './tfidf';
import { CORPUS, NAMES, ROWS, SKLEARN_VERSION } from './tfidf-sklearn-ref';
import { addTerm, findTerm, newTermTable, termTableOf } from './tfidf-table';
import { Slicer } from '../store/yield';

const TRAIN = [
  'Great movie, great acting.',
  'Terrible movie, awful acting.',
  'A great story and great music.',
  'An awful story and terrible music.',
  "I didn't like the movie.",
];

/** Row r of a CSR matrix as column → value. */
function row(x: CsrMatrix, r: number): Map<number, number> {
  const out = new Map<number, number>();
  for (let k = x.indptr[r]; k < x.indptr[r + 1]; k++) out.set(x.indices[k], x.values[k]);
  return out;
}

/** Sum of squares of row r over columns [from, to). */
function sq(x: CsrMatrix, r: number, from = 0, to = x.cols): number {
  let s = 0;
  for (const [c, v] of row(x, r)) if (c >= from && c < to) s += v * v;
  return s;
}

describe('tfidfFeatures', () => {
  it('makes lower-case word uni/bigrams and padded character n-grams', () => {
    const f = tfidfFeatures('Great MOVIE', { ...TFIDF_DEFAULTS, charNgrams: [3, 3] });
    expect(f).toEqual([
      'w:great',
      'w:movie',
      'w:great movie',
      'c: gr',
      'c:gre',
      'c:rea',
      'c:eat',
      'c:at ',
      'c: mo',
      'c:mov',
      'c:ovi',
      'c:vie',
      'c:ie ',
    ]);
  });

  it("tokenises words like scikit-learn's token_pattern: 2+ letters, digits or underscores", () => {
    const words = (t: string) => tfidfFeatures(t, { ...TFIDF_DEFAULTS, wordNgrams: [1, 1], charNgrams: null });
    expect(words("I didn't see story_line 2, 10/10")).toEqual(['w:didn', 'w:see', 'w:story_line', 'w:10', 'w:10']);
  });

  it('takes char_wb n-grams per whitespace-separated word, a short word once, an emoji as one character', () => {
    const chars = (t: string, r: [number, number]) => tfidfFeatures(t, { ...TFIDF_DEFAULTS, wordNgrams: [9, 9], charNgrams: r });
    expect(chars('a', [3, 5])).toEqual(['c: a ']);
    expect(chars('ab', [3, 5])).toEqual(['c: ab', 'c:ab ', 'c: ab ']);
    expect(chars('  hi,\t\n\u00a0😀 ', [2, 3])).toEqual([
      'c: h',
      'c:hi',
      'c:i,',
      'c:, ',
      'c: hi',
      'c:hi,',
      'c:i, ',
      'c: 😀',
      'c:😀 ',
      'c: 😀 ',
    ]);
    expect(chars('   ', [3, 5])).toEqual([]);
  });

  it('applies NFKC before lower-casing (scikit-learn does not)', () => {
    expect(tfidfFeatures('ＦＵＬＬ ﬁne', { ...TFIDF_DEFAULTS, charNgrams: null })).toEqual(['w:full', 'w:fine', 'w:full fine']);
  });
});

describe('term table', () => {
  it('finds terms by a range of another string, across growth, and only exact matches', () => {
    const t = newTermTable(4);
    const words = Array.from({ length: 5000 }, (_, i) => 'w' + i.toString(36));
    words.forEach((w, i) => expect(addTerm(t, `<${w}>`, 1, w.length + 1)).toBe(i));
    expect(addTerm(t, 'w0', 0, 2)).toBe(0);
    expect(t.terms.length).toBe(5000);
    words.forEach((w, i) => expect(findTerm(t, `..${w}`, 2, w.length + 2)).toBe(i));
    expect([findTerm(t, 'w', 0, 1), findTerm(t, 'w00', 0, 3), findTerm(t, '', 0, 0)]).toEqual([-1, -1, -1]);
    expect(findTerm(termTableOf(['', 'a']), 'xa', 2, 2)).toBe(0);
    expect(() => termTableOf(['a', 'b', 'a'])).toThrow(/Duplicate/);
  });
});

describe('fitTfidf / transformTfidfSparse', () => {
  it(`matches scikit-learn ${SKLEARN_VERSION} (FeatureUnion of word 1–2 and char_wb 3–5 TfidfVectorizers, ×1/√2)`, () => {
    const m = fitTfidf(CORPUS);
    expect(m.vocab).toEqual(NAMES);
    expect(NAMES.map((f) => tfidfColumn(m, f))).toEqual(NAMES.map((_, i) => i));
    expect([tfidfColumn(m, 'w:nope'), tfidfColumn(m, 'x:great'), tfidfColumn(m, 'great')]).toEqual([-1, -1, -1]);
    expect(m.blocks.map((b) => [b.kind, b.offset, b.terms.length])).toEqual([
      ['w', 0, 6],
      ['c', 6, NAMES.length - 6],
    ]);
    const x = transformTfidfSparse(m, CORPUS);
    ROWS.forEach((ref, r) => {
      expect(Array.from(x.indices.subarray(x.indptr[r], x.indptr[r + 1]))).toEqual(ref.map(([c]) => c));
      ref.forEach(([_c, v], k) => expect(Math.abs(x.values[x.indptr[r] + k] - v)).toBeLessThan(1e-5));
    });
  });

  it('fits the same model in slices, pausing between them (fitTfidfSliced, for the page)', async () => {
    const texts = Array.from({ length: 300 }, (_, i) => `${CORPUS[i % CORPUS.length]} ${i % 7}`);
    let pauses = 0;
    const sliced = await fitTfidfSliced(texts, {}, new Slicer(async () => void pauses++, 0));
    expect(sliced).toEqual(fitTfidf(texts));
    expect(pauses).toBeGreaterThanOrEqual(Math.floor((3 * texts.length) / 64) - 1); // preprocess + two blocks, one clock read per 64 texts
    await expect(fitTfidfSliced(['a', 'b'])).rejects.toThrow(TfidfError);
  });

  it('normalises the word and character blocks separately (hand-computed)', () => {
    // Every term has df 2 of 2 texts, so idf = ln(3/3) + 1 = 1.
    const m = fitTfidf(['aa bb', 'aa bb'], { charNgrams: [3, 3], minDf: 1 });
    expect(m.vocab).toEqual(['w:aa', 'w:aa bb', 'w:bb', 'c: aa', 'c: bb', 'c:aa ', 'c:bb ']);
    const x = transformTfidfSparse(m, ['aa bb', 'aa aa', 'xaa', 'zz']);
    assertCsr(x);
    const s6 = 1 / Math.sqrt(6);
    const s8 = 1 / Math.sqrt(8);
    const close = (r: number, want: number[]) =>
      expect([...row(x, r).values()].map((v) => +v.toFixed(6))).toEqual(want.map((v) => +v.toFixed(6)));
    close(0, [s6, s6, s6, s8, s8, s8, s8]); // 3 word terms at 1/√3, 4 char terms at 1/2, all × 1/√2
    expect([...row(x, 1).keys()]).toEqual([0, 3, 5]); // 'aa aa' is not a known bigram
    close(1, [Math.SQRT1_2, 0.5, 0.5]); // tf 2 everywhere: each block's lone/equal terms, × 1/√2
    expect([...row(x, 2)]).toEqual([[5, 1]]); // only 'aa ' known: one block present, no 1/√2
    expect(x.indptr[4] - x.indptr[3]).toBe(0); // nothing known: empty row
    for (const r of [0, 1]) {
      expect(sq(x, r, 0, 3)).toBeCloseTo(0.5, 6);
      expect(sq(x, r, 3)).toBeCloseTo(0.5, 6);
    }
  });

  it('gives valid CSR rows of unit norm that the dense and chunked transforms agree with', () => {
    const m = fitTfidf(TRAIN);
    const texts = [...TRAIN, 'great acting', 'nothing known here', ''];
    const x = transformTfidfSparse(m, texts);
    assertCsr(x);
    expect([x.rows, x.cols]).toEqual([texts.length, m.dim]);
    for (let r = 0; r < x.rows; r++) {
      const idx = x.indices.subarray(x.indptr[r], x.indptr[r + 1]);
      expect(idx.every((c, k) => k === 0 || c > idx[k - 1])).toBe(true);
      if (idx.length > 0) expect(sq(x, r)).toBeCloseTo(1, 5);
    }
    const d = transformTfidf(m, texts);
    expect(d.length).toBe(texts.length * m.dim);
    for (let r = 0; r < x.rows; r++) for (const [c, v] of row(x, r)) expect(d[r * m.dim + c]).toBe(v);
    expect(d.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0)).toBe(x.indices.length);

    const chunks = [...transformTfidfChunks(m, texts, 3)];
    expect(chunks.map((c) => c.rows)).toEqual([3, 3, 2]);
    expect(concatRows(chunks)).toEqual(x);
    expect(() => [...transformTfidfChunks(m, texts, 0)]).toThrow(TfidfError);
  });

  it('keeps terms in at least minDf texts, per block, and caps each block only when asked', () => {
    const m = fitTfidf(TRAIN, { charNgrams: null });
    expect(m.vocab).toEqual(['w:acting', 'w:and', 'w:awful', 'w:great', 'w:movie', 'w:music', 'w:story', 'w:story and', 'w:terrible']);
    expect(Array.from(m.blocks[0].df)).toEqual([2, 2, 2, 2, 3, 2, 2, 2, 2]);
    expect(fitTfidf(TRAIN, { charNgrams: null, minDf: 1 }).vocab).toContain('w:didn');
    // maxFeatures: the highest document frequencies (movie 3, then ties by name), columns still sorted.
    const capped = fitTfidf(TRAIN, { maxFeatures: 2 });
    expect(capped.vocab.slice(0, 2)).toEqual(['w:acting', 'w:movie']);
    expect(capped.blocks.map((b) => b.terms.length)).toEqual([2, 2]);
    expect(fitTfidf(TRAIN).vocab).toEqual(fitTfidf([...TRAIN].reverse()).vocab);
  });

  it('has no feature cap by default', () => {
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const word = (i: number) => 'w' + i.toString(36) + 'x';
    const texts = Array.from({ length: 1500 }, () => Array.from({ length: 12 }, () => word(rand(3000))).join(' '));
    const m = fitTfidf(texts);
    expect(m.dim).toBeGreaterThan(4096);
    expect(m.vocab.length).toBe(m.dim);
  });

  it('learns from the training texts only and dampens repeats with sublinear tf', () => {
    const m = fitTfidf(TRAIN, { minDf: 1, charNgrams: null });
    expect(m.vocab).not.toContain('w:brilliant');
    const x = transformTfidf(m, ['brilliant superb', 'great brilliant']);
    expect(x.subarray(0, m.dim).every((v) => v === 0)).toBe(true);
    expect(x[m.dim + tfidfColumn(m, 'w:great')]).toBeCloseTo(1, 6);

    const lin = fitTfidf(TRAIN, { charNgrams: null, minDf: 1, sublinearTf: false });
    const ratio = (k: TfidfModel) => {
      const y = transformTfidf(k, ['great great great great movie']);
      return y[tfidfColumn(k, 'w:great')] / y[tfidfColumn(k, 'w:movie')];
    };
    expect(ratio(m)).toBeLessThan(ratio(lin));
  });

  it('explains an empty vocabulary, bad options and too many texts', () => {
    expect(() => fitTfidf(['one text only'], { minDf: 2 })).toThrow(TfidfError);
    expect(() => fitTfidf(TRAIN, { wordNgrams: [2, 1] })).toThrow(/n-gram ranges/);
    expect(() => fitTfidf(TRAIN, { maxFeatures: 0 })).toThrow(/maxFeatures/);
    const many = new Array<string>(TFIDF_MAX_FIT_TEXTS + 1).fill('a text');
    expect(() => fitTfidf(many)).toThrow(/at most 100,000 training texts.*Sample fewer training texts, or use a sentence encoder/);
  });
});

describe('serializeTfidf / deserializeTfidf', () => {
  it('round-trips both blocks to a model that transforms identically', () => {
    const m = fitTfidf(TRAIN, { minDf: 1 });
    const back = deserializeTfidf(serializeTfidf(m));
    expect(back.vocab).toEqual(m.vocab);
    expect(back.opts).toEqual(m.opts);
    expect(back.blocks.map((b) => [b.kind, b.offset, b.terms.length])).toEqual(m.blocks.map((b) => [b.kind, b.offset, b.terms.length]));
    expect(transformTfidfSparse(back, TRAIN)).toEqual(transformTfidfSparse(m, TRAIN));
    const words = fitTfidf(TRAIN, { charNgrams: null });
    expect(deserializeTfidf(serializeTfidf(words)).vocab).toEqual(words.vocab);
  });

  it('rejects other JSON, and v1 models, with a TfidfError', () => {
    expect(() => deserializeTfidf('not json')).toThrow(TfidfError);
    expect(() => deserializeTfidf('null')).toThrow(/unknown format/);
    expect(() => deserializeTfidf('{"format":"other"}')).toThrow(/unknown format/);
    const v1 = { format: 'surrogate-tfidf', version: 1, opts: { ...TFIDF_DEFAULTS, maxFeatures: 4096 }, vocab: ['w:a'], idf: [1] };
    expect(() => deserializeTfidf(JSON.stringify(v1))).toThrow(/older version.*refit/);
    const broken = JSON.parse(serializeTfidf(fitTfidf(TRAIN)));
    broken.blocks[1].df.pop();
    expect(() => deserializeTfidf(JSON.stringify(broken))).toThrow(/damaged/);
    broken.blocks.pop();
    expect(() => deserializeTfidf(JSON.stringify(broken))).toThrow(/damaged/);
  });
});
