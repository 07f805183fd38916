// The LLM response cache: every answer ever paid for, keyed by the teacher's
// cache key, so a reload or crash never repeats a call. Shared across
// projects: two projects asking the same question reuse one answer.
import { STORES, queueAll, tx } from './db';
import { usableBy, type TeacherResponse } from '../teacher/types';
import type { StoredResponse } from './types';

/** Saves one response as it arrives (call per arrival, not at the end). */
export function putResponse<R extends StoredResponse>(r: R): Promise<void> {
  return tx([STORES.responses], 'readwrite', 'save the LLM response', async (t) => {
    await t.objectStore(STORES.responses).put(r);
  });
}

/** Saves many responses in one transaction: all land or none do. */
export function putResponses<R extends StoredResponse>(rs: readonly R[]): Promise<void> {
  return tx([STORES.responses], 'readwrite', 'save LLM responses', async (t) => {
    const store = t.objectStore(STORES.responses);
    await queueAll(rs, (r) => store.put(r));
  });
}

/**
 * Saves `rs` in one transaction, each only where no response is stored
 * under its key or `replaceable` says the stored one may go (a Batch answer
 * fills in a failed request, never a paid answer). All land or none do;
 * returns how many were written.
 */
export function addResponses<R extends StoredResponse>(rs: readonly R[], replaceable: (stored: R) => boolean): Promise<number> {
  return tx([STORES.responses], 'readwrite', 'save LLM responses', async (t) => {
    const store = t.objectStore(STORES.responses);
    const had = await queueAll(rs, (r) => store.get(r.key));
    const put = rs.filter((_r, i) => had[i] === undefined || replaceable(had[i] as R));
    await queueAll(put, (r) => store.put(r));
    return put.length;
  });
}

/** The cached responses for `keys` (one transaction); absent keys are simply missing from the map. */
export function getResponses<R extends StoredResponse = StoredResponse>(keys: readonly string[]): Promise<Map<string, R>> {
  return tx([STORES.responses], 'readonly', 'read cached LLM responses', async (t) => {
    const store = t.objectStore(STORES.responses);
    const found = await queueAll(keys, (k) => store.get(k));
    const map = new Map<string, R>();
    for (const r of found) if (r) map.set(r.key, r as R);
    return map;
  });
}

/**
 * The stored answers for `keys` that project `projectId` may use: an answer
 * imported with another project's file is left out (teacher/types.ts usableBy).
 */
export async function usableResponses(projectId: string, keys: readonly string[]): Promise<Map<string, TeacherResponse>> {
  const found = await getResponses<TeacherResponse>(keys);
  for (const [k, r] of found) if (!usableBy(projectId, r)) found.delete(k);
  return found;
}

/**
 * Up to `count` responses whose key starts with `prefix`, in key order, after
 * the key `after` (null: from the first). Paged, so a million stored answers
 * are read (and cloned onto the page) a few thousand at a time.
 */
export function listResponsesByKeyPrefix<R extends StoredResponse = StoredResponse>(
  prefix: string,
  after: string | null,
  count: number,
): Promise<R[]> {
  return tx([STORES.responses], 'readonly', 'read cached LLM responses', async (t) => {
    // Keys are ASCII (URI-encoded parts), so '\uffff' sorts after every key with this prefix.
    const range = IDBKeyRange.bound(after ?? prefix, prefix + '\uffff', after !== null, false);
    return (await t.objectStore(STORES.responses).getAll(range, count)) as R[];
  });
}

/**
 * Responses whose `projectId` is `projectId`. A response shared by two
 * projects carries the id of whichever saved it last.
 */
export function listResponsesByProject<R extends StoredResponse = StoredResponse>(projectId: string): Promise<R[]> {
  return tx([STORES.responses], 'readonly', 'list LLM responses', async (t) => {
    return (await t.objectStore(STORES.responses).index('projectId').getAll(projectId)) as R[];
  });
}

/** Every cached response for the text with hash `textHash`, any model or codebook. */
export function listResponsesByTextHash<R extends StoredResponse = StoredResponse>(textHash: string): Promise<R[]> {
  return tx([STORES.responses], 'readonly', 'list LLM responses', async (t) => {
    return (await t.objectStore(STORES.responses).index('textHash').getAll(textHash)) as R[];
  });
}

/** Forgets the responses tagged with `projectId`; returns how many were deleted. */
export function deleteCachedResponses(projectId: string): Promise<number> {
  return tx([STORES.responses], 'readwrite', 'delete cached LLM responses', async (t) => {
    const store = t.objectStore(STORES.responses);
    const keys = await store.index('projectId').getAllKeys(projectId);
    await queueAll(keys, (k) => store.delete(k));
    return keys.length;
  });
}

/** How many responses are cached in total. */
export function countResponses(): Promise<number> {
  return tx([STORES.responses], 'readonly', 'count cached LLM responses', (t) => t.objectStore(STORES.responses).count());
}
