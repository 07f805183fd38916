// Benchmark `real-encoders`: the app's student on a real pretrained encoder.
// For each dataset × seed the training rows are planned exactly as `parity`
// plans them (paperSplits → planExperiment, the recorded LLM answer as the
// teacher label); the student (searchLinear, the app's default head) is
// trained on the LLM labels and on the human labels with three feature sets —
// TF-IDF fitted on the training pool, the encoder's sentence vectors (the
// app's own loadEncoder on the exported ONNX file, the preset's recipe), and
// the hybrid of the two as the embedder builds it — and scored on the human
// test split beside the recorded teacher. bench/python/real_encoders.py fits
// the Python peers on the same rows.
import { env } from '@huggingface/transformers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataRow } from '../../src/lib/data/types';
import { loadEncoder, resetEncoder, type Dtype } from '../../src/lib/embed/embed';
import { presetById, type PresetId } from '../../src/lib/embed/presets';
import { fitTfidf, transformTfidfSparse } from '../../src/lib/embed/tfidf';
import { computeMetrics, type Metrics } from '../../src/lib/eval/metrics';
import { predictLinear } from '../../src/lib/train/linear';
import { searchLinear } from '../../src/lib/train/linear-search';
import { dense, hybrid, type FeatureMatrix } from '../../src/lib/train/matrix';
import { argmaxRows } from '../../src/lib/train/metrics';
import type { ReplayDataset } from './datasets';
import type { ParitySplit } from './parity';

/** The figures every row of the table carries. */
export interface Scores {
  f1: number;
  macroF1: number;
  accuracy: number;
  kappa: number | null;
  positiveRate: number;
  /** Test rows without a valid prediction (the teacher's unparseable answers). */
  abstained: number;
}

export interface EncodedDataset {
  modelId: string;
  dtype: Dtype;
  dim: number;
  /** row id → its sentence vector (the preset's recipe: pooling, prefix, L2). */
  vectors: Map<string, Float32Array>;
  loadMs: number;
  embedMs: number;
  /** Real (unpadded) tokens embedded. */
  tokens: number;
}

export interface StudentResult extends Scores {
  key: string;
  dataset: string;
  seed: number;
  source: 'llm' | 'human';
  /** 'tfidf', the encoder's feature id (e.g. 'minilm-q8') or 'hybrid-<encoder>'. */
  features: string;
  trainN: number;
  testN: number;
  C: number;
  classWeight: string;
  scale: number | null;
  calibrated: boolean;
  ms: number;
}

export interface TeacherResult extends Scores {
  key: string;
  dataset: string;
  seed: number;
  testN: number;
  truePositiveRate: number;
}

export function scoresOf(m: Metrics): Scores {
  return {
    f1: m.f1 ?? 0,
    macroF1: m.macroF1,
    accuracy: m.accuracy,
    kappa: m.kappa,
    positiveRate: m.predictedPositiveRate ?? 0,
    abstained: m.abstained,
  };
}

/**
 * Embeds every row of `d` once with the preset's recipe through the app's
 * loadEncoder on device 'cpu' (onnxruntime-node), from `<modelsDir>/hub/<modelId>`.
 */
export async function encodeDataset(o: { modelsDir: string; preset: PresetId; dtype: Dtype; d: ReplayDataset }): Promise<EncodedDataset> {
  const preset = presetById(o.preset);
  if (!preset) throw new Error(`Unknown preset ${o.preset}`);
  const cache = mkdtempSync(join(tmpdir(), 'bench-tjs-'));
  env.cacheDir = cache; // transformers.js caches on disk in Node; a throwaway dir keeps the repo clean
  try {
    const t0 = performance.now();
    const enc = await loadEncoder({
      modelId: preset.modelId,
      source: { kind: 'local', path: join(o.modelsDir, 'hub') },
      device: 'cpu',
      dtype: o.dtype,
    });
    const loadMs = performance.now() - t0;
    const t1 = performance.now();
    const { recipe } = preset;
    const run = await enc.run(
      o.d.rows.map((r) => r.text),
      { pooling: recipe.pooling, normalize: recipe.normalize, prefix: recipe.prefix, maxTokens: recipe.maxTokens },
    );
    const embedMs = performance.now() - t1;
    const vectors = new Map<string, Float32Array>();
    o.d.rows.forEach((r, i) => vectors.set(r.id, run.vectors.subarray(i * enc.dim, (i + 1) * enc.dim)));
    return { modelId: preset.modelId, dtype: o.dtype, dim: enc.dim, vectors, loadMs, embedMs, tokens: run.stats.realTokens };
  } finally {
    await resetEncoder();
    rmSync(cache, { recursive: true, force: true });
  }
}

