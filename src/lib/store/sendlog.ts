// The privacy send-log: which text went to which endpoint and model, when.
// Append-only; entries go when their project is deleted.
import { STORES, queueAll, tx } from './db';
import type { SendLogEntry, StoredSendLogEntry } from './types';

/** Appends `entries` in one transaction, in order; returns them as stored (with the seq the store gave each). */
export function appendSendLog(entries: readonly SendLogEntry[]): Promise<StoredSendLogEntry[]> {
  return tx([STORES.sendLog], 'readwrite', 'record what was sent', async (t) => {
    const store = t.objectStore(STORES.sendLog);
    // `seq` is assigned by the store (autoIncrement); strip one if passed in.
    const rows = entries.map((e) => {
      const { seq: _seq, ...entry } = e as Partial<StoredSendLogEntry>;
      return entry as SendLogEntry;
    });
    const seqs = await queueAll(rows, (entry) => store.add(entry as StoredSendLogEntry));
    return rows.map((entry, i) => ({ ...entry, seq: seqs[i] as number }));
  });
}

/** The send-log of `projectId`, newest first, at most `limit` entries. */
export function getSendLog(projectId: string, limit = Infinity): Promise<StoredSendLogEntry[]> {
  return tx([STORES.sendLog], 'readonly', 'read the send log', async (t) => {
    const out: StoredSendLogEntry[] = [];
    // Equal index keys are ordered by primary key (seq), so 'prev' walks
    // this project's entries from the newest.
    let cursor = await t.objectStore(STORES.sendLog).index('projectId').openCursor(projectId, 'prev');
    while (cursor && out.length < limit) {
      out.push(cursor.value);
      cursor = await cursor.continue();
    }
    return out;
  });
}

/** How many texts `projectId` has sent. */
export function countSendLog(projectId: string): Promise<number> {
  return tx([STORES.sendLog], 'readonly', 'count the send log', (t) => t.objectStore(STORES.sendLog).index('projectId').count(projectId));
}
