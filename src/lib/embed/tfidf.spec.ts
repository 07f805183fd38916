import { describe, expect, it } from 'vitest';
import { deserializeTfidf, fitTfidf, serializeTfidf, TfidfError, tfidfFeatures, transformTfidf, TFIDF_DEFAULTS } from './tfidf';

const TRAIN = [
  'Great movie, great acting.',
  'Terrible movie, awful acting.',
  'A great story and great music.',
  'An awful story and terrible music.',
  "I didn't like the movie.",
];

function norms(m: Float32Array, d: number): number[] {
  return Array.from({ length: m.length / d }, (_, i) => Math.hypot(...m.subarray(i * d, (i + 1) * d)));
}

describe('tfidfFeatures', () => {
  it('makes lower-case word uni/bigrams and padded character n-grams', () => {
    const f = tfidfFeatures('Great MOVIE', { ...TFIDF_DEFAULTS, charNgrams: [3, 3] });
    expect(f).toEqual(['w:great', 'w:movie', 'w:great movie', 'c: gr', 'c:gre', 'c:rea', 'c:eat', 'c:at ', 'c: mo', 'c:mov', 'c:ovi', 'c:vie', 'c:ie ']);
    expect(tfidfFeatures("didn't", { ...TFIDF_DEFAULTS, charNgrams: null })).toEqual(["w:didn't"]);
  });
});

describe('fitTfidf / transformTfidf', () => {
  it('orders the vocabulary by document frequency, then name, and respects minDf and maxFeatures', () => {
    const m = fitTfidf(TRAIN, { charNgrams: null, minDf: 2 });
    expect(m.vocab.slice(0, 3)).toEqual(['w:movie', 'w:acting', 'w:and']);
    expect(m.vocab).not.toContain('w:didn\'t'); // df 1 < minDf
    expect(fitTfidf(TRAIN, { charNgrams: null, maxFeatures: 2 }).vocab).toEqual(['w:movie', 'w:acting']);
    expect(fitTfidf(TRAIN).vocab).toEqual(fitTfidf([...TRAIN]).vocab);
  });

  it('learns its vocabulary from the training texts only and ignores unseen words', () => {
    const m = fitTfidf(TRAIN, { minDf: 1, charNgrams: null });
    expect(m.vocab).not.toContain('w:brilliant');
    const x = transformTfidf(m, ['brilliant superb', 'great brilliant']);
    expect(Array.from(x.subarray(0, m.vocab.length)).every((v) => v === 0)).toBe(true);
    const great = m.index.get('w:great')!;
    expect(x[m.vocab.length + great]).toBeCloseTo(1, 6); // the only known feature of row 2
  });

  it('gives dense rows of unit L2 norm with rarer features weighted higher', () => {
    const m = fitTfidf(TRAIN);
    const d = m.vocab.length;
    expect(d).toBeLessThanOrEqual(4096);
    const x = transformTfidf(m, TRAIN);
    expect(x.length).toBe(TRAIN.length * d);
    norms(x, d).forEach((n) => expect(n).toBeCloseTo(1, 5));
    expect(m.idf[m.index.get('w:movie')!]).toBeLessThan(m.idf[m.index.get('w:great')!]);
  });

  it('dampens repeated words with sublinear tf', () => {
    const opts = { charNgrams: null, minDf: 1 } as const;
    const lin = fitTfidf(TRAIN, { ...opts, sublinearTf: false });
    const sub = fitTfidf(TRAIN, opts);
    const ratio = (m: typeof lin) => {
      const x = transformTfidf(m, ['great great great great movie']);
      return x[m.index.get('w:great')!] / x[m.index.get('w:movie')!];
    };
    expect(ratio(sub)).toBeLessThan(ratio(lin));
  });

  it('explains an empty vocabulary and bad options', () => {
    expect(() => fitTfidf(['one text only'], { minDf: 2 })).toThrow(TfidfError);
    expect(() => fitTfidf(TRAIN, { wordNgrams: [2, 1] })).toThrow(/n-gram ranges/);
  });
});

describe('serializeTfidf / deserializeTfidf', () => {
  it('round-trips to a model that transforms identically', () => {
    const m = fitTfidf(TRAIN, { minDf: 1 });
    const back = deserializeTfidf(serializeTfidf(m));
    expect(back.vocab).toEqual(m.vocab);
    expect(back.opts).toEqual(m.opts);
    expect(Array.from(transformTfidf(back, TRAIN))).toEqual(Array.from(transformTfidf(m, TRAIN)));
  });

  it('rejects other JSON with a TfidfError', () => {
    expect(() => deserializeTfidf('not json')).toThrow(TfidfError);
    expect(() => deserializeTfidf('{"format":"other"}')).toThrow(/unknown format/);
    const broken = JSON.parse(serializeTfidf(fitTfidf(TRAIN)));
    broken.idf.pop();
    expect(() => deserializeTfidf(JSON.stringify(broken))).toThrow(/damaged/);
  });
});
