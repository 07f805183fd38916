import { afterEach, describe, expect, it } from 'vitest';
import {
  NotFoundError,
  appendSendLog,
  countRows,
  countSendLog,
  createProject,
  deleteProject,
  getCodebookVersion,
  getProject,
  getRows,
  listCodebookVersions,
  listModels,
  listProjects,
  listResponsesByProject,
  countEmbeddings,
  putEmbeddings,
  putResponse,
  putComparison,
  putRows,
  resetDbForTests,
  saveCodebookVersion,
  saveModel,
  updateProject,
} from './index';
import { comparison, makeRows, model, storedResults } from './fixtures';

afterEach(resetDbForTests);

describe('projects', () => {
  it('creates, gets and lists projects, newest update first', async () => {
    const a = await createProject('Alpha');
    const b = await createProject('Beta');
    expect(a).toMatchObject({ name: 'Alpha', step: 'data', mapping: null, splits: null, settings: {}, rowCount: 0 });
    expect(a.id).not.toBe(b.id);
    expect(await getProject(a.id)).toEqual(a);
    expect(await getProject('nope')).toBeUndefined();
    await updateProject(a.id, { name: 'Alpha 2' });
    expect((await listProjects()).map((p) => p.name)).toEqual(['Alpha 2', 'Beta']);
  });

  it('merges a patch, bumps updatedAt and protects identity fields', async () => {
    const p = await createProject('P');
    const u = await updateProject(p.id, { step: 'codebook', settings: { repeats: 3 }, id: 'hijack', createdAt: 1 } as never);
    expect(u).toMatchObject({ id: p.id, createdAt: p.createdAt, step: 'codebook', settings: { repeats: 3 }, name: 'P' });
    expect(u.updatedAt).toBeGreaterThan(p.updatedAt);
    expect(await getProject(p.id)).toEqual(u);
    expect(await getProject('hijack')).toBeUndefined();
  });

  it('refuses to update a missing project', async () => {
    await expect(updateProject('missing', { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('deletes a project with everything it owns, but keeps the shared caches', async () => {
    const p = await createProject('Doomed');
    const keep = await createProject('Kept');
    for (const id of [p.id, keep.id]) {
      await putRows(id, makeRows(2500));
      await saveCodebookVersion(id, { version: 1, note: id });
      await saveModel(model(`m-${id}`, id));
      await putComparison(id, comparison(1));
      await appendSendLog([{ at: 1, projectId: id, endpoint: 'e', model: 'm', rowId: 'r0', textHash: 'h0' }]);
      await putResponse({ key: `k-${id}`, projectId: id, textHash: 'h0' });
    }
    await putEmbeddings('enc', ['h0'], new Float32Array([1, 2]), 2);

    await deleteProject(p.id);

    expect(await getProject(p.id)).toBeUndefined();
    expect(await getRows(p.id)).toEqual([]);
    expect(await countRows(p.id)).toBe(0);
    expect(await listCodebookVersions(p.id)).toEqual([]);
    expect(await getCodebookVersion(p.id, 1)).toBeUndefined();
    expect((await listModels(p.id)).items).toEqual([]);
    expect(await storedResults(p.id)).toEqual([]);
    expect(await countSendLog(p.id)).toBe(0);
    // Content-keyed caches survive.
    expect(await listResponsesByProject(p.id)).toHaveLength(1);
    expect(await countEmbeddings('enc')).toBe(1);
    // The other project is untouched.
    expect(await countRows(keep.id)).toBe(2500);
    expect(await getRows(keep.id)).toEqual(makeRows(2500));
    expect(await listCodebookVersions(keep.id)).toHaveLength(1);
    expect((await listModels(keep.id)).items).toHaveLength(1);
    expect(await storedResults(keep.id)).toHaveLength(1);
    expect(await countSendLog(keep.id)).toBe(1);
  });
});
