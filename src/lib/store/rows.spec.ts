import { afterEach, describe, expect, it } from 'vitest';
import {
  NotFoundError,
  ROW_CHUNK_SIZE,
  StoreError,
  countRows,
  createProject,
  getProject,
  getRows,
  putRows,
  resetDbForTests,
} from './index';
import { makeRows } from './fixtures';
import type { StoredRow } from './types';

afterEach(resetDbForTests);

describe('rows', () => {
  it('stores and reads back 100,000 rows in order, in chunks', async () => {
    const p = await createProject('Big');
    const rows = makeRows(100_000);
    const progress: number[] = [];
    await putRows(p.id, rows, (written, total) => {
      expect(total).toBe(100_000);
      progress.push(written);
    });
    expect(progress).toHaveLength(Math.ceil(100_000 / ROW_CHUNK_SIZE));
    expect(progress.at(-1)).toBe(100_000);
    expect(await countRows(p.id)).toBe(100_000);
    const back = await getRows(p.id);
    expect(back.length).toBe(100_000);
    // Same content, same order (string compare: toEqual on 100k objects is slow).
    expect(JSON.stringify(back)).toBe(JSON.stringify(rows));
  });

  it('replaces the previous dataset, including trailing chunks of a longer one', async () => {
    const p = await createProject('P');
    await putRows(p.id, makeRows(5000, 'old'));
    const before = (await getProject(p.id))!.updatedAt;
    await putRows(p.id, makeRows(1500, 'new'));
    expect(await getRows(p.id)).toEqual(makeRows(1500, 'new'));
    expect(await countRows(p.id)).toBe(1500);
    expect((await getProject(p.id))!.updatedAt).toBeGreaterThan(before);
    await putRows(p.id, []);
    expect(await getRows(p.id)).toEqual([]);
    expect(await countRows(p.id)).toBe(0);
  });

  it('keeps the old dataset when a write fails midway (whole transaction rolls back)', async () => {
    const p = await createProject('P');
    const old = makeRows(3000, 'old');
    await putRows(p.id, old);
    const bad = makeRows(6000, 'new') as (StoredRow & { extra?: unknown })[];
    // A function cannot be structured-cloned: the third chunk's put throws
    // DataCloneError after two chunks (and the delete) were already queued.
    bad[4500].extra = () => 1;
    const err = await putRows(p.id, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toMatch(/save the dataset.*cannot be stored.*Nothing was written/s);
    expect(await getRows(p.id)).toEqual(old);
    expect(await countRows(p.id)).toBe(3000);
  });

  it('refuses rows for a missing project and counts 0 for unknown ids', async () => {
    await expect(putRows('ghost', makeRows(2))).rejects.toBeInstanceOf(NotFoundError);
    expect(await countRows('ghost')).toBe(0);
    expect(await getRows('ghost')).toEqual([]);
  });

  it('keeps datasets of different projects apart', async () => {
    const a = await createProject('A');
    const b = await createProject('B');
    await putRows(a.id, makeRows(2100, 'a'));
    await putRows(b.id, makeRows(10, 'b'));
    expect(await getRows(a.id)).toEqual(makeRows(2100, 'a'));
    expect(await getRows(b.id)).toEqual(makeRows(10, 'b'));
  });
});
