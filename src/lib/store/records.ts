// What the store keeps for the stages: one type per stored kind, each with a
// guard that the reading verb runs, so no reader casts. A record that fails
// its guard is reported by name and reason (DamagedRecordError), or skipped
// with that reason by a list verb, instead of breaking a view later.
import type { ColumnMapping, Splits } from '../data/types';
import type { Calibration } from '../train/calibrate';
import type { ConfigScore, Selection } from '../train/grid';
import type { DecisionRule, Diagnostics } from '../train/decision';
import type { ClassWeight } from '../train/linear';
import type { DecisionInfo, Deploy, SelectionScore } from '../train/linear-search';
import type { ShareCheck } from '../train/shares';
import type { HeadConfig, HeadKind } from '../train/types';
import type { ScoredExperiment } from '../experiment/experiment';
import type { EncoderSettings } from '../project/settings';
import { firstFailure, hasStr, isObject, isStrArray, type Reason } from './guards';
import { packedIdsProblem, type PackedIds } from './packed-ids';

/** How a linear head's C and class weighting were chosen. */
export interface LinearSearchInfo {
  kind: 'linear-cv';
  folds: number;
  /** Why fewer folds were used, in words; null when none. */
  note: string | null;
  Cs: number[];
  classWeights: ClassWeight[];
  /** `scale`: hybrid features only, the weight of the sentence vector beside the TF-IDF columns. */
  chosen: { C: number; classWeight: ClassWeight; scale?: number };
  /** Hybrid features only: the sentence vector's weights that were tried. */
  scales?: number[];
  /** The out-of-fold recalibration the head carries (with the rule's offset), or null when it is the plain argmax. */
  calibration: Calibration | null;
  /** The selection score (records saved before issue 26 lack it: positive-class F1 then). */
  score?: SelectionScore;
  /** The decision rule asked for and what was deployed (absent in older records). */
  decision?: Pick<DecisionInfo, 'rule' | 'applied' | 'fallback'>;
  /** The fold models' mean or a refit on all rows (older records: a refit). */
  deploy?: Deploy;
  /** Plain warnings from the out-of-fold diagnostics: no usable signal, a near-constant student. */
  warnings?: string[];
  /** Out-of-fold κ and AUC against the training labels, and the predicted vs training-label shares. */
  diagnostics?: Diagnostics | null;
}

/** A student's name and training set in brief. */
export interface StudentSummary {
  name: string;
  trainSource: 'llm' | 'human';
  trainSize: number;
  encoder: string;
  headKind: HeadKind;
}

/** What a student keeps beside its weights (StoredModel.extra; records saved by older versions lack some). */
export interface StudentFacts {
  spec: StudentSummary;
  scores: ConfigScore[];
  positive: string | null;
  /** Embedded.key of the features it was trained on; predictions need the same. */
  embeddingKey: string;
  encoderSettings: EncoderSettings | null;
  selection: Selection;
  trainIds: string[];
  origin: 'train' | 'compare';
  /** Linear head: how C and class weighting were chosen. */
  search?: LinearSearchInfo;
  /** Its predicted share of each label beside its training labels', out-of-fold (linear) or in-sample (Adam heads). */
  shares?: ShareCheck;
}

/** A student's corpus labels: the 'predictions' result it writes when it labels the corpus. */
export interface PredictionsData {
  modelId: string;
  labels: string[];
  /** The rows' ids, packed (packed-ids.ts): a list of a million strings took ~170 ms to store or read. */
  ids: PackedIds;
  /** idCount(ids) × labels.length, row-major. */
  probs: Float32Array;
  embeddingKey: string;
}

/** PredictionsData as a record may hold it: written before the ids were packed, they are a list. */
export type StoredPredictionsData = Omit<PredictionsData, 'ids'> & { ids: PackedIds | string[] };

export type GridChoice = 'paper' | 'quick';

/** How the comparison was run, for the table, the methods paragraph and the exports. */
export interface ComparisonRun {
  startedAt: number;
  finishedAt: number;
  codebookVersion: number | null;
  teacherModel: string;
  endpoint: string;
  repeats: number;
  encoder: string;
  embeddingKey: string;
  embedDevice: string | null;
  headKind: HeadKind;
  /** The linear head's decision rule asked for (absent in older comparisons and for the Adam heads). */
  decision?: DecisionRule;
  grid: GridChoice;
  seed: number;
  trainN: number;
  testN: number;
  validationN: number;
}

