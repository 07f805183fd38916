// App settings by string key (remembered endpoint, model, UI preferences).
// Do not put the API key here unless the user explicitly asks to remember it.
import { STORES, tx } from './db';

/** The value under `key`, or undefined. The caller asserts its type. */
export function kvGet<T>(key: string): Promise<T | undefined> {
  return tx([STORES.kv], 'readonly', 'read a setting', async (t) => (await t.objectStore(STORES.kv).get(key)) as T | undefined);
}

/** Stores `value` (structured-clone-able) under `key`. */
export function kvSet(key: string, value: unknown): Promise<void> {
  return tx([STORES.kv], 'readwrite', 'save a setting', async (t) => {
    await t.objectStore(STORES.kv).put(value, key);
  });
}

/** Removes `key` (no error if absent). */
export function kvDelete(key: string): Promise<void> {
  return tx([STORES.kv], 'readwrite', 'delete a setting', async (t) => {
    await t.objectStore(STORES.kv).delete(key);
  });
}
