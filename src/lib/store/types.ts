// Structural shapes the store reads. The real value types live with the
// stages that own them (data/types.ts, codebook/types.ts, teacher/types.ts,
// train/head.ts); the store only declares the fields it inspects and keeps
// everything else opaque, so those modules can evolve without a store change.

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
 * `mapping`, `splits` and `settings` are plain JSON owned by the UI; the store
 * never looks inside them.
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
  mapping: unknown;
  /** Train/dev/test split description, or null before splitting. */
  splits: unknown;
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
}

/** A trained student. `weights` is a structured-clone-able SerializedHead. */
export interface StoredModel {
  id: string;
  projectId: string;
  createdAt: number;
  name: string;
  /** Which encoder produced the features (the embedding key's model part). */
  encoder: string;
  /** Label names in output order. */
  labels: string[];
  config: unknown;
  weights: unknown;
  /** tfjs backend the model was trained on ('webgpu', 'wasm', 'cpu'). */
  backend: string;
  /** Anything else the train stage wants to keep (metrics, history...). */
  extra?: unknown;
}

/** A saved evaluation or comparison. `data` is opaque to the store. */
export interface StoredResult {
  id: string;
  projectId: string;
  createdAt: number;
  kind: string;
  data: unknown;
}

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
