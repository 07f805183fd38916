// Per-project settings the UI owns (stored as plain JSON on the project).
// Versioned so an old project's settings can be upgraded with defaults.

import type { SplitSizes } from '../data/types';
import type { HeadKind } from '../train/types';
import { DECISION_RULES, type DecisionRule } from '../train/decision';
import type { TeacherRunFields } from '../teacher/types';
import type { Dtype, Pooling } from '../embed/keys';
import { CUSTOM_RECIPE, DEFAULT_PRESET, presetById, presetForModel, type PresetId, type Recipe } from '../embed/presets';

export interface EncoderSettings {
  /** 'hybrid': the sentence vector beside TF-IDF columns, for the linear head. */
  kind: 'transformers' | 'tfidf' | 'hybrid';
  /**
   * A preset (its model id and recipe, embed/presets.ts) or 'custom' (modelId
   * with the recipe fields below). Settings saved before presets have none:
   * withDefaults reads them as the recipe they were embedded with.
   */
  preset?: PresetId | 'custom';
  modelId: string;
  /** The recipe of a custom model (a preset brings its own). */
  pooling?: Pooling;
  normalize?: boolean;
  prefix?: string;
  /** A mirror's `layout` (model-files.ts): 'plain' (the default) or the hub's `…/resolve/main/…`. */
  source: { kind: 'hub' } | { kind: 'url'; baseUrl: string; layout?: 'plain' | 'hub' } | { kind: 'files' };
  dtype: 'auto' | Dtype;
  device: 'auto' | 'webgpu' | 'wasm';
  /** Most texts per forward pass. */
  batchSize: number;
  /** Most padded tokens per forward pass (texts × the longest of them); batches are cut by this after sorting by length. */
  tokenBudget?: number;
  /** How vectors are stored in this browser: 'f16' takes half the space of 'f32' (the default) at half precision. */
  storage?: 'f32' | 'f16';
}

/** The teacher's run settings a project keeps: TeacherSettings' run fields, the budget as numbers, and what to label. */
export interface TeacherRunSettings extends TeacherRunFields {
  budgetTokens: number | null;
  budgetCost: number | null;
  /** How many pool texts the teacher labels for training (the paper: 1000). */
  poolN: number;
  /** 'paper': validation + test + poolN pool texts; 'all': every text. */
  scope?: 'paper' | 'all';
}

export interface ProjectSettings {
  /** 2: the 'linear' (cross-validated L-BFGS) head became the default. */
  v: 2;
  seed: number;
  splitSizes: SplitSizes;
  activeVersion: number | null;
  teacher: TeacherRunSettings;
  encoder: EncoderSettings;
  trainN: number;
  headKind: HeadKind;
  /** The linear head's decision rule, for the students Train and Compare train (saved before issue 26: the default). */
  decision: DecisionRule;
  consistencyMin: number;
}

/**
 * A preset's pooling, normalisation and prefix, without its token limit: a preset's recipe is read from the
 * preset (resolveRecipe), and a limit here would become part of the cache key of every custom model saved without one.
 */
function recipeFields({ pooling, normalize, prefix }: Recipe): Pick<Recipe, 'pooling' | 'normalize' | 'prefix'> {
  return { pooling, normalize, prefix };
}

export const DEFAULT_PROJECT_SETTINGS: ProjectSettings = {
  v: 2,
  seed: 42,
  splitSizes: { validation: 250, test: 250 },
  activeVersion: null,
  teacher: {
    repeats: 3,
    temperature: 0,
    repeatTemperature: 0.7,
    maxTokens: 20,
    concurrency: 4,
    timeoutMs: 60_000,
    maxRetries: 6,
    structured: 'auto',
    batchRepeats: 'auto',
    budgetTokens: null,
    budgetCost: null,
    poolN: 1000,
  },
  // TF-IDF first: level with the hybrid and ahead of MiniLM alone on the shared datasets, with no download
  // (bench/README "real-encoders"); choosing sentence embeddings starts on the default preset (embed/presets.ts says why).
  encoder: {
    kind: 'tfidf',
    preset: DEFAULT_PRESET,
    modelId: presetById(DEFAULT_PRESET)!.modelId,
    ...recipeFields(presetById(DEFAULT_PRESET)!.recipe),
    source: { kind: 'hub' },
    dtype: 'auto',
    device: 'auto',
    batchSize: 64,
    tokenBudget: 8192,
  },
  trainN: 1000,
  headKind: 'linear',
  decision: 'shares',
  consistencyMin: 1,
};

/** Fills in defaults for settings saved by an older version (or none). */
export function withDefaults(raw: unknown): ProjectSettings {
  const s = (raw && typeof raw === 'object' ? raw : {}) as Partial<ProjectSettings>;
  const d = DEFAULT_PROJECT_SETTINGS;
  // Before v2, 'logreg' was the default head and was saved with every choice
  // on the Train step; it meant "the default", so it moves to the new default.
  // The Adam-trained 'logreg' stays available "as in the paper".
  const headKind =
    (s.v ?? 1) < 2 && (s.headKind === undefined || (s.headKind as string) === 'logreg') ? 'linear' : (s.headKind ?? d.headKind);
  return {
    ...d,
    ...s,
    v: 2,
    headKind,
    decision: DECISION_RULES.includes(s.decision as DecisionRule) ? s.decision! : d.decision,
    splitSizes: { ...d.splitSizes, ...(s.splitSizes ?? {}) },
    teacher: { ...d.teacher, ...(s.teacher ?? {}) },
    encoder: encoderWithDefaults(s.encoder),
  };
}

/**
 * Encoder settings with defaults filled in. Settings saved before presets
 * (no `preset`) were all embedded with mean pooling, L2 and no prefix: they
 * keep that recipe, as the DistilBERT preset when that was the model, else
 * as a custom model, so their cached vectors' keys still match.
 */
export function encoderWithDefaults(raw: Partial<EncoderSettings> | undefined): EncoderSettings {
  const d = DEFAULT_PROJECT_SETTINGS.encoder;
  if (!raw) return { ...d };
  // Saved before the default became TF-IDF, a setting without a kind was embedding: it stays so.
  if (raw.kind === undefined) raw = { ...raw, kind: 'transformers' };
  if (raw.preset !== undefined) return { ...d, ...raw };
  const same = presetForModel(raw.modelId ?? '');
  const keeps = same && JSON.stringify(same.recipe) === JSON.stringify(CUSTOM_RECIPE);
  return { ...d, ...raw, preset: keeps ? same.id : 'custom', ...CUSTOM_RECIPE, tokenBudget: raw.tokenBudget ?? d.tokenBudget };
}
