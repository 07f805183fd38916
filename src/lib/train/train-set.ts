// Which pool rows a student trains on, with which labels: the Student panel's
// choices turned into a StudentSpec's trainIds / labelOf / soft. Pure.
// Only training-pool ids are considered, so validation and test rows can never leak in.
import { chooseTrainingRowsSteps } from './training-rows';
import { runNow, type Steps } from '../store/yield';
import type { DataRow } from '../data/types';
import type { RowLookup } from './row-index';

/** The part of a TeacherLabel this reads. */
export interface LabelVotes {
  label: string | null;
  consistency: number;
  votes: Record<string, number>;
  /** The teacher's probability of its label and of every label (logprobs), when it gave them. */
  probability?: number | null;
  probs?: Record<string, number>;
}

export interface TrainChoice {
  source: 'llm' | 'human';
  /** Wanted training-set size; capped at what exists. */
  n: number;
  /** LLM labels only: keep rows whose consistency is at least this (null = no filter). */
  consistencyMin: number | null;
  /** LLM labels only: keep rows whose teacher probability is at least this (null or absent = no filter). */
  probabilityMin?: number | null;
  /** LLM labels only: train on vote shares instead of the majority label. */
  soft: boolean;
  /** What soft targets are: the share of votes per label, or the teacher's label probabilities (logprobs). */
  softFrom?: 'votes' | 'probabilities';
  seed: number;
}

export interface TrainSet {
  trainIds: string[];
  /** The source's label of any usable pool row (also rows the consistency filter left out). */
  labelOf: (id: string) => string | null;
  soft?: (id: string) => number[] | null;
  /** Pool rows with a usable label: what the sample is drawn from. */
  available: number;
  /** Size of the stratified sample before the consistency filter. */
  sampled: number;
  /** Sampled rows the consistency filter removed. */
  dropped: number;
  /** Label counts of the chosen rows, in labelNames order. */
  counts: number[];
}

/**
 * Seeded, stratified sample of min(n, available) pool rows that have a usable
 * label (one of labelNames), then for LLM labels only the sampled rows with
 * consistency ≥ consistencyMin: the rule of lib/train/training-rows, which the
 * Compare step uses too, so the same choices give the same students.
 */
export function chooseTrainingSet(...args: Parameters<typeof chooseTrainingSetSteps>): TrainSet {
  return runNow(chooseTrainingSetSteps(...args));
}

/** chooseTrainingSet as a Steps loop (store/yield.ts): the Student panel computes it in slices for a pool of a million. */
export function* chooseTrainingSetSteps(
  rows: readonly DataRow[],
  pool: readonly string[],
  teacher: ReadonlyMap<string, LabelVotes>,
  labelNames: readonly string[],
  c: TrainChoice,
  /** `rows` by id, when the caller holds them (app.rowById): the human labels are read through it, not copied. */
  byId?: RowLookup<DataRow>,
): Steps<TrainSet> {
  const chosen = yield* chooseTrainingRowsSteps({
    pool,
    human: byId ? new HumanLabels(rows, byId) : new Map(rows.map((r) => [r.id, r.human])),
    teacher,
    labelNames,
    source: c.source,
    size: c.n,
    consistencyMin: c.consistencyMin,
    probabilityMin: c.probabilityMin ?? null,
    seed: c.seed,
  });
  const { ids: trainIds, labelOf } = chosen;
  const counts = labelNames.map((l) => trainIds.filter((id) => labelOf(id) === l).length);
  const soft =
    c.source === 'llm' && c.soft
      ? (id: string) => {
          const t = teacher.get(id);
          if (!t) return null;
          // Probabilities where the teacher gave them; a row without keeps its votes.
          if (c.softFrom === 'probabilities' && t.probs) return labelNames.map((l) => t.probs![l] ?? 0);
          return labelNames.map((l) => t.votes[l] ?? 0);
        }
      : undefined;
  return { trainIds, labelOf, soft, available: chosen.available, sampled: chosen.sample.length, dropped: chosen.dropped, counts };
}

/**
 * Row id → human label, read through the rows by id: the page passes its
 * index (app.rowById) instead of a copy of it, which at a million rows was
 * a second Map built on every change of the Student panel's choices.
 */
export class HumanLabels implements ReadonlyMap<string, string | null> {
  readonly #rows: readonly DataRow[];
  readonly #byId: RowLookup<DataRow>;
  constructor(rows: readonly DataRow[], byId: RowLookup<DataRow>) {
    this.#rows = rows;
    this.#byId = byId;
  }
  get size(): number {
    return this.#byId.size;
  }
  has(id: string): boolean {
    return this.#byId.has(id);
  }
  get(id: string): string | null | undefined {
    return this.#byId.get(id)?.human;
  }
  forEach(f: (human: string | null, id: string, map: ReadonlyMap<string, string | null>) => void): void {
    for (const [id, human] of this) f(human, id, this);
  }
  // Iterated in row order, each id once with its row's label (a repeated id keeps its last row, as in the index).
  *entries(): MapIterator<[string, string | null]> {
    for (const r of this.#rows) if (this.#byId.get(r.id) === r) yield [r.id, r.human];
  }
  *keys(): MapIterator<string> {
    for (const [id] of this) yield id;
  }
  *values(): MapIterator<string | null> {
    for (const [, human] of this) yield human;
  }
  [Symbol.iterator](): MapIterator<[string, string | null]> {
    return this.entries();
  }
}

/** The labels a student predicts: the codebook's, else the human labels present (sorted). */
export function labelNamesFor(codebookLabels: readonly string[] | undefined, rows: readonly DataRow[]): string[] {
  if (codebookLabels && codebookLabels.length >= 2) return [...codebookLabels];
  return [...new Set(rows.map((r) => r.human).filter((h): h is string => h !== null))].sort();
}

/** Parses a grid input such as "1e-3, 3e-3 0.01" into positive numbers; null when any entry is not one. */
export function parseNumberList(text: string, integer = false): number[] | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return null;
  const out = parts.map(Number);
  return out.every((v) => Number.isFinite(v) && v > 0 && (!integer || Number.isInteger(v))) ? out : null;
}
