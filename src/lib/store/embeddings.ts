// Embedding cache. The embedding key names the encoder and its recipe
// (embed/keys.ts); texts are addressed by content hash, so projects sharing
// texts share vectors. Since DB v2 the vectors of a key are stored
// VECTOR_CHUNK per record (vectorChunks), with each chunk's hashes in a
// separate small record (vectorHashes) and a summary per key (vectorKeys):
// a million vectors are ~1,000 requests, and "which of these are stored?" is
// answered from the hashes alone, never by loading vectors.
//
// Each JS realm (page, embed worker, train worker) keeps the hash → slot
// index of the keys it used, and brings it up to date from vectorKeys on
// every call: new chunks are read incrementally, a changed epoch (the key was
// wiped) reloads it. Everything here works in workers as well as the page.
//
// Vectors a project file brought are not this browser's own computation, so
// they never enter the shared cache: they are stored under the imported
// project's own key (projectVectorKey), which only that project reads
// (vectorKeyFor). Another project with the same texts and encoder computes
// its own.
import type { IDBPObjectStore } from 'idb';
import {
  STORES,
  VECTOR_CHUNK,
  newId,
  prefixRange,
  runAll,
  tx,
  type StoreName,
  type SurrogateDB,
  type Tx,
  type VectorFormat,
  type VectorKeyRecord,
} from './db';
import { fromHalf, toHalf } from './half';
import { HashSlots } from './slots';

export type { VectorFormat } from './db';

/** Result of a batch read: a row-major n × dim matrix and the rows not found. */
export interface EmbeddingLookup {
  /** n × dim, row i for hashes[i]; zeros where missing. */
  matrix: Float32Array;
  /** Indices into `hashes` with no stored vector (of the right length). */
  missing: number[];
}

interface Index {
  epoch: string;
  dim: number;
  count: number;
  /** Chunks [0, next) are in `slots`. */
  next: number;
  slots: HashSlots;
}

const indexes = new Map<string, Index>();
const PAGE = 64; // hash records per getAll while loading an index

const SCOPE = 'project|';

/** The stores deleteProjectVectorsIn needs. */
export const VECTOR_STORES: ('vectorKeys' | 'vectorHashes' | 'vectorChunks')[] = [
  STORES.vectorKeys,
  STORES.vectorHashes,
  STORES.vectorChunks,
];

/** The start of every project key of `projectId` (its id escaped: an id from a file may hold '|'). */
const scopeOf = (projectId: string) => `${SCOPE}${encodeURIComponent(projectId)}|`;

/** The key a project's imported vectors of `embKey` are stored under: read by that project alone. */
export function projectVectorKey(embKey: string, projectId: string): string {
  return `${scopeOf(projectId)}${embKey}`;
}

/** The project and encoder key of a project key; null for a key of the shared cache. */
export function vectorScope(key: string): { projectId: string; embKey: string } | null {
  if (!key.startsWith(SCOPE)) return null;
  const bar = key.indexOf('|', SCOPE.length);
  if (bar < 0) return null;
  try {
    return { projectId: decodeURIComponent(key.slice(SCOPE.length, bar)), embKey: key.slice(bar + 1) };
  } catch {
    return null; // not one of ours (a key an older import took from a file as it came)
  }
}

/**
 * The key project `projectId`'s vectors of `embKey` are read and stored
 * under: its own key when a project file brought vectors for it (then it
 * computes what is missing there too), else the shared cache's.
 */
export async function vectorKeyFor(embKey: string, projectId: string | null | undefined): Promise<string> {
  if (!projectId) return embKey;
  const own = projectVectorKey(embKey, projectId);
  const meta = await tx([STORES.vectorKeys], 'readonly', 'read the embedding index', (t) => t.objectStore(STORES.vectorKeys).get(own));
  return meta && meta.count > 0 ? own : embKey;
}

/** A read-write transaction over (at least) the vector stores. */
type VectorDeleter = Pick<Tx<typeof VECTOR_STORES, 'readwrite'>, 'objectStore'>;

/**
 * Inside `t` (over vectorKeys, vectorHashes and vectorChunks, read-write):
 * deletes every project key of `projectId`, its imported vectors and those
 * computed beside them. For deleting a project, or undoing its import.
 */
