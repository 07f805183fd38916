// Embedding cache: one record per (embedding key, text hash), value = the
// vector as a Float32Array. The embedding key names the encoder and its
// settings (e.g. 'distilbert-base-uncased@mean@v1'); texts are addressed by
// content, so projects sharing texts share vectors.
// 100k × 768 fp32 is ~300 MB: batches go through a single transaction each.
import type { IDBPObjectStore } from 'idb';
import { STORES, prefixRange, queueAll, tx, type StoreName, type SurrogateDB } from './db';

type EmbStore<M extends IDBTransactionMode> = IDBPObjectStore<SurrogateDB, StoreName[], 'embeddings', M>;

/** Result of a batch read: a row-major n × dim matrix and the rows not found. */
export interface EmbeddingLookup {
  /** n × dim, row i for hashes[i]; zeros where missing. */
  matrix: Float32Array;
  /** Indices into `hashes` with no stored vector (of the right length). */
  missing: number[];
}

function checkShape(hashes: readonly string[], matrix: Float32Array, dim: number): void {
  if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`Embedding dimension must be a positive integer, got ${dim}.`);
  if (matrix.length !== hashes.length * dim) {
    throw new RangeError(`Embedding matrix has ${matrix.length} values; expected ${hashes.length} texts × ${dim}.`);
  }
}

/** Writes rows of `matrix` under [embKey, hashes[i]] in a caller's transaction. */
export async function writeEmbeddings(store: EmbStore<'readwrite'>, embKey: string, hashes: readonly string[], matrix: Float32Array, dim: number): Promise<void> {
  checkShape(hashes, matrix, dim);
  // slice, not subarray: a view would structured-clone the whole buffer
  // into every record.
  await queueAll(hashes, (h, i) => store.put(matrix.slice(i * dim, (i + 1) * dim), [embKey, h]));
}

/** Reads vectors for `hashes` in a caller's transaction. */
export async function readEmbeddings<M extends IDBTransactionMode>(store: EmbStore<M>, embKey: string, hashes: readonly string[], dim: number): Promise<EmbeddingLookup> {
  const matrix = new Float32Array(hashes.length * dim);
  const missing: number[] = [];
  const vectors = await queueAll(hashes, (h) => store.get([embKey, h]));
  vectors.forEach((v, i) => {
    // A vector of another length belongs to a different encoder setting that
    // reused the key; recomputing it is safer than mixing shapes.
    if (v instanceof Float32Array && v.length === dim) matrix.set(v, i * dim);
    else missing.push(i);
  });
  return { matrix, missing };
}

/**
 * Stores the embeddings of `hashes` (row i of the row-major `matrix`, n × dim)
 * under `embKey`, all in one transaction.
 */
export async function putEmbeddings(embKey: string, hashes: readonly string[], matrix: Float32Array, dim: number): Promise<void> {
  checkShape(hashes, matrix, dim);
  return tx([STORES.embeddings], 'readwrite', 'save embeddings', (t) =>
    writeEmbeddings(t.objectStore(STORES.embeddings), embKey, hashes, matrix, dim),
  );
}

/** Loads the embeddings of `hashes` under `embKey` (one transaction); see EmbeddingLookup. */
export function getEmbeddings(embKey: string, hashes: readonly string[], dim: number): Promise<EmbeddingLookup> {
  return tx([STORES.embeddings], 'readonly', 'load embeddings', (t) => readEmbeddings(t.objectStore(STORES.embeddings), embKey, hashes, dim));
}

/** How many vectors are stored under `embKey`. */
export function countEmbeddings(embKey: string): Promise<number> {
  return tx([STORES.embeddings], 'readonly', 'count embeddings', (t) => t.objectStore(STORES.embeddings).count(prefixRange(embKey)));
}

/** Every embedding key present, in a caller's transaction. */
export async function embeddingKeysIn<M extends IDBTransactionMode>(store: EmbStore<M>): Promise<string[]> {
  const keys: string[] = [];
  let cursor = await store.openKeyCursor();
  while (cursor) {
    const embKey = cursor.key[0];
    keys.push(embKey);
    // Jump past every hash of this key instead of walking 100k records.
    cursor = await cursor.continue([embKey, []] as unknown as [string, string]);
  }
  return keys;
}

/** Every embedding key with its vector count, e.g. to show what to free. */
export function listEmbeddingKeys(): Promise<{ embKey: string; count: number }[]> {
  return tx([STORES.embeddings], 'readonly', 'list embeddings', async (t) => {
    const store = t.objectStore(STORES.embeddings);
    const keys = await embeddingKeysIn(store);
    const counts = await queueAll(keys, (k) => store.count(prefixRange(k)));
    return keys.map((embKey, i) => ({ embKey, count: counts[i] }));
  });
}

/** Deletes every vector under `embKey`; returns how many there were. */
export function deleteEmbeddings(embKey: string): Promise<number> {
  return tx([STORES.embeddings], 'readwrite', 'delete embeddings', async (t) => {
    const store = t.objectStore(STORES.embeddings);
    const n = await store.count(prefixRange(embKey));
    await store.delete(prefixRange(embKey));
    return n;
  });
}
