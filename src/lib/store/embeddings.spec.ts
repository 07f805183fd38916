// The chunked vector layout (DB v2): chunks of VECTOR_CHUNK, the hash index,
// half-float storage, the move of v1 vectors, and indexes kept by several
// realms (page and workers) staying current.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDB } from 'idb';
import { DB_NAME, DB_VERSION, VECTOR_CHUNK, upgradeSchema, type SurrogateDB } from './db';
import {
  countEmbeddings,
  deleteEmbeddings,
  embeddingSlots,
  forEachEmbeddingChunk,
  getEmbeddings,
  listEmbeddingKeys,
  putEmbeddings,
} from './embeddings';
import { fromHalf, halfBits, toHalf } from './half';
import { HashSlots } from './slots';
import { resetDbForTests } from './index';
import { hashText } from '../data/hash';

afterEach(async () => {
  vi.restoreAllMocks();
  await resetDbForTests();
});

const hashes = (n: number, tag = 't') => Array.from({ length: n }, (_, i) => hashText(`${tag} ${i}`));
const matrix = (n: number, dim: number, base = 0) => Float32Array.from({ length: n * dim }, (_, i) => Math.sin(base + i));

function settle<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** A database exactly as DB v1 wrote it (the same steps, stopped at 1), with vectors one record each under [embKey, hash]. */
async function writeV1(vectors: { embKey: string; hash: string; v: Float32Array }[]): Promise<void> {
  const db = await openDB<SurrogateDB>(DB_NAME, 1, { upgrade: (d, old, _new, t) => upgradeSchema(d, old, t, 1) });
  const t = db.transaction('embeddings', 'readwrite');
  await Promise.all([...vectors.map(({ embKey, hash, v }) => t.objectStore('embeddings').put(v, [embKey, hash])), t.done]);
  db.close();
}

/** Which stores a call reads, by name. */
function watchReads(): string[] {
  const seen: string[] = [];
  for (const m of ['get', 'getAll', 'openCursor'] as const) {
    const real = IDBObjectStore.prototype[m] as (...a: unknown[]) => IDBRequest;
    vi.spyOn(IDBObjectStore.prototype, m).mockImplementation(function (this: IDBObjectStore, ...args: unknown[]) {
      seen.push(this.name);
      return real.apply(this, args);
    } as never);
  }
  return seen;
}

