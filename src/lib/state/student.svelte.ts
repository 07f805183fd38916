// Students: a classifier head on frozen features, trained in the train worker
// and saved in IndexedDB. The default 'linear' head is an L2 logistic
// regression with C × class weighting chosen by k-fold CV; the 'logreg' /
// 'mlp' heads use the paper's Adam grid. Validation folds are carved from the
// training labels only; the test set never enters.
import * as store from '../store';
import type { LinearSearchInfo, PredictionsData, StoredModel, StudentFacts } from '../store';
import type { DataRow } from '../data/types';
import type { ConfigScore, Grid, Selection } from '../train/grid';
import { resolveHeadConfig, type HeadConfig, type HeadKind, type SerializedHead } from '../train/types';
import type { ClassWeight } from '../train/linear';
import type { LinearSearchResult } from '../train/linear-search';
import type { DecisionRule } from '../train/decision';
import { takeMatrixRows, toDense, type FeatureMatrix } from '../train/matrix';
import { argmaxRow, argmaxRows } from '../train/metrics';
import { compareShares, type ShareCheck } from '../train/shares';
import type { TrainReply } from '../train/protocol';
import type { StudentRead } from '../train/student-files';
import { initTrainer, trainRequest } from '../workers/trainer';
import { tfjsPreference } from './backend.svelte';
import { app, errorText, onProjectOpen } from './app.svelte';
import { stepFacts } from './facts.svelte';
import { embedder, type Embedded } from './embedder.svelte';
import type { EncoderSettings } from '../project/settings';
import { dtypeOfFeatureKey } from '../embed/keys';
import { WorkerCancelled } from '../workers/worker-client';
import { etaMs } from '../ui/eta';

export interface StudentSpec {
  name: string;
  trainSource: 'llm' | 'human';
  /** Features of (at least) every training row. */
  X: Embedded;
  /** Rows to train on (never test rows). */
  trainIds: string[];
  /** Training label per row (LLM majority or human); null rows are skipped. */
  labelOf: (id: string) => string | null;
  labelNames: string[];
  positive: string | null;
  headKind: HeadKind;
  seed: number;
  grid?: Grid;
  /** Optional soft targets (one weight per label, any scale; normalised here). */
  soft?: (id: string) => number[] | null;
  /** Adam heads only: how validation rows are carved from the training labels (default: 20 % stratified hold-out). */
  selection?: Selection;
  /** Linear head only: cross-validation folds (default 5). */
  folds?: number;
  /** Linear head only: the decision rule (default 'shares': label like the teacher). */
  decision?: DecisionRule;
  /** Linear head, 'prior' rule: each label's share among the validation sample's human labels (train/shares.ts' validationPrior). */
  priorShares?: number[];
  /** Linear head only: the reference share check's labels for the training rows (default: the training labels themselves). */
  referenceName?: string;
  /** The encoder settings that produced X (default: the project's), kept so the corpus is labelled with the same features. */
  encoder?: EncoderSettings;
  /** Who asked: the Train step, or a Compare run (whose students the Train list folds away). */
  origin?: 'train' | 'compare';
}

/** A student as the Train step holds it: its stored facts (StudentFacts) with its weights and identity. */
export interface TrainedStudent extends StudentFacts {
  modelId: string;
  best: HeadConfig;
  backend: string;
  weights: SerializedHead;
  labelNames: string[];
  createdAt: number;
}

// The stored shapes (store/records.ts), under the names the views import.
export type { LinearSearchInfo, PredictionsData };

export type StudentStatus = 'idle' | 'training' | 'done' | 'error' | 'cancelled';
export interface StudentProgress {
  config: number;
  configs: number;
  epoch: number;
  epochs: number;
  phase: string;
  etaMs: number | null;
}

const DEFAULT_SELECTION: Selection = { kind: 'holdout', fraction: 0.2 };

/**
 * The training matrix of a spec: rows of X for trainIds whose label is one of
 * labelNames, with hard labels (Int32Array) or, given `soft`, n × C targets
 * (Float32Array; rows without soft targets become one-hot). Pure.
 */
