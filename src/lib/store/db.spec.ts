import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDB } from 'idb';
import {
  DB_NAME,
  StorageFullError,
  StoreError,
  countRows,
  createProject,
  getProject,
  getRows,
  latestComparison,
  latestPredictions,
  listModels,
  listPredictions,
  listProjects,
  putRows,
  resetDbForTests,
} from './index';
import { upgradeSchema, type SurrogateDB } from './db';
import { comparison, makeRows, model, predictions, storedResults } from './fixtures';
import { blankProject } from './projects';

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

describe('migration from DB v2', () => {
  it('opens a database written by DB v2 and reads its results by kind, keeping every record', async () => {
    await resetDbForTests();
    // The schema exactly as v2 built it (the same steps, stopped at 2), with a project's records.
    const v2 = await openDB<SurrogateDB>(DB_NAME, 2, { upgrade: (db, old, _new, t) => upgradeSchema(db, old, t, 2) });
    expect(v2.objectStoreNames.contains('results')).toBe(true);
    const project = { ...blankProject('Old', 'p', 5), splits: { seed: 1, validation: ['a'], test: ['b'], pool: ['c'] } };
    const records = [
      { id: 'predictions|m1', projectId: 'p', createdAt: 10, kind: 'predictions' as const, data: predictions('m1', ['a', 'b']) },
      { id: 'predictions|m2', projectId: 'p', createdAt: 30, kind: 'predictions' as const, data: predictions('m2', ['a']) },
      { id: 'comparison|20', projectId: 'p', createdAt: 20, kind: 'comparison' as const, data: comparison(20) },
      { id: 'comparison|40', projectId: 'p', createdAt: 40, kind: 'comparison' as const, data: comparison(40) },
    ];
    const t = v2.transaction(['projects', 'models', 'results'], 'readwrite');
    await Promise.all([
      t.objectStore('projects').put(project),
      t.objectStore('models').put(model('m1', 'p')),
      ...records.map((r) => t.objectStore('results').put(r)),
      t.done,
    ]);
    v2.close();

    expect(await getProject('p')).toEqual(project);
    expect((await listModels('p')).items).toEqual([model('m1', 'p')]);
    expect((await latestPredictions('p'))?.id).toBe('predictions|m2');
    expect((await listPredictions('p')).items.map((r) => r.id)).toEqual(['predictions|m1', 'predictions|m2']);
    const saved = await latestComparison('p');
    expect(saved).toMatchObject({ count: 2, result: { id: 'comparison|40' } });
    expect((await storedResults('p')).map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort());
    const db = await settle(indexedDB.open(DB_NAME));
    expect(db!.version).toBe(3);
    db!.close();
  });

  it('refuses to open a project whose saved split is damaged, naming it', async () => {
    const p = await createProject('P');
    const db = await openDB<SurrogateDB>(DB_NAME);
    await db.put('projects', { ...p, splits: { seed: 1, validation: 'a,b' } as never });
    db.close();
    await expect(getProject(p.id)).rejects.toThrow(
      'Could not open the project: the saved split into validation, test and pool is damaged (no usable validation ids).',
    );
  });
});