describe('chunked vectors', () => {
  it('stores VECTOR_CHUNK vectors per record and reads back any subset in any order', async () => {
    const dim = 8;
    const h = hashes(2500);
    const m = matrix(2500, dim);
    expect(await putEmbeddings('enc', h, m, dim)).toBe(2500);
    const sizes: number[] = [];
    await forEachEmbeddingChunk('enc', (c) => void sizes.push(c.hashes.length));
    expect(sizes).toEqual([VECTOR_CHUNK, VECTOR_CHUNK, 2500 - 2 * VECTOR_CHUNK]);

    const ask = [h[2499], 'absent', h[0], h[1500], h[0]];
    const { matrix: back, missing } = await getEmbeddings('enc', ask, dim);
    expect(missing).toEqual([1]);
    const row = (i: number) => Array.from(m.subarray(i * dim, (i + 1) * dim));
    expect(Array.from(back.subarray(0, dim))).toEqual(row(2499));
    expect(Array.from(back.subarray(dim, 2 * dim))).toEqual(new Array(dim).fill(0));
    expect(Array.from(back.subarray(2 * dim, 3 * dim))).toEqual(row(0));
    expect(Array.from(back.subarray(3 * dim, 4 * dim))).toEqual(row(1500));
    expect(Array.from(back.subarray(4 * dim))).toEqual(row(0));
  });

  it('answers "which are stored?" from the hashes alone, never reading a vector', async () => {
    const h = hashes(3000);
    await putEmbeddings('enc', h, matrix(3000, 16), 16);
    const reads = watchReads();
    const { dim, slots } = await embeddingSlots('enc', [...h, 'nope']);
    expect(dim).toBe(16);
    expect(slots.filter((s) => s >= 0)).toHaveLength(3000);
    expect(slots[3000]).toBe(-1);
    expect(await countEmbeddings('enc')).toBe(3000);
    expect(reads).toContain('vectorKeys'); // the spy sees reads
    expect(reads).not.toContain('vectorChunks');
    expect(reads.filter((s) => s === 'vectorHashes').length).toBeLessThanOrEqual(2); // pages of 64 chunk records
  });

  it('writes each hash once: repeats in a batch and already stored hashes are skipped', async () => {
    const h = hashes(10);
    expect(await putEmbeddings('enc', [...h, h[0]], matrix(11, 4), 4)).toBe(10);
    expect(await putEmbeddings('enc', h.slice(5), matrix(5, 4, 99), 4)).toBe(0);
    expect(await countEmbeddings('enc')).toBe(10);
    // The first write stays.
    expect(Array.from((await getEmbeddings('enc', [h[5]], 4)).matrix)).toEqual(Array.from(matrix(11, 4).subarray(20, 24)));
  });

  it('a new width under the same key replaces the old vectors', async () => {
    const h = hashes(3);
    await putEmbeddings('enc', h, matrix(3, 4), 4);
    await putEmbeddings('enc', h.slice(0, 1), matrix(1, 6), 6);
    expect(await countEmbeddings('enc')).toBe(1);
    expect((await getEmbeddings('enc', h, 4)).missing).toEqual([0, 1, 2]);
    expect((await getEmbeddings('enc', h, 6)).missing).toEqual([1, 2]);
  });

  it('stores half floats on request: half the bytes, within half precision', async () => {
    const dim = 384;
    const h = hashes(50);
    const m = matrix(50, dim);
    await putEmbeddings('half', h, m, dim, 'f16');
    let bytes = 0;
    await forEachEmbeddingChunk('half', (c) => {
      expect(c.format).toBe('f16');
      bytes += c.data.byteLength;
    });
    expect(bytes).toBe(50 * dim * 2);
    const back = (await getEmbeddings('half', h, dim)).matrix;
    for (let i = 0; i < m.length; i++) expect(Math.abs(back[i] - m[i])).toBeLessThanOrEqual(Math.abs(m[i]) * 2 ** -11 + 2 ** -25);
  });
});

describe('indexes in several realms (page, embed worker, train worker)', () => {
  it("each sees the others' writes and deletes on its next call", async () => {
    vi.resetModules();
    const other = await import('./embeddings'); // a second module instance, as in another worker
    const h = hashes(1500);
    await putEmbeddings('enc', h.slice(0, 1000), matrix(1000, 4), 4);
    expect((await other.embeddingSlots('enc', h)).slots.filter((s) => s >= 0)).toHaveLength(1000);
    await other.putEmbeddings('enc', h, matrix(1500, 4), 4); // writes only the 500 it lacks
    expect((await embeddingSlots('enc', h)).slots.every((s) => s >= 0)).toBe(true);
    expect((await getEmbeddings('enc', h, 4)).missing).toEqual([]);
    await other.deleteEmbeddings('enc');
    expect((await embeddingSlots('enc', h)).slots.every((s) => s === -1)).toBe(true);
    await other.putEmbeddings('enc', h.slice(0, 2), matrix(2, 4, 7), 4);
    const { missing, matrix: back } = await getEmbeddings('enc', h.slice(0, 3), 4);
    expect(missing).toEqual([2]);
    expect(Array.from(back.subarray(0, 8))).toEqual(Array.from(matrix(2, 4, 7)));
  });
});