export function buildTrainingSet(spec: Pick<StudentSpec, 'X' | 'trainIds' | 'labelOf' | 'labelNames' | 'soft'>): {
  X: FeatureMatrix;
  y: Int32Array | Float32Array;
  ids: string[];
  counts: number[];
} {
  const { X, labelNames } = spec;
  const C = labelNames.length;
  const row = new Map(X.ids.map((id, i) => [id, i]));
  const cls = new Map(labelNames.map((l, i) => [l, i]));
  const ids: string[] = [];
  const ys: number[] = [];
  for (const id of spec.trainIds) {
    const label = spec.labelOf(id);
    const c = label === null ? undefined : cls.get(label);
    if (c === undefined) continue;
    if (!row.has(id)) throw new Error(`Row ${id} has no embedding; embed the training texts first.`);
    ids.push(id);
    ys.push(c);
  }
  const out = takeMatrixRows(
    X.features,
    ids.map((id) => row.get(id)!),
  );
  const counts = labelNames.map((_, c) => ys.filter((y) => y === c).length);
  if (!spec.soft) return { X: out, y: Int32Array.from(ys), ids, counts };
  const y = new Float32Array(ids.length * C);
  ids.forEach((id, i) => {
    const w = spec.soft!(id);
    const sum = w && w.length === C ? w.reduce((a, b) => a + Math.max(0, b), 0) : 0;
    if (sum > 0) w!.forEach((v, c) => (y[i * C + c] = Math.max(0, v) / sum));
    else y[i * C + ys[i]] = 1;
  });
  return { X: out, y, ids, counts };
}

/** Rebuilds a TrainedStudent from its stored record. */
export function fromStored(m: StoredModel): TrainedStudent {
  const x = m.extra ?? {};
  const weights = m.weights;
  return {
    modelId: m.id,
    spec: x.spec ?? { name: m.name, trainSource: 'human', trainSize: 0, encoder: m.encoder, headKind: weights.config.kind },
    best: m.config,
    scores: x.scores ?? [],
    backend: m.backend,
    weights,
    labelNames: m.labels,
    positive: x.positive ?? null,
    embeddingKey: x.embeddingKey ?? '',
    encoderSettings: x.encoderSettings ?? null,
    selection: x.selection ?? DEFAULT_SELECTION,
    trainIds: x.trainIds ?? [],
    createdAt: m.createdAt,
    origin: x.origin ?? 'train',
    search: x.search,
    shares: x.shares,
  };
}

/** A new student (fresh id, today's date) from its checked files. */
export function fromStudentFiles({ meta, weights }: StudentRead): TrainedStudent {
  return {
    modelId: crypto.randomUUID(),
    spec: {
      name: `${meta.name} (imported)`,
      trainSource: meta.trainSource,
      trainSize: meta.trainSize,
      encoder: meta.encoder,
      headKind: weights.config.kind,
    },
    best: meta.best ?? weights.config,
    scores: [],
    backend: meta.backend,
    weights,
    labelNames: meta.labels,
    positive: meta.positive ?? null,
    embeddingKey: meta.embeddingKey,
    encoderSettings: meta.encoderSettings ?? null,
    selection: { kind: 'holdout', fraction: 0.2 },
    trainIds: [],
    createdAt: Date.now(),
    origin: 'train', // an imported model is the user's own pick: always listed
  };
}

export function toStored(s: TrainedStudent, projectId: string): StoredModel {
  const { spec, scores, positive, embeddingKey, encoderSettings, selection, trainIds, origin, search, shares } = s;
  return {
    id: s.modelId,
    projectId,
    createdAt: s.createdAt,
    name: spec.name,
    encoder: spec.encoder,
    labels: s.labelNames,
    config: s.best,
    weights: s.weights,
    backend: s.backend,
    extra: $state.snapshot({ spec, scores, positive, embeddingKey, encoderSettings, selection, trainIds, origin, search, shares }),
  };
}

