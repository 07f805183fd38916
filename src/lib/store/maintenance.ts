// Whole-database housekeeping: wipe everything, undo what a closed tab left
// half written, and report space used.
import { deleteDatabase, getDb } from './db';
import { undoInterruptedImports } from './import-journal';

/**
 * Start-up cleaning, run once when the app opens, before the project list
 * is read: the project imports that stopped half way (their tab closed) are
 * undone. Returns how many were.
 */
export function cleanOnOpen(): Promise<number> {
  return undoInterruptedImports();
}

/**
 * Deletes every project, cache and setting, then reopens an empty database.
 * Other open tabs close their connection when asked (see getDb).
 */
export async function clearAllData(): Promise<void> {
  await deleteDatabase();
  await getDb();
}

/** Bytes used and available to this site, when the browser tells; else null. */
export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  if (!storage || typeof storage.estimate !== 'function') return null;
  const { usage, quota } = await storage.estimate();
  if (usage === undefined || quota === undefined) return null;
  return { usage, quota };
}

/** Bytes a stored vector takes beyond its values: its hash in the index and its share of the records' overhead (an estimate). */
export const VECTOR_OVERHEAD_BYTES = 48;

/** What embedding `texts` more vectors of `dim` values would take, against the space the browser reports. */
export interface VectorSpacePlan {
  /** Expected bytes: texts × (dim × 4, or × 2 for fp16, + overhead). */
  bytes: number;
  /** Bytes this site may still use (quota − usage), or null when the browser does not say. */
  free: number | null;
  /** False when it will not fit; null when unknown. */
  fits: boolean | null;
}

/** Pure: the expected size of `texts` vectors of `dim` values, and whether `estimate` leaves room for them. */
export function vectorSpacePlan(
  texts: number,
  dim: number,
  format: 'f32' | 'f16',
  estimate: { usage: number; quota: number } | null,
): VectorSpacePlan {
  const bytes = texts * (dim * (format === 'f16' ? 2 : 4) + VECTOR_OVERHEAD_BYTES);
  const free = estimate ? Math.max(0, estimate.quota - estimate.usage) : null;
  return { bytes, free, fits: free === null ? null : bytes <= free };
}
