// Which training-pool rows a student trains on: the one rule shared by the
// Train step (one student) and the Compare step (the paper's design), so a
// "consistency ≥ t" student is the same set of texts in both. Pure and seeded.
//
// The rule is the paper's: draw a stratified, seeded sample of `size` pool
// rows that have a usable label first, then keep the rows of that sample whose
// LLM answers agree at least `consistencyMin` (and, with label probabilities
// from logprobs, whose teacher probability is at least `probabilityMin`). Filtering after sampling makes
// the size reported for a filtered student show what the filter costs (e.g.
// "Student on 612 LLM labels with consistency = 1" out of a 1,000 sample).
import { sampleStratifiedSteps } from '../data/split';
import type { Splits } from '../data/types';
import { STEP_ROWS, runNow, type Steps } from '../store/yield';
import { RowIndex, type RowLookup } from './row-index';

/**
 * The training pool, in pool order: the rows students train on, TF-IDF is
 * fitted on, the teacher labels for training and few-shot examples come
 * from — the split's pool, never a validation or test row. Before any split
 * exists (nothing is held out yet) every row is pool. Ids the dataset no
 * longer has are dropped. `byId` (rows by id) saves building the index again.
 */
export function trainingPool<R extends { id: string }>(rows: readonly R[], splits: Pick<Splits, 'pool'> | null, byId?: RowLookup<R>): R[] {
  if (!splits) return [...rows];
  return runNow(trainingPoolSteps(rows, splits, byId ?? RowIndex.of(rows)));
}

/** trainingPool as a Steps loop, given the rows by id. */
export function* trainingPoolSteps<R extends { id: string }>(
  rows: readonly R[],
  splits: Pick<Splits, 'pool'> | null,
  byId: RowLookup<R>,
): Steps<R[]> {
  if (!splits) return [...rows];
  const out: R[] = [];
  for (let i = 0; i < splits.pool.length; i++) {
    const r = byId.get(splits.pool[i]);
    if (r) out.push(r);
    if (i % STEP_ROWS === 0) yield;
  }
  return out;
}

/** The part of a teacher label the rule reads. */
export interface LlmLabel {
  /** Majority answer; null when the LLM gave no valid answer. */
  label: string | null;
  /** Share of the repeated answers agreeing with the majority. */
  consistency: number;
  /** The teacher's probability of `label` (logprobs); null or absent when it gave none. */
  probability?: number | null;
}

/** What a confidence filter or sweep reads: agreement of the repeats, or the teacher's own probability. */
export type ConfidenceBy = 'consistency' | 'probability';

export interface TrainingRowsInput {
  /** Training-pool ids; nothing else can be chosen, so validation and test rows never leak in. */
  pool: readonly string[];
  /** Row id → human label (null = none). Pool ids missing here are skipped. */
  human: ReadonlyMap<string, string | null>;
  /** Row id → teacher label. */
  teacher: ReadonlyMap<string, LlmLabel>;
  /** The codebook's labels; any other label (human or LLM) is unusable. */
  labelNames: readonly string[];
  source: 'llm' | 'human';
  /** Wanted sample size before the filter; capped at the rows with a usable label. */
  size: number;
  /** LLM labels only: keep sampled rows with consistency ≥ this (null = no filter). */
  consistencyMin: number | null;
  /** LLM labels only: keep sampled rows whose teacher probability is ≥ this (null or absent = no filter; no probability = not kept). */
  probabilityMin?: number | null;
  seed: number;
}

export interface TrainingRows {
  source: 'llm' | 'human';
  /** The chosen rows, in pool order. */
  ids: string[];
  /** The stratified sample before the consistency filter, in pool order (ids ⊆ sample). */
  sample: string[];
  /** The source's usable label of a row (codebook label), regardless of the filter; null otherwise. */
  labelOf: (id: string) => string | null;
  /** Pool rows with a usable label: what the sample is drawn from. */
  available: number;
  /** Sampled rows the consistency filter removed (sample.length - ids.length). */
  dropped: number;
}

// Consistency is k/R for R repeats; compare with a tolerance so 2/3 ≥ 0.6666… holds.
const EPS = 1e-9;

