// Sentence-encoder presets: a model and the recipe it was trained for
// (pooling, normalisation, prefix), with the facts a researcher picks by.
// The student is a linear head on frozen vectors, MTEB's classification
// protocol, where sentence-embedding models beat mean-pooled language models
// of the same size (MTEB EmotionClassification: bert-base-uncased 0.34,
// all-MiniLM-L6-v2 0.41, bge-base-en 0.55). A wrong recipe quietly costs
// accuracy: BGE is trained on its [CLS] vector, E5 on mean pooling after a
// "query: " prefix.
//
// The ids, sizes, dimensions and limits below are from the models' published
// cards and the Xenova ONNX exports as remembered when this was written (no
// hub is reachable from the machines this was built on): check them against
// huggingface.co before citing them. all-MiniLM-L6-v2's are checked against
// real files (`npm run models`; the hub's q8 by its LFS pointer, 22,972,370
// bytes). Sizes are the download in MB for q8 (the wasm default) and fp32
// (the WebGPU default).
import type { Pooling } from './keys';

export type PresetId = 'bge-small' | 'minilm' | 'e5-small' | 'distilbert';

export interface Recipe {
  pooling: Pooling;
  normalize: boolean;
  /** Put before every text ('' = none). */
  prefix: string;
  /** Truncation in tokens when shorter than the tokenizer's own limit; undefined = the model's limit. */
  maxTokens?: number;
}

export interface EncoderPreset {
  id: PresetId;
  name: string;
  /** The transformers.js (ONNX) export loaded from the hub or a mirror. */
  modelId: string;
  /** The original model it was converted from. */
  upstream: string;
  recipe: Recipe;
  dim: number;
  /** The longest input it reads, in tokens. */
  maxTokens: number;
  languages: string;
  params: string;
  sizeMB: { q8: number; fp32: number };
  goodFor: string;
}

export const PRESETS: readonly EncoderPreset[] = [
  {
    id: 'bge-small',
    name: 'BGE small en v1.5',
    modelId: 'Xenova/bge-small-en-v1.5',
    upstream: 'BAAI/bge-small-en-v1.5',
    recipe: { pooling: 'cls', normalize: true, prefix: '' },
    dim: 384,
    maxTokens: 512,
    languages: 'English',
    params: '33 M',
    sizeMB: { q8: 34, fp32: 133 },
    goodFor:
      'English texts: stronger than MiniLM on MTEB classification by its card, but not verified by this project (no weights could be had)',
  },
  {
    id: 'minilm',
    name: 'all-MiniLM-L6-v2',
    modelId: 'Xenova/all-MiniLM-L6-v2',
    upstream: 'sentence-transformers/all-MiniLM-L6-v2',
    // Trained on inputs of at most 128 word pieces; sentence-transformers reads up to 256.
    recipe: { pooling: 'mean', normalize: true, prefix: '', maxTokens: 256 },
    dim: 384,
    maxTokens: 256,
    languages: 'English',
    params: '23 M',
    sizeMB: { q8: 23, fp32: 90 },
    goodFor: 'the fastest: large corpora of short English texts, or a slow machine',
  },
  {
    id: 'e5-small',
    name: 'multilingual E5 small',
    modelId: 'Xenova/multilingual-e5-small',
    upstream: 'intfloat/multilingual-e5-small',
    // E5's card: "query: " for symmetric tasks such as classification.
    recipe: { pooling: 'mean', normalize: true, prefix: 'query: ' },
    dim: 384,
    maxTokens: 512,
    languages: 'about 100 languages',
    params: '118 M',
    sizeMB: { q8: 118, fp32: 470 },
    goodFor: 'non-English or mixed-language corpora (most of its size is a 250k-token vocabulary)',
  },
  {
    id: 'distilbert',
    name: 'DistilBERT base uncased',
    modelId: 'Xenova/distilbert-base-uncased',
    upstream: 'distilbert/distilbert-base-uncased',
    // Normalised as before presets existed, so vectors cached then are reused.
    recipe: { pooling: 'mean', normalize: true, prefix: '' },
    dim: 768,
    maxTokens: 512,
    languages: 'English',
    params: '66 M',
    sizeMB: { q8: 67, fp32: 268 },
    goodFor: 'as in the paper, which fine-tuned it; frozen, it is the weakest choice per MB',
  },
];