export async function deleteProjectVectorsIn(t: VectorDeleter, projectId: string): Promise<void> {
  const lo = scopeOf(projectId);
  const hi = `${lo}\uffff`;
  await runAll([
    () => t.objectStore(STORES.vectorKeys).delete(IDBKeyRange.bound(lo, hi)),
    () => t.objectStore(STORES.vectorHashes).delete(IDBKeyRange.bound([lo], [hi, []])),
    () => t.objectStore(STORES.vectorChunks).delete(IDBKeyRange.bound([lo], [hi, []])),
  ]);
  for (const k of [...indexes.keys()]) if (k.startsWith(lo)) indexes.delete(k);
}

function checkShape(hashes: readonly string[], matrix: Float32Array, dim: number): void {
  if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`Embedding dimension must be a positive integer, got ${dim}.`);
  if (matrix.length !== hashes.length * dim) {
    throw new RangeError(`Embedding matrix has ${matrix.length} values; expected ${hashes.length} texts × ${dim}.`);
  }
}

/** Bytes one stored vector takes (the vector data only). */
export function vectorBytes(dim: number, format: VectorFormat = 'f32'): number {
  return dim * (format === 'f16' ? 2 : 4);
}

/**
 * The up-to-date hash → slot index of `embKey` (slot = chunk × VECTOR_CHUNK + row).
 * Vectors still in the v1 layout are moved into chunks first.
 */
async function indexOf(embKey: string): Promise<Index> {
  for (;;) {
    const idx = await tx([STORES.embeddings, STORES.vectorKeys, STORES.vectorHashes], 'readonly', 'read the embedding index', async (t) => {
      if ((await t.objectStore(STORES.embeddings).getKey(prefixRange(embKey))) !== undefined) return null;
      const meta = await t.objectStore(STORES.vectorKeys).get(embKey);
      let idx = indexes.get(embKey);
      if (!meta) idx = { epoch: '', dim: 0, count: 0, next: 0, slots: new HashSlots() };
      else {
        if (!idx || idx.epoch !== meta.epoch) idx = { epoch: meta.epoch, dim: meta.dim, count: 0, next: 0, slots: new HashSlots() };
        const store = t.objectStore(STORES.vectorHashes);
        while (idx.next < meta.next) {
          const page = await store.getAll(IDBKeyRange.bound([embKey, idx.next], [embKey, meta.next - 1]), PAGE);
          for (const r of page) r.hashes.forEach((h, i) => idx!.slots.set(h, r.chunk * VECTOR_CHUNK + i));
          idx.next = page.length < PAGE ? meta.next : page[page.length - 1].chunk + 1;
        }
        idx.dim = meta.dim;
        idx.count = meta.count;
      }
      indexes.set(embKey, idx);
      return idx;
    });
    if (idx) return idx;
    await moveLegacy(embKey);
  }
}

/**
 * Moves up to VECTOR_CHUNK v1 vectors of `embKey` into one chunk and deletes
 * them from the v1 store, in one transaction (so each vector is in exactly
 * one layout at any time). A key has one width: vectors of another length
 * than its first (a different encoder that reused the key) are dropped, as
 * v1 reads already treated them as missing.
 */
async function moveLegacy(embKey: string): Promise<void> {
  const stores = [STORES.embeddings, STORES.vectorKeys, STORES.vectorHashes, STORES.vectorChunks];
  await tx(stores, 'readwrite', 'move stored embeddings to the chunked layout', async (t) => {
    const legacy = t.objectStore(STORES.embeddings);
    const hashes: string[] = [];
    const vectors: Float32Array[] = [];
    let first: [string, string] | null = null;
    let last: [string, string] | null = null;
    for (let c = await legacy.openCursor(prefixRange(embKey)); c && hashes.length < VECTOR_CHUNK; c = await c.continue()) {
      first ??= c.key;
      last = c.key;
      if (c.value instanceof Float32Array && c.value.length > 0) {
        hashes.push(c.key[1]);
        vectors.push(c.value);
      }
    }
    if (!first || !last) return;
    const keys = t.objectStore(STORES.vectorKeys);
    const meta = (await keys.get(embKey)) ?? { embKey, dim: vectors[0]?.length ?? 0, count: 0, next: 0, epoch: newId() };
    const keep = vectors.flatMap((v, i) => (v.length === meta.dim ? [i] : []));
    if (keep.length > 0) {
      const matrix = new Float32Array(keep.length * meta.dim);
      keep.forEach((k, i) => matrix.set(vectors[k], i * meta.dim));
      await writeChunks(
        t,
        meta,
        keep.map((k) => hashes[k]),
        matrix,
        'f32',
      );
      await keys.put(meta);
    }
    await legacy.delete(IDBKeyRange.bound(first, last));
  });
}

