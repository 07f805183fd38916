// Per-project settings the UI owns (stored as plain JSON on the project).
// Versioned so an old project's settings can be upgraded with defaults.

import type { SplitSizes } from '../data/types';
import type { HeadKind } from '../train/types';

export interface EncoderSettings {
  kind: 'transformers' | 'tfidf';
  modelId: string;
  source: { kind: 'hub' } | { kind: 'url'; baseUrl: string } | { kind: 'files' };
  dtype: 'auto' | 'fp32' | 'fp16' | 'q8';
  device: 'auto' | 'webgpu' | 'wasm';
  batchSize: number;
}

export interface TeacherRunSettings {
  repeats: number;
  temperature: number;
  repeatTemperature: number;
  maxTokens: number;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  structured: 'auto' | 'on' | 'off';
  batchRepeats: 'auto' | 'on' | 'off';
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
  consistencyMin: number;
}

export const DEFAULT_PROJECT_SETTINGS: ProjectSettings = {
  v: 2,
  seed: 42,
  splitSizes: { validation: 250, test: 250 },
  activeVersion: null,
  teacher: {
    repeats: 3, temperature: 0, repeatTemperature: 0.7, maxTokens: 20, concurrency: 4, timeoutMs: 60_000, maxRetries: 6,
    structured: 'auto', batchRepeats: 'auto', budgetTokens: null, budgetCost: null, poolN: 1000,
  },
  encoder: { kind: 'transformers', modelId: 'Xenova/distilbert-base-uncased', source: { kind: 'hub' }, dtype: 'auto', device: 'auto', batchSize: 16 },
  trainN: 1000,
  headKind: 'linear',
  consistencyMin: 1,
};

/** Fills in defaults for settings saved by an older version (or none). */
export function withDefaults(raw: unknown): ProjectSettings {
  const s = (raw && typeof raw === 'object' ? raw : {}) as Partial<ProjectSettings>;
  const d = DEFAULT_PROJECT_SETTINGS;
  // Before v2, 'logreg' was the default head and was saved with every choice
  // on the Train step; it meant "the default", so it moves to the new default.
  // The Adam-trained 'logreg' stays available "as in the paper".
  const headKind = (s.v ?? 1) < 2 && (s.headKind === undefined || (s.headKind as string) === 'logreg') ? 'linear' : (s.headKind ?? d.headKind);
  return {
    ...d,
    ...s,
    v: 2,
    headKind,
    splitSizes: { ...d.splitSizes, ...(s.splitSizes ?? {}) },
    teacher: { ...d.teacher, ...(s.teacher ?? {}) },
    encoder: { ...d.encoder, ...(s.encoder ?? {}) },
  };
}
