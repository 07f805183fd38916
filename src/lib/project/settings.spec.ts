import { describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT_SETTINGS, encoderWithDefaults, withDefaults } from './settings';
import { embeddingKey } from '../embed/keys';
import { resolveRecipe } from '../embed/presets';

/** The q8 key a setting's vectors are stored under (what the embedder computes, without its worker). */
const keyOf = (s: Parameters<typeof resolveRecipe>[0]) => {
  const { modelId, recipe: r } = resolveRecipe(s);
  return embeddingKey(modelId, 'q8', r.pooling, r.normalize, r.maxTokens, r.prefix);
};

describe('encoder defaults', () => {
  it('a new project starts on TF-IDF; choosing sentence embeddings starts on MiniLM with its recipe', () => {
    const enc = withDefaults(undefined).encoder;
    expect(enc).toMatchObject({
      kind: 'tfidf',
      preset: 'minilm',
      modelId: 'Xenova/all-MiniLM-L6-v2',
      pooling: 'mean',
      normalize: true,
      prefix: '',
      tokenBudget: 8192,
    });
    // The vectors' key is the recipe's alone (the kind is not part of it).
    expect(keyOf(enc)).toBe('emb-v1|Xenova/all-MiniLM-L6-v2|q8|mean|l2|t256');
  });

  it('a setting saved without a kind (before TF-IDF was the default) stays a sentence encoder', () => {
    const { kind: _k, ...saved } = {
      ...DEFAULT_PROJECT_SETTINGS.encoder,
      preset: 'bge-small' as const,
      modelId: 'Xenova/bge-small-en-v1.5',
    };
    expect(encoderWithDefaults(saved).kind).toBe('transformers');
  });

  it('settings saved before presets keep the recipe their vectors were made with', () => {
    const old = {
      kind: 'transformers',
      modelId: 'Xenova/distilbert-base-uncased',
      source: { kind: 'hub' },
      dtype: 'auto',
      device: 'wasm',
      batchSize: 16,
    } as const;
    const distil = encoderWithDefaults(old);
    expect(distil).toMatchObject({ preset: 'distilbert', pooling: 'mean', normalize: true, prefix: '', batchSize: 16, tokenBudget: 8192 });
    expect(keyOf(distil)).toBe('emb-v1|Xenova/distilbert-base-uncased|q8|mean|l2');
    // MiniLM's preset truncates at 256 tokens, which old vectors were not: it stays a custom model.
    const minilm = encoderWithDefaults({ ...old, modelId: 'Xenova/all-MiniLM-L6-v2' });
    expect(minilm.preset).toBe('custom');
    expect(keyOf(minilm)).toBe('emb-v1|Xenova/all-MiniLM-L6-v2|q8|mean|l2');
    expect(withDefaults({ v: 2, encoder: { ...old, modelId: 'tiny-distilbert' } }).encoder).toMatchObject({
      preset: 'custom',
      modelId: 'tiny-distilbert',
      pooling: 'mean',
    });
  });

  it('leaves settings saved with a preset as they are', () => {
    const e5 = {
      ...DEFAULT_PROJECT_SETTINGS.encoder,
      preset: 'e5-small',
      modelId: 'Xenova/multilingual-e5-small',
      kind: 'hybrid',
    } as const;
    expect(encoderWithDefaults(e5)).toEqual(e5);
  });
});

describe('the decision rule', () => {
  it('is saved with the project: "label like the teacher" for new and older settings, a saved choice kept, an unknown one replaced', () => {
    expect(DEFAULT_PROJECT_SETTINGS.decision).toBe('shares');
    expect(withDefaults({ v: 2, headKind: 'linear' }).decision).toBe('shares');
    expect(withDefaults({ ...DEFAULT_PROJECT_SETTINGS, decision: 'f1' }).decision).toBe('f1');
    expect(withDefaults({ ...DEFAULT_PROJECT_SETTINGS, decision: 'argmax' }).decision).toBe('argmax');
    expect(withDefaults({ ...DEFAULT_PROJECT_SETTINGS, decision: 'mystery' }).decision).toBe('shares');
  });
});
