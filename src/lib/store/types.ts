// The records the store keeps. Rows, codebooks and responses are shapes the
// store only indexes (their full types live with data/, codebook/, teacher/);
// what a reader uses of projects, students and results is typed here and in
// records.ts, and checked on read there.
import type { ColumnMapping, ComparisonData, PredictionsData, StudentFacts } from './records';
import type { StoredSplits } from '../data/split';
import type { HeadConfig, SerializedHead } from '../train/types';

/** A dataset row as the data stage produces it (same shape as DataRow). */
export interface StoredRow {
  id: string;
  text: string;
  /** The human label as a codebook label name, or null when unlabelled. */
  human: string | null;
  /** hashText(text): the content key used by caches. */
  hash: string;
}

/**
 * A project: one dataset, its codebook history and everything trained on it.
 * `settings` is plain JSON the UI owns and upgrades (state/project-settings.ts);
 * `mapping` and `splits` are checked when the project is opened.
 */
export interface Project {
  id: string;
  name: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds; strictly increases on every update. */
  updatedAt: number;
  /** The workflow step the UI last showed (e.g. 'data', 'codebook'). */
  step: string;
  /** Column mapping chosen at import, or null before a dataset is loaded. */
  mapping: ColumnMapping | null;
  /** The held-out row ids (and, in records written before the pool was rebuilt from the rows, the pool), or null before splitting. */
  splits: StoredSplits | null;
  /** Free-form per-project settings (plain JSON). */
  settings: Record<string, unknown>;
  /** Rows in the stored dataset; kept in step with putRows. */
  rowCount: number;
}

/** What updateProject accepts: anything except identity and timestamps. */
export type ProjectPatch = Partial<Omit<Project, 'id' | 'createdAt' | 'updatedAt' | 'rowCount'>>;

/** The part of a CodebookVersion the store needs: its version number. */
export interface VersionedCodebook {
  version: number;
}

/**
 * An LLM response. The store keys it by `key` (the teacher's cache key) and
 * indexes `projectId` and `textHash` when present; the rest is kept as is.
 */
export interface StoredResponse {
  key: string;
  projectId?: string;
  textHash?: string;
  /** Set for an answer read from a file (teacher/types.ts AnswerOrigin); absent for this browser's own. */
  origin?: { kind: 'imported' | 'batch' };
}

/** A trained student, `weights` stored by structured clone (typed arrays kept as they are). */
export interface StoredModel {
  id: string;
  projectId: string;
  createdAt: number;
  name: string;
  /** Which encoder produced the features (the embedding key's model part). */
  encoder: string;
  /** Label names in output order. */
  labels: string[];
  config: HeadConfig;
  weights: SerializedHead;
  /** tfjs backend the model was trained on ('webgpu', 'wasm', 'cpu'). */
  backend: string;
  /** How it was trained; records saved by older versions lack some fields. */
  extra?: Partial<StudentFacts>;
}

interface ResultRecord {
  id: string;
  projectId: string;
  createdAt: number;
}

/** A student's corpus labels, id `predictions|<modelId>` (one per student). */
export interface PredictionsResult extends ResultRecord {
  kind: 'predictions';
  data: PredictionsData;
}

/** A comparison run, id `comparison|<finishedAt>`. */
export interface ComparisonResult extends ResultRecord {
  kind: 'comparison';
  data: ComparisonData;
}

/** A saved result; `kind` says which. */
export type StoredResult = PredictionsResult | ComparisonResult;
export type ResultKind = StoredResult['kind'];

/** One text sent to an LLM endpoint: the privacy send-log. */
export interface SendLogEntry {
  /** Epoch milliseconds. */
  at: number;
  projectId: string;
  endpoint: string;
  model: string;
  rowId: string;
  textHash: string;
}

/** A send-log entry as read back, with its insertion sequence number. */
export interface StoredSendLogEntry extends SendLogEntry {
  seq: number;
}