/** The recorded teacher on the split's human test rows (an unparseable answer counts as an abstention). */
export function teacherScores(split: ParitySplit, d: ReplayDataset): TeacherResult {
  const byId = new Map(d.rows.map((r) => [r.id, r]));
  const yTrue = split.testIds.map((id) => split.labelNames.indexOf(byId.get(id)!.human!));
  const yPred = split.testIds.map((id) => split.labelNames.indexOf(d.recorded.get(id) ?? '')); // −1 = abstained
  const m = computeMetrics(yTrue, yPred, split.labelNames.length, split.labelNames.indexOf(split.positive));
  return {
    key: `${split.dataset}|${split.seed}`,
    dataset: split.dataset,
    seed: split.seed,
    testN: split.testIds.length,
    truePositiveRate: m.truePositiveRate ?? 0,
    ...scoresOf(m),
  };
}

/** The app's student on each training set × feature set of the split. */
export async function studentsOnFeatures(
  split: ParitySplit,
  d: ReplayDataset,
  encoders: { id: string; enc: EncodedDataset; hybrid: boolean }[],
): Promise<StudentResult[]> {
  const byId = new Map(d.rows.map((r) => [r.id, r]));
  const rowsOf = (ids: string[]): DataRow[] => ids.map((id) => byId.get(id)!);
  const nClasses = split.labelNames.length;
  const positive = split.labelNames.indexOf(split.positive);
  // TF-IDF is fitted on the training pool only, as the app's embedder does (also the hybrid's block).
  const model = fitTfidf(rowsOf(split.poolIds).map((r) => r.text));
  const tfidfOf = (ids: string[]) =>
    transformTfidfSparse(
      model,
      rowsOf(ids).map((r) => r.text),
    );
  const denseOf = (enc: EncodedDataset, ids: string[]) => {
    const v = new Float32Array(ids.length * enc.dim);
    ids.forEach((id, i) => v.set(enc.vectors.get(id)!, i * enc.dim));
    return dense(v, enc.dim);
  };
  const featureSets: { id: string; of: (ids: string[]) => FeatureMatrix }[] = [{ id: 'tfidf', of: tfidfOf }];
  for (const { id, enc, hybrid: withHybrid } of encoders) {
    featureSets.push({ id, of: (ids) => denseOf(enc, ids) });
    if (withHybrid) featureSets.push({ id: `hybrid-${id}`, of: (ids) => hybrid(denseOf(enc, ids), tfidfOf(ids)) });
  }
  const yTrue = Int32Array.from(rowsOf(split.testIds), (r) => split.labelNames.indexOf(r.human!));
  const out: StudentResult[] = [];
  for (const f of featureSets) {
    const testX = f.of(split.testIds);
    for (const s of split.students) {
      const t0 = performance.now();
      const y = Int32Array.from(s.trainLabels, (l) => split.labelNames.indexOf(l));
      const res = await searchLinear({ X: f.of(s.trainIds), y, nClasses, positive, seed: split.seed });
      const pred = argmaxRows(predictLinear(res.final.head, testX), nClasses);
      const best = res.scores.find((q) => q.C === res.best.C && q.classWeight === res.best.classWeight && q.scale === res.best.scale);
      out.push({
        key: s.key,
        dataset: split.dataset,
        seed: split.seed,
        source: s.source,
        features: f.id,
        trainN: s.trainIds.length,
        testN: split.testIds.length,
        C: res.best.C,
        classWeight: res.best.classWeight,
        scale: res.best.scale ?? null,
        calibrated: best?.calibrated ?? false,
        ms: performance.now() - t0,
        ...scoresOf(computeMetrics(yTrue, pred, nClasses, positive)),
      });
    }
  }
  return out;
}

/** Cohen's κ of the recorded LLM answers against the human labels on every row with both (unparseable answers count as wrong). */
export function teacherKappa(d: ReplayDataset): number {
  const labelNames = d.codebook.labels.map((l) => l.name);
  const rows = d.rows.filter((r) => r.human !== null);
  const m = computeMetrics(
    rows.map((r) => labelNames.indexOf(r.human!)),
    rows.map((r) => labelNames.indexOf(d.recorded.get(r.id) ?? '')),
    labelNames.length,
    labelNames.indexOf(d.codebook.positive!),
  );
  return m.kappa ?? NaN;
}