/** True when an LLM label's consistency reaches the threshold (within rounding). */
export function meetsConsistency(consistency: number, min: number): boolean {
  return consistency >= min - EPS;
}

/** The usable label of each pool row for a source (codebook labels only). */
export function usableLabel(input: Pick<TrainingRowsInput, 'human' | 'teacher' | 'labelNames' | 'source'>): (id: string) => string | null {
  const known = new Set(input.labelNames);
  return (id) => {
    if (!input.human.has(id)) return null;
    const l = input.source === 'human' ? input.human.get(id) : input.teacher.get(id)?.label;
    return l != null && known.has(l) ? l : null;
  };
}

/**
 * The rows a student trains on: a stratified sample (by the source's label,
 * seeded) of min(size, available) labelled pool rows, then, for LLM labels
 * with a threshold, only the sampled rows with consistency ≥ consistencyMin.
 * The same inputs always give the same ids.
 */
export function chooseTrainingRows(input: TrainingRowsInput): TrainingRows {
  return runNow(chooseTrainingRowsSteps(input));
}

/** chooseTrainingRows as a Steps loop (store/yield.ts): the same rows, for a pool of a million in slices. */
export function* chooseTrainingRowsSteps(input: TrainingRowsInput): Steps<TrainingRows> {
  const labelOf = usableLabel(input);
  const labelled: string[] = [];
  for (let i = 0; i < input.pool.length; i++) {
    if (labelOf(input.pool[i]) !== null) labelled.push(input.pool[i]);
    if (i % STEP_ROWS === 0) yield;
  }
  const n = Math.max(0, Math.min(Math.floor(input.size), labelled.length));
  let sample = labelled;
  if (n < labelled.length) {
    const labels: string[] = [];
    for (let i = 0; i < labelled.length; i++) {
      labels.push(labelOf(labelled[i])!);
      if (i % STEP_ROWS === 0) yield;
    }
    sample = yield* sampleStratifiedSteps(labelled, labels, n, input.seed);
  }
  const unfiltered: TrainingRows = { source: input.source, ids: sample, sample, labelOf, available: labelled.length, dropped: 0 };
  const consistent = keepConsistent(unfiltered, input.teacher, input.consistencyMin);
  return input.probabilityMin == null ? consistent : keepConfident(consistent, input.teacher, 'probability', input.probabilityMin);
}

/** A label's confidence by `by`; a label without a probability has none (0), so a probability filter drops it. */
export function confidenceOf(l: LlmLabel | undefined, by: ConfidenceBy): number {
  if (!l) return 0;
  return by === 'consistency' ? l.consistency : (l.probability ?? 0);
}

/**
 * The filter step by either measure: the rows of `rows.ids` (the sample, or
 * what an earlier filter kept) whose confidence is ≥ min; `dropped` counts
 * all the sampled rows left out. keepConfident(rows, t, 'consistency', min)
 * on an unfiltered sample equals keepConsistent(rows, t, min).
 */
export function keepConfident(
  rows: TrainingRows,
  teacher: ReadonlyMap<string, LlmLabel>,
  by: ConfidenceBy,
  min: number | null,
): TrainingRows {
  if (min === null || rows.source === 'human') return rows;
  const ids = rows.ids.filter((id) => meetsConsistency(confidenceOf(teacher.get(id), by), min));
  return { ...rows, ids, dropped: rows.sample.length - ids.length };
}

/**
 * The filter step of chooseTrainingRows on its own: the rows of `rows.sample`
 * with consistency ≥ min (LLM labels only; null or human labels: the whole
 * sample). chooseTrainingRows(input with t) equals keepConsistent(chooseTrainingRows(input
 * without a threshold), teacher, t), so the Compare step samples once and filters per threshold.
 */
export function keepConsistent(rows: TrainingRows, teacher: ReadonlyMap<string, LlmLabel>, min: number | null): TrainingRows {
  if (min === null || rows.source === 'human') return { ...rows, ids: rows.sample, dropped: 0 };
  const ids = rows.sample.filter((id) => meetsConsistency(teacher.get(id)?.consistency ?? 0, min));
  return { ...rows, ids, dropped: rows.sample.length - ids.length };
}