describe('migration from the v1 layout', () => {
  it('opens a database written by DB v1 and finds every vector, moving them into chunks', async () => {
    await resetDbForTests();
    const a = hashes(2100, 'a');
    const b = hashes(3, 'b');
    const vec = (i: number, dim: number) => Float32Array.from({ length: dim }, (_, j) => i + j / 10);
    await writeV1([
      ...a.map((hash, i) => ({ embKey: 'emb-v1|m|q8|mean|l2', hash, v: vec(i, 6) })),
      ...b.map((hash, i) => ({ embKey: 'emb-v1|other|fp32|cls|l2', hash, v: vec(i, 3) })),
      { embKey: 'emb-v1|other|fp32|cls|l2', hash: 'wrong-width', v: vec(0, 5) },
    ]);

    expect(await listEmbeddingKeys()).toEqual([
      { embKey: 'emb-v1|m|q8|mean|l2', count: 2100 },
      { embKey: 'emb-v1|other|fp32|cls|l2', count: 4 },
    ]);
    const { matrix: m, missing } = await getEmbeddings('emb-v1|m|q8|mean|l2', a, 6);
    expect(missing).toEqual([]);
    a.forEach((_, i) => expect(Array.from(m.subarray(i * 6, (i + 1) * 6))).toEqual(Array.from(vec(i, 6))));
    const o = await getEmbeddings('emb-v1|other|fp32|cls|l2', [...b, 'wrong-width'], 3);
    expect(o.missing).toEqual([3]); // another width was never usable under this key
    expect(Array.from(o.matrix.subarray(0, 9))).toEqual([...vec(0, 3), ...vec(1, 3), ...vec(2, 3)]);

    // Moved, not copied: the v1 store is empty, the vectors sit in chunks.
    const sizes: number[] = [];
    await forEachEmbeddingChunk('emb-v1|m|q8|mean|l2', (c) => void sizes.push(c.hashes.length));
    expect(sizes).toEqual([1024, 1024, 52]);
    expect(await countEmbeddings('emb-v1|m|q8|mean|l2')).toBe(2100);
    const db = await settle(indexedDB.open(DB_NAME));
    expect(db.version).toBe(DB_VERSION);
    expect(await settle(db.transaction('embeddings').objectStore('embeddings').count())).toBe(0);
    db.close();
  });

  it('deletes v1 vectors that were never moved', async () => {
    await resetDbForTests();
    await writeV1([{ embKey: 'k', hash: 'h', v: new Float32Array([1, 2]) }]);
    expect(await deleteEmbeddings('k')).toBe(1);
    expect(await listEmbeddingKeys()).toEqual([]);
  });
});

describe('half floats', () => {
  it('rounds to the nearest half, ties to even, with overflow to Infinity', () => {
    expect([1, -2, 0.5, 65504, 65520, 2 ** -24, 2 ** -26, -0].map(halfBits)).toEqual([
      0x3c00, 0xc000, 0x3800, 0x7bff, 0x7c00, 1, 0, 0x8000,
    ]);
    expect(halfBits(1 + 2 ** -11)).toBe(0x3c00); // a tie: to the even mantissa
    expect(halfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(halfBits(NaN) & 0x7c00).toBe(0x7c00);
    expect(Number.isNaN(fromHalf(toHalf([NaN]))[0])).toBe(true);
  });

  it('every finite half survives float32 and back exactly', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((h) => (h & 0x7c00) !== 0x7c00);
    expect(Array.from(toHalf(fromHalf(all)))).toEqual(Array.from(all));
  });
});

describe('HashSlots', () => {
  it('maps text hashes and any other string to slots, growing as needed', () => {
    const s = new HashSlots();
    const h = hashes(50_000);
    h.forEach((x, i) => s.set(x, i));
    s.set('not-hex', 7);
    s.set(h[10], 99);
    expect(s.size).toBe(50_001);
    expect(h.every((x, i) => s.get(x) === (i === 10 ? 99 : i))).toBe(true);
    expect([s.get('not-hex'), s.get('missing'), s.get(hashText('never stored'))]).toEqual([7, -1, -1]);
    expect(() => s.set('x', -1)).toThrow(/non-negative/);
  });
});
