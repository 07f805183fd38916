import { describe, expect, it } from 'vitest';
import { CUSTOM_RECIPE, DEFAULT_PRESET, encoderText, PRESETS, presetForModel, recipeText, resolveRecipe } from './presets';
import { dtypeChoices, fallbackDtype } from './device';

describe('presets', () => {
  it('each carries the facts the panel shows, and the default is MiniLM, the one verified on real weights', () => {
    expect(PRESETS.map((p) => p.id)).toEqual(['bge-small', 'minilm', 'e5-small', 'distilbert']);
    for (const p of PRESETS) {
      expect(p.dim).toBeGreaterThan(0);
      expect(p.maxTokens).toBeGreaterThan(0);
      expect(p.sizeMB.q8).toBeLessThan(p.sizeMB.fp32);
      expect(p.goodFor.length).toBeGreaterThan(10);
    }
    expect(DEFAULT_PRESET).toBe('minilm');
  });

  it('resolves the recipes of the issue: BGE CLS, MiniLM mean, E5 mean with "query: ", all normalised', () => {
    const r = (id: string) => resolveRecipe({ preset: id as never, modelId: '' });
    expect(r('bge-small')).toMatchObject({ modelId: 'Xenova/bge-small-en-v1.5', recipe: { pooling: 'cls', normalize: true, prefix: '' } });
    expect(r('minilm').recipe).toEqual({ pooling: 'mean', normalize: true, prefix: '', maxTokens: 256 });
    expect(r('e5-small').recipe).toEqual({ pooling: 'mean', normalize: true, prefix: 'query: ' });
    expect(r('distilbert')).toMatchObject({ modelId: 'Xenova/distilbert-base-uncased', recipe: { pooling: 'mean', normalize: true } });
  });

  it("a preset's recipe wins over stored fields; custom and old settings use their own (or the old default)", () => {
    expect(resolveRecipe({ preset: 'bge-small', modelId: 'Xenova/bge-small-en-v1.5', pooling: 'mean', prefix: 'x' }).recipe.pooling).toBe(
      'cls',
    );
    expect(resolveRecipe({ preset: 'custom', modelId: ' mine ', pooling: 'cls', normalize: false, prefix: 'q: ' })).toEqual({
      modelId: 'mine',
      recipe: { pooling: 'cls', normalize: false, prefix: 'q: ' },
      preset: null,
    });
    expect(resolveRecipe({ modelId: 'saved-before-presets' }).recipe).toEqual(CUSTOM_RECIPE);
    expect(presetForModel('BAAI/bge-small-en-v1.5')?.id).toBe('bge-small');
    expect(presetForModel('tiny-distilbert')).toBeUndefined();
  });

  it('names the model and its recipe for the methods paragraph', () => {
    expect(encoderText({ kind: 'transformers', preset: 'e5-small', modelId: 'Xenova/multilingual-e5-small' })).toBe(
      'Xenova/multilingual-e5-small (multilingual E5 small; mean pooling, prefix "query: ", L2-normalised)',
    );
    expect(encoderText({ kind: 'hybrid', preset: 'custom', modelId: 'm', pooling: 'cls', normalize: false })).toMatch(
      /^m \(CLS pooling, not normalised\) concatenated with TF-IDF .* chosen by cross-validation$/,
    );
    expect(encoderText({ kind: 'tfidf', modelId: 'x' })).toBe('TF-IDF features');
    expect(recipeText({ pooling: 'mean', normalize: true, prefix: '', maxTokens: 256 })).toBe(
      'mean pooling, at most 256 tokens, L2-normalised',
    );
  });
});

describe('precision per device', () => {
  it('offers fp16 on WebGPU only with shader-f16, and falls back to the device default, then fp32', () => {
    const f16 = (gpu: { available: boolean; shaderF16: boolean }) => dtypeChoices('webgpu', gpu).find((c) => c.dtype === 'fp16')!;
    expect(f16({ available: true, shaderF16: true }).ok).toBe(true);
    expect(f16({ available: true, shaderF16: false })).toMatchObject({ ok: false, note: expect.stringMatching(/shader-f16/) });
    expect(dtypeChoices('wasm', { available: false, shaderF16: false }).every((c) => c.ok)).toBe(true);
    expect([
      fallbackDtype('webgpu', 'fp16'),
      fallbackDtype('webgpu', 'fp32'),
      fallbackDtype('wasm', 'q4'),
      fallbackDtype('wasm', 'q8'),
    ]).toEqual(['fp32', null, 'q8', 'fp32']);
  });
});
