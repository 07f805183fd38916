import { describe, expect, it } from 'vitest';
import { dtypeOfFeatureKey, embeddingKey, hybridKey, parseFeatureKey } from './keys';

describe('embeddingKey', () => {
  it('is versioned and changes with every input that changes vectors', () => {
    const k = embeddingKey('Xenova/distilbert-base-uncased', 'q8', 'mean', true);
    expect(k).toMatch(/^emb-v1\|/);
    expect(
      new Set([
        k,
        embeddingKey('Xenova/distilbert-base-uncased', 'fp32', 'mean', true),
        embeddingKey('Xenova/distilbert-base-uncased', 'q8', 'mean', false),
        embeddingKey('Xenova/distilbert-base-uncased', 'q8', 'cls', true),
        embeddingKey('other', 'q8', 'mean', true),
        embeddingKey('Xenova/distilbert-base-uncased', 'q8', 'mean', true, 128),
        embeddingKey('Xenova/distilbert-base-uncased', 'q8', 'mean', true, undefined, 'query: '),
      ]).size,
    ).toBe(7);
  });

  it('keeps the layout of keys written before presets, so their vectors are still found', () => {
    expect(embeddingKey('Xenova/distilbert-base-uncased', 'q8', 'mean', true)).toBe('emb-v1|Xenova/distilbert-base-uncased|q8|mean|l2');
    expect(embeddingKey('tiny-distilbert', 'fp32', 'mean', true, 256)).toBe('emb-v1|tiny-distilbert|fp32|mean|l2|t256');
  });
});

describe('parseFeatureKey', () => {
  it('reads back every field, even a prefix or model id with separators in it', () => {
    const key = embeddingKey('odd|model%id', 'fp16', 'cls', false, 64, 'query | 100%: ');
    expect(parseFeatureKey(key)).toEqual({
      kind: 'embedding',
      modelId: 'odd|model%id',
      dtype: 'fp16',
      pooling: 'cls',
      normalize: false,
      maxTokens: 64,
      prefix: 'query | 100%: ',
    });
    expect(dtypeOfFeatureKey(key)).toBe('fp16');
  });

  it('reads TF-IDF and hybrid keys, and refuses unknown ones', () => {
    expect(parseFeatureKey('tfidf-v2|abc')).toEqual({ kind: 'tfidf', key: 'tfidf-v2|abc' });
    const emb = embeddingKey('m', 'q8', 'cls', true, undefined, 'p: ');
    const h = parseFeatureKey(hybridKey(emb, 'tfidf-v2|abc'));
    expect(h).toEqual({
      kind: 'hybrid',
      embedding: { modelId: 'm', dtype: 'q8', pooling: 'cls', normalize: true, prefix: 'p: ' },
      tfidf: 'tfidf-v2|abc',
    });
    expect(dtypeOfFeatureKey(hybridKey(emb, 'tfidf-v2|abc'))).toBe('q8');
    expect(dtypeOfFeatureKey('tfidf-v2|abc')).toBeUndefined();
    for (const bad of [
      'emb-v9|m|q8|mean|l2',
      'emb-v1|m|q3|mean|l2',
      'emb-v1|m|q8|max|l2',
      'emb-v1|m|q8|mean|l2|x',
      'hyb-v1|emb-v1|m|q8|mean|l2',
      'nonsense',
    ]) {
      expect(parseFeatureKey(bad), bad).toBeNull();
    }
  });
});