export class StudentState {
  status = $state<StudentStatus>('idle');
  progress = $state<StudentProgress | null>(null);
  error = $state<string | null>(null);
  /** Validation score of each configuration finished so far in the running search. */
  live = $state.raw<{ cfg: number; score: number }[]>([]);
  /** Trained students of the open project, oldest first. */
  models = $state.raw<TrainedStudent[]>([]);
  /** Corpus label counts per student, from its stored predictions. */
  distributions = $state.raw<Map<string, { label: string; count: number }[]>>(new Map());
  /** Corpus labelling in progress: which student and how far. */
  labeling = $state<{ modelId: string; done: number; total: number; etaMs: number | null } | null>(null);

  #stop: (() => void) | null = null;
  #cancelled = false;

  /** Back to a fresh page's state (tests): nothing loaded, nothing running. The stored students stay. */
  reset(): void {
    this.#stop = null;
    this.#cancelled = false;
    this.status = 'idle';
    this.progress = this.error = this.labeling = null;
    this.live = [];
    this.models = [];
    this.distributions = new Map();
  }

  /** Fits the spec's head in the train worker (selection on the training labels only), saves the model in IndexedDB. */
  async train(spec: StudentSpec): Promise<TrainedStudent> {
    const project = app.project;
    if (!project) throw new Error('Open a project first.');
    this.status = 'training';
    this.error = null;
    this.live = [];
    this.#cancelled = false;
    try {
      const set = buildTrainingSet(spec);
      const present = set.counts.filter((c) => c > 0).length;
      if (set.ids.length < 4 || present < 2) {
        throw new Error(
          `Only ${set.ids.length} usable training labels in ${present} class(es); a student needs at least 4 labels in 2 classes.`,
        );
      }
      const { backend } = await initTrainer(tfjsPreference());
      const pos = spec.positive === null ? -1 : spec.labelNames.indexOf(spec.positive);
      const positive = pos < 0 ? null : pos;
      const started = Date.now();
      this.progress = { config: 1, configs: 1, epoch: 0, epochs: 1, phase: 'search', etaMs: null };
      const hard = set.y instanceof Int32Array ? set.y.slice() : argmaxRows(set.y, spec.labelNames.length);
      const fitted =
        spec.headKind === 'linear'
          ? await this.#fitLinear(spec, set, positive, started)
          : await this.#fitGrid(spec, set, positive, started);
      const referenceName = spec.referenceName ?? (spec.trainSource === 'llm' ? 'the teacher' : 'the human labels');
      const shares = compareShares(spec.labelNames, fitted.trainPreds, hard, referenceName, fitted.sharesOn);
      const trained = this.#assemble(spec, set.ids, fitted, fitted.backend ?? backend, shares);
      await store.saveModel(toStored(trained, project.id));
      await this.reload();
      this.status = 'done';
      return trained;
    } catch (e) {
      this.status = this.#cancelled || e instanceof WorkerCancelled ? 'cancelled' : 'error';
      if (this.status === 'error') this.error = errorText(e);
      throw e;
    } finally {
      this.progress = null;
      this.#stop = null;
    }
  }

