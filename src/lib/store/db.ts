// The one module that owns Surrogate's IndexedDB database: schema, upgrades,
// the cached connection and the tx() helper every domain verb goes through.
import { openDB, deleteDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { Project, StoredModel, StoredResponse, StoredResult, StoredRow, StoredSendLogEntry } from './types';
import { StoreError, StorageFullError } from './errors';

export const DB_NAME = 'surrogate';
export const DB_VERSION = 3;

// ─────────────────────────────────────────────────────────────────────────
// CHANGING THIS NEEDS A MIGRATION. Store names, key paths and indexes are
// baked into every user's browser. Add a new store or index with a new
// step at the end of STEPS and bump DB_VERSION to its length; never edit or remove an
// existing step.
// ─────────────────────────────────────────────────────────────────────────
export const STORES = {
  projects: 'projects',
  rows: 'rows',
  codebooks: 'codebooks',
  responses: 'responses',
  embeddings: 'embeddings',
  models: 'models',
  results: 'results',
  sendLog: 'sendLog',
  kv: 'kv',
  // v2: vectors in chunks of VECTOR_CHUNK (embeddings.ts); `embeddings` above
  // is the v1 layout, read once per key and moved into these.
  vectorKeys: 'vectorKeys',
  vectorHashes: 'vectorHashes',
  vectorChunks: 'vectorChunks',
} as const;

/** Rows are stored this many per record so 100k rows are ~50 puts, not 100k. */
export const ROW_CHUNK_SIZE = 2000;

/** One slice of a project's dataset, keyed [projectId, index]. */
export interface RowChunk {
  projectId: string;
  index: number;
  rows: StoredRow[];
}

/** Vectors are stored this many per record, so a million are ~1,000 records, not a million. */
export const VECTOR_CHUNK = 1024;

/** 'f16': IEEE half floats (Uint16Array bits), half the space of 'f32'. */
export type VectorFormat = 'f32' | 'f16';

/** What is stored under one embedding key; `epoch` changes when its vectors are wiped, so cached indexes know to reload. */
export interface VectorKeyRecord {
  embKey: string;
  dim: number;
  /** Vectors stored (records' counts summed). */
  count: number;
  /** The chunk number the next write takes; chunks [0, next) may exist. */
  next: number;
  epoch: string;
}

/** The text hashes of one vector chunk, in slot order: the hash → slot index, readable without the vectors. */
export interface VectorHashesRecord {
  embKey: string;
  chunk: number;
  hashes: string[];
}

/** One chunk of vectors: `hashes.length` rows of `dim` values, row-major, in `format`. */
export interface VectorChunkRecord {
  embKey: string;
  chunk: number;
  dim: number;
  format: VectorFormat;
  data: ArrayBuffer;
}

/** A codebook version wrapped with its owner, keyed [projectId, version]. */
export interface CodebookRecord {
  projectId: string;
  version: number;
  value: unknown;
}

export interface SurrogateDB extends DBSchema {
  projects: { key: string; value: Project };
  rows: { key: [string, number]; value: RowChunk };
  codebooks: { key: [string, number]; value: CodebookRecord };
  responses: { key: string; value: StoredResponse; indexes: { projectId: string; textHash: string } };
  // v1 layout, only read (and emptied) by the move into chunks: out-of-line
  // key [embeddingKey, textHash]; the value is the bare vector.
  embeddings: { key: [string, string]; value: Float32Array };
  models: { key: string; value: StoredModel; indexes: { projectId: string } };
  // v3: `projectKind` [projectId, kind, createdAt], so one kind is read
  // without the others (a comparison without every student's predictions).
  results: { key: string; value: StoredResult; indexes: { projectId: string; projectKind: [string, string, number] } };
  sendLog: { key: number; value: StoredSendLogEntry; indexes: { projectId: string } };
  kv: { key: string; value: unknown };
  vectorKeys: { key: string; value: VectorKeyRecord };
  vectorHashes: { key: [string, number]; value: VectorHashesRecord };
  vectorChunks: { key: [string, number]; value: VectorChunkRecord };
}

export type StoreName = StoreNames<SurrogateDB>;
export type Tx<N extends StoreName[], M extends IDBTransactionMode> = IDBPTransaction<SurrogateDB, N, M>;

type Step = (db: IDBPDatabase<SurrogateDB>, t: Tx<StoreName[], 'versionchange'>) => void;

/** Schema steps in order: STEPS[i] takes a database from version i to i + 1. */
const STEPS: Step[] = [
  (db) => {
    db.createObjectStore(STORES.projects, { keyPath: 'id' });
    db.createObjectStore(STORES.rows, { keyPath: ['projectId', 'index'] });
    db.createObjectStore(STORES.codebooks, { keyPath: ['projectId', 'version'] });
    const responses = db.createObjectStore(STORES.responses, { keyPath: 'key' });
    responses.createIndex('projectId', 'projectId');
    responses.createIndex('textHash', 'textHash');
    db.createObjectStore(STORES.embeddings);
    db.createObjectStore(STORES.models, { keyPath: 'id' }).createIndex('projectId', 'projectId');
    db.createObjectStore(STORES.results, { keyPath: 'id' }).createIndex('projectId', 'projectId');
    db.createObjectStore(STORES.sendLog, { keyPath: 'seq', autoIncrement: true }).createIndex('projectId', 'projectId');
    db.createObjectStore(STORES.kv);
  },
  (db) => {
    // Chunked vectors. The v1 `embeddings` store stays: its vectors are moved
    // into chunks the first time each key is used (embeddings.ts), outside
    // this upgrade, so a huge cache never blocks opening the database.
    db.createObjectStore(STORES.vectorKeys, { keyPath: 'embKey' });
    db.createObjectStore(STORES.vectorHashes, { keyPath: ['embKey', 'chunk'] });
    db.createObjectStore(STORES.vectorChunks, { keyPath: ['embKey', 'chunk'] });
  },
  (_db, t) => {
    // Results by kind. Every stored result has projectId, kind and createdAt,
    // so the browser indexes the existing ones as it builds the index.
    t.objectStore(STORES.results).createIndex('projectKind', ['projectId', 'kind', 'createdAt']);
  },
];

/**
 * Runs the steps from `oldVersion` up to `version` (DB_VERSION by default;
 * tests pass an older one to write a database as that version did).
 */
export function upgradeSchema(
  db: IDBPDatabase<SurrogateDB>,
  oldVersion: number,
  t: Tx<StoreName[], 'versionchange'>,
  version = DB_VERSION,
): void {
  for (let v = oldVersion; v < version; v++) STEPS[v](db, t);
}

let dbPromise: Promise<IDBPDatabase<SurrogateDB>> | null = null;

/** The shared connection, opened lazily; a failed or closed one is reopened next call. */
export function getDb(): Promise<IDBPDatabase<SurrogateDB>> {
  dbPromise ??= openDB<SurrogateDB>(DB_NAME, DB_VERSION, {
    upgrade: (db, oldVersion, _newVersion, t) => upgradeSchema(db, oldVersion, t),
    // Another tab (or clearAllData) wants a newer version or to delete the
    // database: step aside so it is not blocked; our next call reopens.
    blocking(_current, _blocked, event) {
      (event.target as IDBDatabase).close();
      dbPromise = null;
    },
    // The browser dropped the connection (e.g. storage cleared by the user).
    terminated() {
      dbPromise = null;
    },
  }).catch((err: unknown) => {
    dbPromise = null;
    if (isNamed(err) && err.name === 'VersionError') {
      // Another tab already upgraded the database to a newer schema.
      throw new StoreError(
        'open the browser database',
        'A newer version of Surrogate is open in another tab and has updated its storage. Reload this page to continue.',
        err,
      );
    }
    throw mapError(err, 'open the browser database', 'readonly');
  });
  return dbPromise;
}

/** Closes the shared connection, if any, so the database can be deleted. */
async function closeDb(): Promise<void> {
  const pending = dbPromise;
  dbPromise = null;
  if (!pending) return;
  try {
    (await pending).close();
  } catch (err) {
    // A connection that never opened has nothing to close; the open error
    // was already reported to whoever awaited it.
    if (!(err instanceof StoreError)) throw err;
  }
}

/** Deletes the whole database (all projects, caches and settings). */
export async function deleteDatabase(): Promise<void> {
  await closeDb();
  try {
    await deleteDB(DB_NAME);
  } catch (err) {
    throw mapError(err, 'delete the browser database', 'readwrite');
  }
}

/** Test hook: close and delete the database so the next test starts empty. */
export async function resetDbForTests(): Promise<void> {
  await deleteDatabase();
}

function isNamed(err: unknown): err is { name: string; message: string } {
  return typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string';
}

/**
 * Turns a browser storage failure into a typed error naming the operation.
 * Our own errors and programming errors (TypeError...) pass through unchanged.
 */
export function mapError(err: unknown, op: string, mode: IDBTransactionMode): unknown {
  if (err instanceof StoreError) return err;
  if (isNamed(err) && err.name === 'QuotaExceededError') return new StorageFullError(op, err);
  if (typeof DOMException !== 'undefined' && err instanceof DOMException) {
    const tail = mode === 'readonly' ? '' : ' Nothing was written; your data is intact.';
    if (err.name === 'DataCloneError') {
      return new StoreError(op, `Could not ${op}: a value cannot be stored in the browser database (${err.message}).${tail}`, err);
    }
    return new StoreError(op, `Could not ${op}: the browser database reported ${err.name}: ${err.message}.${tail}`, err);
  }
  return err;
}

function abortQuietly(t: { abort(): void }): void {
  try {
    t.abort();
  } catch (err) {
    // InvalidStateError: the transaction already finished or is aborting
    // because a request failed; either way nothing more will be committed.
    if (!(isNamed(err) && err.name === 'InvalidStateError')) throw err;
  }
}

/**
 * Runs `fn` in one transaction over `names`. Either every write in it lands or
 * none does: if `fn` throws (or any request fails) the transaction is aborted.
 * `op` names the operation in error messages ("save the dataset").
 * Hazard: `fn` must only await IndexedDB requests of `t`; awaiting anything
 * else (fetch, timers) lets the transaction auto-commit early.
 */
export async function tx<N extends StoreName[], M extends IDBTransactionMode, T>(
  names: N,
  mode: M,
  op: string,
  fn: (t: Tx<N, M>) => Promise<T>,
): Promise<T> {
  let t: Tx<N, M>;
  try {
    t = (await getDb()).transaction(names, mode);
  } catch (err) {
    if (!(isNamed(err) && err.name === 'InvalidStateError')) throw mapError(err, op, mode);
    // The cached connection was closing (another tab upgrading or deleting
    // the database): open a fresh one and try once more.
    dbPromise = null;
    try {
      t = (await getDb()).transaction(names, mode);
    } catch (again) {
      throw mapError(again, op, mode);
    }
  }
  // Observe `done` now so an abort never surfaces as an unhandled rejection.
  const done = t.done.then(
    () => null,
    (err: unknown) => ({ err }),
  );
  let result: T;
  try {
    result = await fn(t);
  } catch (err) {
    abortQuietly(t);
    const settled = await done;
    // A quota failure often shows up as the transaction's error, with the
    // request merely reporting an abort; prefer the more specific one.
    const reason = settled && isNamed(settled.err) && settled.err.name === 'QuotaExceededError' ? settled.err : err;
    throw mapError(reason, op, mode);
  }
  const settled = await done;
  if (settled) throw mapError(settled.err, op, mode);
  return result;
}

/** A fresh random id; crypto.randomUUID needs a secure context, so fall back. */
export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The key range covering every compound key that starts with `first`. */
export function prefixRange(first: string): IDBKeyRange {
  // Arrays sort after every string and number, so [first, []] bounds them all.
  return IDBKeyRange.bound([first], [first, []]);
}

function alreadyReported(): void {
  // The batch's first failure is what the caller sees; the rest are the
  // AbortErrors of requests rolled back with it.
}

/**
 * Promise.all over requests queued by `start(item)`. Hazard it handles: idb
 * throws synchronously for an invalid key or uncloneable value, which would
 * orphan the promises already queued (they reject with AbortError once the
 * transaction aborts) as unhandled rejections.
 */
export function queueAll<T, R>(items: readonly T[], start: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const started: Promise<R>[] = [];
  try {
    items.forEach((item, i) => started.push(start(item, i)));
  } catch (err) {
    for (const p of started) p.catch(alreadyReported);
    throw err;
  }
  return Promise.all(started);
}

/** queueAll over thunks, for a batch of different requests. */
export function runAll(thunks: readonly (() => Promise<unknown>)[]): Promise<unknown[]> {
  return queueAll(thunks, (f) => f());
}