type Store<N extends StoreName, M extends IDBTransactionMode> = IDBPObjectStore<SurrogateDB, StoreName[], N, M>;
interface ChunkWriter {
  objectStore(name: 'vectorHashes'): Store<'vectorHashes', 'readwrite'>;
  objectStore(name: 'vectorChunks'): Store<'vectorChunks', 'readwrite'>;
}

/** Writes `hashes` (rows of `matrix`, meta.dim wide) as new chunks of `meta`, updating it in place (the caller puts it). */
async function writeChunks(
  t: ChunkWriter,
  meta: VectorKeyRecord,
  hashes: readonly string[],
  matrix: Float32Array,
  format: VectorFormat,
): Promise<void> {
  const dim = meta.dim;
  const puts: (() => Promise<unknown>)[] = [];
  for (let s = 0; s < hashes.length; s += VECTOR_CHUNK) {
    const part = hashes.slice(s, s + VECTOR_CHUNK);
    const values = matrix.subarray(s * dim, (s + part.length) * dim);
    // A copy in both cases: a view would structured-clone the whole source buffer.
    const data = (format === 'f16' ? toHalf(values) : values.slice()).buffer as ArrayBuffer;
    const chunk = meta.next++;
    puts.push(
      () => t.objectStore(STORES.vectorHashes).put({ embKey: meta.embKey, chunk, hashes: part }),
      () => t.objectStore(STORES.vectorChunks).put({ embKey: meta.embKey, chunk, dim, format, data }),
    );
    meta.count += part.length;
  }
  await runAll(puts);
}

/**
 * Stores the vectors of `hashes` (row i of the row-major n × dim `matrix`)
 * under `embKey` in one transaction, skipping hashes already stored (and
 * repeats within the batch). A width other than the key's replaces all of
 * its vectors: they came from a different encoder that reused the key
 * (with `keepOther`, as an import asks, those stay and nothing is written).
 * `format` 'f16' stores half floats. Returns how many were written.
 */
export async function putEmbeddings(
  embKey: string,
  hashes: readonly string[],
  matrix: Float32Array,
  dim: number,
  format: VectorFormat = 'f32',
  opts: { keepOther?: boolean } = {},
): Promise<number> {
  checkShape(hashes, matrix, dim);
  const idx = await indexOf(embKey);
  const sameDim = idx.dim === dim;
  // An import only adds: vectors of another width under the key stay, and these are left out.
  if (opts.keepOther && !sameDim && idx.count > 0) return 0;
  const batch = new Set<string>();
  const pick: number[] = [];
  hashes.forEach((h, i) => {
    if ((sameDim && idx.slots.has(h)) || batch.has(h)) return;
    batch.add(h);
    pick.push(i);
  });
  if (pick.length === 0) return 0;
  const rows = pick.length === hashes.length ? matrix : gatherRows(matrix, pick, dim);
  const stores = [STORES.vectorKeys, STORES.vectorHashes, STORES.vectorChunks];
  await tx(stores, 'readwrite', 'save embeddings', async (t) => {
    const keys = t.objectStore(STORES.vectorKeys);
    let meta = await keys.get(embKey);
    if (meta && meta.dim !== dim && opts.keepOther && meta.count > 0) return;
    if (meta && meta.dim !== dim) {
      await runAll([
        () => t.objectStore(STORES.vectorHashes).delete(prefixRange(embKey)),
        () => t.objectStore(STORES.vectorChunks).delete(prefixRange(embKey)),
      ]);
      meta = undefined;
    }
    meta ??= { embKey, dim, count: 0, next: 0, epoch: newId() };
    await writeChunks(
      t,
      meta,
      pick.map((i) => hashes[i]),
      rows,
      format,
    );
    await keys.put(meta);
  });
  return pick.length;
}