  #onProgress(r: TrainReply, started: number): void {
    if (r.type !== 'progress') return;
    if (r.score !== undefined && r.phase === 'search' && r.epoch === r.epochs)
      this.live = [...this.live, { cfg: r.config, score: r.score }];
    // The final refit counts as one more configuration; early stopping makes this an upper bound.
    const frac = Math.min(1, (r.config - 1 + r.epoch / Math.max(1, r.epochs)) / (r.configs + 1));
    this.progress = {
      config: r.config,
      configs: r.configs,
      epoch: r.epoch,
      epochs: r.epochs,
      phase: r.phase,
      etaMs: etaMs(started, frac, 1),
    };
  }

  /** The linear head: C × class weighting by k-fold CV in the worker; shares from the out-of-fold predictions. */
  async #fitLinear(spec: StudentSpec, set: ReturnType<typeof buildTrainingSet>, positive: number | null, started: number): Promise<Fitted> {
    const req = trainRequest<Extract<TrainReply, { type: 'result'; kind: 'linear' }>>(
      {
        type: 'linear',
        X: set.X,
        y: set.y,
        nClasses: spec.labelNames.length,
        positive,
        labelNames: [...spec.labelNames],
        seed: spec.seed,
        ...(spec.folds ? { folds: spec.folds } : {}),
        ...(spec.decision ? { decision: spec.decision } : {}),
        ...(spec.priorShares ? { priorShares: [...spec.priorShares] } : {}),
      },
      (r) => this.#onProgress(r, started),
    );
    this.#stop = req.cancel;
    const { result } = await req.done;
    return linearFitted(result);
  }

  /** The paper's Adam grid (logreg / mlp heads); shares from in-sample predictions (no out-of-fold ones exist). */
  async #fitGrid(spec: StudentSpec, set: ReturnType<typeof buildTrainingSet>, positive: number | null, started: number): Promise<Fitted> {
    const selection = spec.selection ?? DEFAULT_SELECTION;
    const X = toDense(set.X).values;
    const req = trainRequest<Extract<TrainReply, { type: 'result'; kind: 'grid' }>>(
      {
        type: 'grid',
        X: X.slice(),
        dim: spec.X.dim,
        y: set.y,
        nClasses: spec.labelNames.length,
        positive,
        grid: spec.grid ? ($state.snapshot(spec.grid) as Grid) : undefined,
        base: { kind: spec.headKind, seed: spec.seed },
        selection,
        seed: spec.seed,
      },
      (r) => this.#onProgress(r, started),
    );
    this.#stop = req.cancel;
    const { result } = await req.done;
    const probs = await trainRequest<Extract<TrainReply, { type: 'probs' }>>({
      type: 'predict',
      weights: result.final.weights,
      X,
      dim: spec.X.dim,
    }).done;
    return {
      best: result.best,
      scores: result.scores,
      weights: result.final.weights,
      selection,
      trainPreds: argmaxRows(probs.probs, spec.labelNames.length),
      sharesOn: `in-sample, on its ${set.ids.length.toLocaleString('en-US')} training texts`,
    };
  }

  #assemble(spec: StudentSpec, ids: string[], fitted: Fitted, backend: string, shares: ShareCheck): TrainedStudent {
    const enc = spec.encoder ?? app.projectSettings.encoder;
    return {
      modelId: crypto.randomUUID(),
      spec: { name: spec.name, trainSource: spec.trainSource, trainSize: ids.length, encoder: spec.X.encoder, headKind: spec.headKind },
      best: fitted.best,
      scores: fitted.scores,
      backend,
      weights: fitted.weights,
      search: fitted.search,
      shares,
      labelNames: [...spec.labelNames],
      positive: spec.positive,
      embeddingKey: spec.X.key,
      encoderSettings: pinDtype($state.snapshot(enc) as EncoderSettings, spec.X.key),
      selection: fitted.selection,
      trainIds: ids,
      createdAt: Date.now(),
      origin: spec.origin ?? 'train',
    };
  }

  /**
   * Class probabilities (n × labelNames.length, row-major) for the given rows'
   * features (all of X's rows without ids). `consume`: X is not needed after
   * this, so its arrays move to the worker instead of being copied first.
   */
  async predict(student: TrainedStudent | SerializedHead, X: Embedded, ids?: string[], consume = false): Promise<Float32Array> {
    const head = 'weights' in student ? student.weights : student;
    if ('weights' in student && student.embeddingKey && student.embeddingKey !== X.key) {
      throw new Error(
        `"${student.spec.name}" was trained on other features (${student.embeddingKey}) than these (${X.key}); embed with its encoder settings.`,
      );
    }
    if (head.dim !== X.dim) throw new Error(`The student expects ${head.dim}-dimensional features but got ${X.dim}.`);
    let rows: FeatureMatrix;
    if (!ids)
      rows = consume
        ? X.features
        : takeMatrixRows(
            X.features,
            Int32Array.from({ length: X.ids.length }, (_, i) => i),
          ); // else a copy: the worker takes ownership of what it is sent
    else {
      const at = new Map(X.ids.map((id, i) => [id, i]));
      rows = takeMatrixRows(
        X.features,
        ids.map((id) => {
          const j = at.get(id);
          if (j === undefined) throw new Error(`Row ${id} has no embedding.`);
          return j;
        }),
      );
    }
    await initTrainer(tfjsPreference());
    const req = trainRequest<Extract<TrainReply, { type: 'probs' }>>({
      type: 'predict',
      weights: $state.snapshot(head) as SerializedHead,
      X: rows.kind === 'dense' ? rows.values : rows,
      dim: X.dim,
    });
    return (await req.done).probs;
  }

  cancel(): void {
    this.#cancelled = true;
    this.#stop?.();
    embedder.cancel();
  }

  /** Loads the open project's students and their corpus label counts. */
  async reload(): Promise<void> {
    const project = app.project;
    if (!project) {
      this.models = [];
      this.distributions = new Map();
      return;
    }
    // Only the label counts are kept of each student's corpus labels, read one at a time.
    const distributions = new Map<string, { label: string; count: number }[]>();
    const [models, skippedLabels] = await Promise.all([
      store.listModels(project.id),
      store.eachPredictions(project.id, (r) => void distributions.set(r.data.modelId, distribution(r.data))),
    ]);
    if (app.project?.id !== project.id) return; // another project opened meanwhile
    this.models = models.items.map(fromStored);
    this.distributions = distributions;
    const skipped = [...models.skipped, ...skippedLabels];
    if (skipped.length) this.error = `Some saved work could not be read and is left out: ${skipped.join('; ')}.`;
  }

  async remove(modelId: string): Promise<void> {
    await store.deleteModel(modelId);
    await store.deletePredictions(modelId);
    await this.reload();
  }

  /** Stores an imported or otherwise built student in the open project. */
  async add(s: TrainedStudent): Promise<void> {
    if (!app.project) throw new Error('Open a project first.');
    await store.saveModel(toStored(s, app.project.id));
    await this.reload();
  }

  /**
   * Imports a student from picked files (its zip, or its three files): read
   * and checked in the train worker (train/student-files.ts), then stored in
   * one transaction. Throws, having stored nothing, naming the file and why.
   */
  async importFiles(files: File[]): Promise<TrainedStudent> {
    if (!app.project) throw new Error('Open a project first.');
    await initTrainer(tfjsPreference());
    const read = await trainRequest<Extract<TrainReply, { type: 'student' }>>({ type: 'read-student', files }).done;
    const s = fromStudentFiles(read);
    await this.add(s);
    return s;
  }

  /**
   * Predicts every row of the project with `s` (embedding what is missing,
   * with the student's own encoder settings) and stores the probabilities as
   * its 'predictions' result. `fitOn` = the training pool (TF-IDF only).
   * Rows go through in chunks, in the order their vectors are stored, so
   * each stored chunk is read about once and the page holds one chunk of
   * features at a time.
   */
  async labelCorpus(s: TrainedStudent, rows: DataRow[], fitOn: DataRow[], chunk = 2000): Promise<PredictionsData> {
    const project = app.project;
    if (!project) throw new Error('Open a project first.');
    const settings: EncoderSettings = { ...(s.encoderSettings ?? app.projectSettings.encoder) };
    if (settings.source.kind === 'files' && !embedder.picked) settings.source = app.projectSettings.encoder.source;
    const C = s.labelNames.length;
    const probs = new Float32Array(rows.length * C);
    const started = Date.now();
    this.#cancelled = false;
    this.error = null;
    this.labeling = { modelId: s.modelId, done: 0, total: rows.length, etaMs: null };
    try {
      const order = await embedder.storedOrder(rows, settings, fitOn);
      for (let start = 0; start < rows.length; start += chunk) {
        if (this.#cancelled) throw new WorkerCancelled();
        const at = order.subarray(start, start + chunk);
        const X = await embedder.ensure(
          Array.from(at, (i) => rows[i]),
          settings,
          fitOn,
        );
        const part = await this.predict(s, X, undefined, true);
        for (let k = 0; k < at.length; k++) probs.set(part.subarray(k * C, (k + 1) * C), at[k] * C);
        const done = start + at.length;
        this.labeling = { modelId: s.modelId, done, total: rows.length, etaMs: etaMs(started, done, rows.length) };
      }
      // Packed here, in slices, before the store's transaction opens: a list of a million ids was one ~170 ms clone.
      const ids = await store.packIds(rows, (r) => r.id);
      const data: PredictionsData = { modelId: s.modelId, labels: s.labelNames, ids, probs, embeddingKey: s.embeddingKey };
      await store.putPredictions(project.id, data);
      this.distributions = new Map(this.distributions).set(s.modelId, distribution(data));
      return data;
    } catch (e) {
      if (!(this.#cancelled || e instanceof WorkerCancelled)) this.error = errorText(e);
      throw e;
    } finally {
      this.labeling = null;
    }
  }
}

/** What either way of fitting a head hands back to train(). */
interface Fitted {
  best: HeadConfig;
  scores: ConfigScore[];
  weights: SerializedHead;
  selection: Selection;
  search?: LinearSearchInfo;
  /** Predicted class per training row (−1 = none), for the share check. */
  trainPreds: Int32Array;
  sharesOn: string;
  /** What fitted it, when not the worker's tfjs backend. */
  backend?: string;
}

/** A linear search result in the shape students are stored in (scores per C × class weight, as configurations). Pure. */
export function linearFitted(result: LinearSearchResult): Fitted {
  const cfg = (C: number, cw: ClassWeight) => resolveHeadConfig({ kind: 'linear', C, classWeights: cw === 'balanced' });
  const n = result.oofPreds.length;
  const cv = result.folds > 0;
  return {
    best: result.final.head.config,
    scores: result.scores.map((s) => ({
      cfg: cfg(s.C, s.classWeight),
      f1: s.f1,
      macroF1: s.macroF1,
      bestEpoch: 0,
      ...(s.scale === undefined ? {} : { scale: s.scale }),
    })),
    weights: result.final.head,
    selection: { kind: 'kfold', k: Math.max(2, result.folds) },
    search: {
      kind: 'linear-cv',
      folds: result.folds,
      note: result.note,
      Cs: [...new Set(result.scores.map((s) => s.C))],
      classWeights: [...new Set(result.scores.map((s) => s.classWeight))],
      chosen: result.best,
      ...(result.best.scale === undefined ? {} : { scales: [...new Set(result.scores.map((s) => s.scale!))] }),
      calibration: result.decision.calibration ? result.calibration : null,
      score: result.score,
      decision: { rule: result.decision.rule, applied: result.decision.applied, fallback: result.decision.fallback },
      deploy: result.deploy,
      warnings: result.warnings,
      diagnostics: result.diagnostics,
    },
    trainPreds: cv ? result.oofPreds : new Int32Array(n).fill(-1),
    sharesOn: cv
      ? `out-of-fold (${result.folds}-fold cross-validation) on its ${n.toLocaleString('en-US')} training texts`
      : 'no cross-validation was possible',
    backend: 'plain JS (L-BFGS)',
  };
}

/**
 * The settings with dtype 'auto' replaced by the one in the embedding key, so
 * the corpus is later embedded exactly as the training rows were, on any device.
 */
export function pinDtype(s: EncoderSettings, key: string): EncoderSettings {
  const dtype = dtypeOfFeatureKey(key); // sentence and hybrid keys; undefined for TF-IDF
  return s.dtype === 'auto' && dtype ? { ...s, dtype } : s;
}

/** Predicted-label counts (argmax per row), in label order. */
export function distribution(p: Pick<PredictionsData, 'labels' | 'probs' | 'ids'>): { label: string; count: number }[] {
  const C = p.labels.length;
  const counts = new Array<number>(C).fill(0);
  for (let i = 0, n = store.idCount(p.ids); i < n; i++) counts[argmaxRow(p.probs, C, i)]++;
  return p.labels.map((label, c) => ({ label, count: counts[c] }));
}

/** The stored corpus predictions of a student, or undefined when it has not labelled the corpus yet. */
export function loadPredictions(modelId: string): Promise<PredictionsData | undefined> {
  return store.getPredictions(modelId);
}

export const student = new StudentState();
stepFacts.provide(() => ({ models: student.models.length }));

// Load the open project's students (and the stepper's count) whenever a
// project opens, not only when the Train step is shown.
onProjectOpen(
  () => student.reload(),
  (e) => (student.error = `Could not read the saved students: ${errorText(e)}`),
);