export const DEFAULT_PRESET: PresetId = 'minilm';

/** Why the default is the default, one click from the encoder panel. */
export const DEFAULT_REASON =
  'It is the one preset this project has run on its real weights: loaded through both the mirror and the folder path, its vectors ' +
  "checked against sentence-transformers', and its students measured on seven labelled research datasets. There, frozen MiniLM " +
  'vectors trailed TF-IDF under the same linear head (median −0.06 macro F1 and −0.12 κ over 14 dataset × label-source pairs, ' +
  '5 seeds), and the hybrid was level with TF-IDF; so new projects start on TF-IDF, and a sentence encoder is worth its download ' +
  'only when the Compare step shows it beating TF-IDF on your own test set. BGE small and multilingual E5 small are stronger on ' +
  "MTEB's classification tasks by their cards, but unverified here; E5 is the choice for texts not in English. DistilBERT stays " +
  "available as the paper's model (the paper fine-tuned it, which a browser student does not).";

/** The recipe used by a custom model unless the researcher changes it (the only recipe before presets). */
export const CUSTOM_RECIPE: Recipe = { pooling: 'mean', normalize: true, prefix: '' };

export function presetById(id: string | undefined): EncoderPreset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** The preset whose model this is, if any (matching the export's id or the upstream one). */
export function presetForModel(modelId: string): EncoderPreset | undefined {
  const m = modelId.trim().toLowerCase();
  return PRESETS.find((p) => p.modelId.toLowerCase() === m || p.upstream.toLowerCase() === m);
}

/** What an encoder setting says about the model: a preset, or 'custom' with its own recipe fields. */
export interface RecipeChoice {
  /** Absent in settings saved before presets: those were custom with the custom recipe. */
  preset?: PresetId | 'custom';
  modelId: string;
  pooling?: Pooling;
  normalize?: boolean;
  prefix?: string;
  maxTokens?: number;
}

/** The model and recipe a setting resolves to. A preset's recipe wins over stored fields; a custom one fills gaps from CUSTOM_RECIPE. */
export function resolveRecipe(c: RecipeChoice): { modelId: string; recipe: Recipe; preset: EncoderPreset | null } {
  const preset = c.preset && c.preset !== 'custom' ? presetById(c.preset) : undefined;
  if (preset) return { modelId: c.modelId.trim() || preset.modelId, recipe: { ...preset.recipe }, preset };
  const recipe: Recipe = {
    pooling: c.pooling ?? CUSTOM_RECIPE.pooling,
    normalize: c.normalize ?? CUSTOM_RECIPE.normalize,
    prefix: c.prefix ?? CUSTOM_RECIPE.prefix,
  };
  if (c.maxTokens !== undefined) recipe.maxTokens = c.maxTokens;
  return { modelId: c.modelId.trim(), recipe, preset: null };
}

/** The recipe in words: "CLS pooling, L2-normalised", "mean pooling, prefix "query: ", L2-normalised". */
export function recipeText(r: Recipe): string {
  const parts = [r.pooling === 'cls' ? 'CLS pooling' : 'mean pooling'];
  if (r.prefix) parts.push(`prefix "${r.prefix}"`);
  if (r.maxTokens !== undefined) parts.push(`at most ${r.maxTokens} tokens`);
  parts.push(r.normalize ? 'L2-normalised' : 'not normalised');
  return parts.join(', ');
}

/**
 * The encoder as the methods paragraph names it, e.g. "Xenova/bge-small-en-v1.5
 * (BGE small en v1.5; CLS pooling, L2-normalised)", with the TF-IDF block
 * named for the hybrid.
 */
export function encoderText(c: RecipeChoice & { kind: 'transformers' | 'tfidf' | 'hybrid' }): string {
  if (c.kind === 'tfidf') return 'TF-IDF features';
  const { modelId, recipe, preset } = resolveRecipe(c);
  const base = `${modelId} (${preset ? `${preset.name}; ` : ''}${recipeText(recipe)})`;
  if (c.kind !== 'hybrid') return base;
  return (
    `${base} concatenated with TF-IDF word 1–2-gram and character 3–5-gram features fitted on the training pool, ` +
    "the sentence vector's weight beside them chosen by cross-validation"
  );
}