function gatherRows(matrix: Float32Array, pick: number[], dim: number): Float32Array {
  const out = new Float32Array(pick.length * dim);
  pick.forEach((r, i) => out.set(matrix.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}

/**
 * Where each hash's vector is stored under `embKey` (-1 = not stored), and the
 * key's width (null when nothing is stored). Reads hashes only, never vectors.
 */
export async function embeddingSlots(embKey: string, hashes: readonly string[]): Promise<{ dim: number | null; slots: Int32Array }> {
  const idx = await indexOf(embKey);
  const slots = new Int32Array(hashes.length);
  for (let i = 0; i < hashes.length; i++) slots[i] = idx.slots.get(hashes[i]);
  return { dim: idx.count > 0 ? idx.dim : null, slots };
}

/** The chunk a slot lives in (rows of one chunk are read together). */
export const chunkOfSlot = (slot: number) => Math.floor(slot / VECTOR_CHUNK);

/**
 * Loads the vectors of `hashes` under `embKey` into `out` (n × dim, zeros
 * where missing), reading only the chunks that hold them, a few at a time.
 */
export async function getEmbeddings(
  embKey: string,
  hashes: readonly string[],
  dim: number,
  out = new Float32Array(hashes.length * dim),
): Promise<EmbeddingLookup> {
  if (out.length !== hashes.length * dim)
    throw new RangeError(`The output holds ${out.length} values; expected ${hashes.length} × ${dim}.`);
  const { dim: stored, slots } = await embeddingSlots(embKey, hashes);
  const missing: number[] = [];
  const byChunk = new Map<number, number[]>();
  slots.forEach((slot, i) => {
    if (slot < 0 || stored !== dim) return void missing.push(i);
    const c = chunkOfSlot(slot);
    let list = byChunk.get(c);
    if (!list) byChunk.set(c, (list = []));
    list.push(i);
  });
  const chunks = [...byChunk.keys()].sort((a, b) => a - b);
  if (chunks.length > 0) {
    await tx([STORES.vectorChunks], 'readonly', 'load embeddings', async (t) => {
      const store = t.objectStore(STORES.vectorChunks);
      let next = 0;
      // A few requests in flight: fast, yet memory stays a few chunks.
      const lane = async (): Promise<void> => {
        while (next < chunks.length) {
          const c = chunks[next++];
          const rec = await store.get([embKey, c]);
          for (const i of byChunk.get(c)!) {
            const row = slots[i] - c * VECTOR_CHUNK;
            if (!rec || rec.dim !== dim || (row + 1) * vectorBytes(dim, rec.format) > rec.data.byteLength) missing.push(i);
            else copyRow(rec.data, rec.format, row, dim, out, i);
          }
        }
      };
      await Promise.all([lane(), lane(), lane(), lane()]);
    });
  }
  missing.sort((a, b) => a - b);
  return { matrix: out, missing };
}

function copyRow(data: ArrayBuffer, format: VectorFormat, row: number, dim: number, out: Float32Array, at: number): void {
  if (format === 'f16') fromHalf(new Uint16Array(data, row * dim * 2, dim), out, at * dim);
  else out.set(new Float32Array(data, row * dim * 4, dim), at * dim);
}

/** One stored chunk as it is read for export: its hashes and vectors (float32, n × dim). */
export interface VectorChunk {
  hashes: string[];
  dim: number;
  format: VectorFormat;
  /** The stored bytes (float32 or half-float bits, little-endian). */
  data: ArrayBuffer;
}

/**
 * Calls `fn` with each stored chunk of `embKey`, one transaction per chunk,
 * so `fn` may await anything (a file write) and memory stays one chunk.
 */
export async function forEachEmbeddingChunk(embKey: string, fn: (chunk: VectorChunk) => Promise<void> | void): Promise<void> {
  await indexOf(embKey); // moves v1 vectors first
  const numbers = await tx([STORES.vectorHashes], 'readonly', 'list embeddings', async (t) =>
    (await t.objectStore(STORES.vectorHashes).getAllKeys(prefixRange(embKey))).map((k) => k[1]),
  );
  for (const c of numbers) {
    const chunk = await tx([STORES.vectorHashes, STORES.vectorChunks], 'readonly', 'load embeddings', async (t) => {
      const [h, v] = await Promise.all([
        t.objectStore(STORES.vectorHashes).get([embKey, c]),
        t.objectStore(STORES.vectorChunks).get([embKey, c]),
      ]);
      return h && v ? { hashes: h.hashes, dim: v.dim, format: v.format, data: v.data } : null;
    });
    if (chunk) await fn(chunk);
  }
}

/** How many vectors are stored under `embKey`: counts only, no vectors or hashes read. */
export async function countEmbeddings(embKey: string): Promise<number> {
  return tx([STORES.vectorKeys, STORES.embeddings], 'readonly', 'count embeddings', async (t) => {
    const [meta, legacy] = await Promise.all([
      t.objectStore(STORES.vectorKeys).get(embKey),
      t.objectStore(STORES.embeddings).count(prefixRange(embKey)),
    ]);
    return (meta?.count ?? 0) + legacy;
  });
}

/** Every embedding key with its vector count (either layout), e.g. to show what to free. */
export async function listEmbeddingKeys(): Promise<{ embKey: string; count: number }[]> {
  return tx([STORES.vectorKeys, STORES.embeddings], 'readonly', 'list embeddings', async (t) => {
    const legacyStore = t.objectStore(STORES.embeddings);
    const metas = await t.objectStore(STORES.vectorKeys).getAll();
    const counts = new Map(metas.map((m) => [m.embKey, m.count]));
    for (const k of await legacyKeys(legacyStore)) counts.set(k, (counts.get(k) ?? 0) + (await legacyStore.count(prefixRange(k))));
    return [...counts]
      .map(([embKey, count]) => ({ embKey, count }))
      .sort((a, b) => (a.embKey < b.embKey ? -1 : a.embKey > b.embKey ? 1 : 0));
  });
}

/** Bytes the stored vectors take (as float32; the data only), e.g. to size an export before writing it. */
export async function embeddingsBytes(): Promise<number> {
  const metas = await tx([STORES.vectorKeys], 'readonly', 'list embeddings', (t) => t.objectStore(STORES.vectorKeys).getAll());
  return metas.reduce((s, m) => s + m.count * vectorBytes(m.dim), 0);
}

/** Keys present in the v1 store (not moved yet): one cursor step per key. */
async function legacyKeys(store: Store<'embeddings', IDBTransactionMode>): Promise<string[]> {
  const keys: string[] = [];
  let cursor = await store.openKeyCursor();
  while (cursor) {
    const embKey = cursor.key[0];
    keys.push(embKey);
    // Jump past every hash of this key instead of walking its records.
    cursor = await cursor.continue([embKey, []] as unknown as [string, string]);
  }
  return keys;
}

/** Every embedding key with vectors stored (either layout). */
export async function embeddingKeys(): Promise<string[]> {
  return (await listEmbeddingKeys()).filter((k) => k.count > 0).map((k) => k.embKey);
}

/** Deletes every vector under `embKey` (both layouts); returns how many there were. */
export async function deleteEmbeddings(embKey: string): Promise<number> {
  const stores = [STORES.embeddings, STORES.vectorKeys, STORES.vectorHashes, STORES.vectorChunks];
  const n = await tx(stores, 'readwrite', 'delete embeddings', async (t) => {
    const range = prefixRange(embKey);
    const [legacy, meta] = await Promise.all([t.objectStore(STORES.embeddings).count(range), t.objectStore(STORES.vectorKeys).get(embKey)]);
    await runAll([
      () => t.objectStore(STORES.embeddings).delete(range),
      () => t.objectStore(STORES.vectorKeys).delete(embKey),
      () => t.objectStore(STORES.vectorHashes).delete(range),
      () => t.objectStore(STORES.vectorChunks).delete(range),
    ]);
    return legacy + (meta?.count ?? 0);
  });
  indexes.delete(embKey);
  return n;
}
