// Whole-database housekeeping: wipe everything, and report space used.
import { deleteDatabase, getDb } from './db';

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
