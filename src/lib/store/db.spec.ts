import { afterEach, describe, expect, it, vi } from 'vitest';
import { DB_NAME, StorageFullError, StoreError, countRows, createProject, getRows, listProjects, putRows, resetDbForTests } from './index';
import { makeRows } from './fixtures';

afterEach(async () => {
  vi.restoreAllMocks();
  await resetDbForTests();
});

function settle(req: IDBOpenDBRequest): Promise<IDBDatabase | undefined> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result ?? undefined);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('blocked: the store did not close its connection'));
  });
}

describe('tx error mapping', () => {
  it('turns QuotaExceededError into StorageFullError and rolls the whole write back', async () => {
    const p = await createProject('P');
    const old = makeRows(100, 'old');
    await putRows(p.id, old);

    // The browser refuses the third chunk for lack of space.
    const realPut = IDBObjectStore.prototype.put;
    let calls = 0;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      if (++calls === 3) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realPut.apply(this, args);
    });
    const err = await putRows(p.id, makeRows(10_000, 'new')).catch((e: unknown) => e);
    vi.restoreAllMocks();

    expect(err).toBeInstanceOf(StorageFullError);
    expect(err).toBeInstanceOf(StoreError);
    const message = (err as Error).message;
    expect(message).toContain("The browser's storage for this site is full");
    expect(message).toContain('Free space by deleting old projects or embeddings');
    expect(message).toContain('nothing was written, your data is intact');
    expect((err as StoreError).op).toBe('save the dataset');
    expect(await getRows(p.id)).toEqual(old);
    expect(await countRows(p.id)).toBe(100);
  });
});

describe('connection lifecycle', () => {
  it('steps aside when another tab deletes the database, then reopens an empty one', async () => {
    await createProject('P');
    await settle(indexedDB.deleteDatabase(DB_NAME));
    expect(await listProjects()).toEqual([]);
  });

  it('explains a newer schema opened by another tab, and recovers once it is gone', async () => {
    await resetDbForTests();
    (await settle(indexedDB.open(DB_NAME, 99)))!.close();
    const err = await listProjects().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(/newer version of Surrogate.*Reload/);
    await settle(indexedDB.deleteDatabase(DB_NAME));
    expect(await listProjects()).toEqual([]);
  });
});
