import { afterEach, describe, expect, it } from 'vitest';
import {
  StoreError,
  countEmbeddings,
  countResponses,
  deleteCachedResponses,
  deleteEmbeddings,
  getEmbeddings,
  getResponses,
  listEmbeddingKeys,
  listResponsesByKeyPrefix,
  listResponsesByProject,
  listResponsesByTextHash,
  putEmbeddings,
  putResponse,
  putResponses,
  resetDbForTests,
  type StoredResponse,
} from './index';

afterEach(resetDbForTests);

interface Answer extends StoredResponse {
  label: string | null;
  usage: { prompt: number; completion: number };
}

const answer = (key: string, projectId: string | undefined, textHash: string, label: string | null = 'pos'): Answer => ({
  key,
  projectId,
  textHash,
  label,
  usage: { prompt: 10, completion: 2 },
});

describe('responses', () => {
  it('puts one at a time and in batches, and gets many by key in one go', async () => {
    await putResponse(answer('k1', 'p1', 'h1'));
    await putResponses([answer('k2', 'p1', 'h2', null), answer('k3', 'p2', 'h1'), answer('k4', undefined, 'h3')]);
    const got = await getResponses<Answer>(['k1', 'k2', 'missing', 'k4']);
    expect([...got.keys()].sort()).toEqual(['k1', 'k2', 'k4']);
    expect(got.get('k2')).toEqual(answer('k2', 'p1', 'h2', null));
    expect(await countResponses()).toBe(4);
    expect((await getResponses([])).size).toBe(0);
  });

  it('lists by project and by text hash', async () => {
    await putResponses([answer('a', 'p1', 'h1'), answer('b', 'p1', 'h2'), answer('c', 'p2', 'h1'), answer('d', undefined, 'h1')]);
    expect((await listResponsesByProject('p1')).map((r) => r.key).sort()).toEqual(['a', 'b']);
    expect((await listResponsesByTextHash('h1')).map((r) => r.key).sort()).toEqual(['a', 'c', 'd']);
  });

  it('lists the keys of one prefix in key order, a page at a time after a key', async () => {
    await putResponses(['r1|a|x|0', 'r1|a|y|0', 'r1|a|z|1', 'r1|ab|x|0', 'r1|b|x|0'].map((k) => answer(k, 'p1', 'h')));
    const keys = async (after: string | null, count: number) => (await listResponsesByKeyPrefix('r1|a|', after, count)).map((r) => r.key);
    expect(await keys(null, 10)).toEqual(['r1|a|x|0', 'r1|a|y|0', 'r1|a|z|1']);
    expect(await keys(null, 2)).toEqual(['r1|a|x|0', 'r1|a|y|0']);
    expect(await keys('r1|a|y|0', 2)).toEqual(['r1|a|z|1']);
    expect(await keys('r1|a|z|1', 2)).toEqual([]);
  });

  it('overwrites a response with the same key', async () => {
    await putResponse(answer('k', 'p1', 'h', 'pos'));
    await putResponse(answer('k', 'p1', 'h', 'neg'));
    expect((await getResponses<Answer>(['k'])).get('k')!.label).toBe('neg');
    expect(await countResponses()).toBe(1);
  });

  it('deletes only the responses of one project', async () => {
    await putResponses([answer('a', 'p1', 'h1'), answer('b', 'p1', 'h2'), answer('c', 'p2', 'h1')]);
    expect(await deleteCachedResponses('p1')).toBe(2);
    expect([...(await getResponses(['a', 'b', 'c'])).keys()]).toEqual(['c']);
  });

  it('writes a batch all-or-nothing: one response without a key saves none', async () => {
    const bad = [answer('a', 'p', 'h'), { projectId: 'p' } as unknown as Answer, answer('c', 'p', 'h')];
    const err = await putResponses(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).op).toBe('save LLM responses');
    expect(await countResponses()).toBe(0);
  });
});

describe('embeddings', () => {
  const dim = 3;
  const matrix = (n: number, base = 0) => Float32Array.from({ length: n * dim }, (_, i) => base + i / 8);

  it('returns stored rows and reports the missing indices as zeros', async () => {
    await putEmbeddings('enc@v1', ['h0', 'h1', 'h2'], matrix(3), dim);
    const { matrix: m, missing } = await getEmbeddings('enc@v1', ['h2', 'hx', 'h0', 'hy'], dim);
    expect(missing).toEqual([1, 3]);
    expect(Array.from(m)).toEqual([...matrix(3).slice(6, 9), 0, 0, 0, ...matrix(3).slice(0, 3), 0, 0, 0]);
  });

  it('keeps embedding keys apart and counts per key', async () => {
    await putEmbeddings('a', ['h0', 'h1'], matrix(2), dim);
    await putEmbeddings('b', ['h0'], matrix(1, 100), dim);
    await putEmbeddings('a-longer', ['h9'], matrix(1), dim);
    expect(await countEmbeddings('a')).toBe(2);
    expect(await countEmbeddings('b')).toBe(1);
    expect(await countEmbeddings('none')).toBe(0);
    expect((await getEmbeddings('b', ['h0', 'h1'], dim)).missing).toEqual([1]);
    expect(await listEmbeddingKeys()).toEqual([
      { embKey: 'a', count: 2 },
      { embKey: 'a-longer', count: 1 },
      { embKey: 'b', count: 1 },
    ]);
    expect(await deleteEmbeddings('a')).toBe(2);
    expect(await countEmbeddings('a')).toBe(0);
    expect(await countEmbeddings('a-longer')).toBe(1);
  });

  it('stores each vector on its own (not the whole batch buffer) and treats a wrong length as missing', async () => {
    await putEmbeddings('k', ['h0', 'h1'], matrix(2), dim);
    const four = await getEmbeddings('k', ['h0'], 4);
    expect(four.missing).toEqual([0]);
    expect(Array.from(four.matrix)).toEqual([0, 0, 0, 0]);
  });

  it('round-trips a larger batch exactly', async () => {
    const n = 2000;
    const hashes = Array.from({ length: n }, (_, i) => `h${i}`);
    const m = Float32Array.from({ length: n * 16 }, (_, i) => Math.sin(i));
    await putEmbeddings('big', hashes, m, 16);
    const back = await getEmbeddings('big', hashes, 16);
    expect(back.missing).toEqual([]);
    expect(back.matrix.length).toBe(m.length);
    expect(back.matrix.every((v, i) => v === m[i])).toBe(true);
  });

  it('rejects a matrix of the wrong size before writing anything', async () => {
    await expect(putEmbeddings('k', ['a', 'b'], new Float32Array(5), 3)).rejects.toThrow(/expected 2 texts × 3/);
    expect(await countEmbeddings('k')).toBe(0);
  });
});