/** One student of a comparison; how its configuration was chosen is absent in older saved comparisons. */
export interface ComparedStudent extends Partial<Pick<StudentFacts, 'search' | 'selection' | 'shares'>> {
  id: string;
  name: string;
  modelId: string;
  best: HeadConfig;
  backend: string;
  trainSize: number;
}

/** What a 'comparison' result holds. */
export interface ComparisonData extends ScoredExperiment {
  v: 1;
  labelNames: string[];
  positive: string | null;
  notes: string[];
  students: ComparedStudent[];
  /** Test texts without a valid teacher label (counted wrong for LLM few-shot). */
  teacherMissing: number;
  run: ComparisonRun;
}

const isArray = Array.isArray;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Why `v` is not a usable ColumnMapping, or null. */
export function mappingProblem(v: unknown): Reason {
  if (!isObject(v)) return 'it is not an object';
  const optional = (x: unknown) => x === null || x === undefined || typeof x === 'string';
  return firstFailure([
    ['text column', typeof v.text === 'string'],
    ['id column', optional(v.id)],
    ['label column', optional(v.label)],
  ]);
}

/** Why `v` is not usable StoredSplits (the pool optional: newer records rebuild it from the rows), or null. */
export function splitsProblem(v: unknown): Reason {
  if (!isObject(v)) return 'it is not an object';
  return firstFailure([
    ['seed', isNum(v.seed)],
    ['validation ids', isStrArray(v.validation)],
    ['test ids', isStrArray(v.test)],
    ['pool ids', v.pool === undefined || isStrArray(v.pool)],
  ]);
}

/** Why `v` is not a usable stored student (its weights checked in outline; train/head.ts checks them in full), or null. */
export function modelProblem(v: unknown): Reason {
  if (!isObject(v) || !hasStr(v, 'id', 'projectId', 'name', 'encoder', 'backend')) return 'its id, name, encoder or backend is missing';
  const w = v.weights;
  return firstFailure([
    ['creation time', isNum(v.createdAt)],
    ['label names', isStrArray(v.labels)],
    ['configuration', isObject(v.config)],
    ['weights', isObject(w) && w.format === 'surrogate-head/1' && isArray(w.layers) && isObject(w.config)],
    ['training facts', v.extra === undefined || isObject(v.extra)],
  ]);
}

/** Why `v` is not usable StoredPredictionsData (ids packed, or a list in older records), or null. */
export function predictionsProblem(v: unknown): Reason {
  if (!isObject(v) || !hasStr(v, 'modelId', 'embeddingKey')) return 'its student or features are not named';
  const { labels, ids, probs } = v;
  if (!isStrArray(labels)) return 'its label names are missing';
  const idsWhy = Array.isArray(ids) ? (isStrArray(ids) ? null : 'its row ids are missing') : packedIdsProblem(ids);
  if (idsWhy) return idsWhy;
  if (!(probs instanceof Float32Array)) return 'its probabilities are missing';
  const rows = Array.isArray(ids) ? ids.length : (ids as PackedIds).ends.length;
  return probs.length === rows * labels.length ? null : 'its probabilities do not match its rows';
}

/** Why `v` is not usable ComparisonData, or null. */
export function comparisonProblem(v: unknown): Reason {
  if (!isObject(v)) return 'it is not an object';
  if (v.v !== 1) return `its version ${String(v.v)} is not one this version reads`;
  return firstFailure([
    ['label names', isStrArray(v.labelNames)],
    ['table', isArray(v.rows)],
    ['headlines', isArray(v.headlines)],
    ['learning curve', isArray(v.curve)],
    ['sweep', isArray(v.sweep)],
    ['reference lines', isArray(v.references)],
    ['notes', isStrArray(v.notes)],
    ['students', isArray(v.students) && v.students.every((s) => hasStr(s, 'id', 'name', 'modelId'))],
    ['run description', isObject(v.run) && isNum(v.run.finishedAt)],
  ]);
}

export type { ColumnMapping, Splits };
