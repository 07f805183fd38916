import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  appendSendLog,
  clearAllData,
  countSendLog,
  createProject,
  deleteModel,
  deleteResult,
  getCodebookVersion,
  getModel,
  getResult,
  getSendLog,
  kvDelete,
  kvGet,
  kvSet,
  listCodebookVersions,
  listModels,
  listProjects,
  listResults,
  putEmbeddings,
  putResponse,
  putResult,
  resetDbForTests,
  saveCodebookVersion,
  saveModel,
  storageEstimate,
  vectorSpacePlan,
  countEmbeddings,
  countResponses,
} from './index';
import { model, result } from './fixtures';

afterEach(resetDbForTests);

describe('codebook versions', () => {
  it('saves, lists in version order and gets one', async () => {
    const cv = (version: number) => ({ version, createdAt: version, codebook: { task: `t${version}`, labels: [] }, hash: `c${version}` });
    await saveCodebookVersion('p', cv(2));
    await saveCodebookVersion('p', cv(10));
    await saveCodebookVersion('p', cv(1));
    await saveCodebookVersion('other', cv(1));
    expect((await listCodebookVersions<ReturnType<typeof cv>>('p')).map((v) => v.version)).toEqual([1, 2, 10]);
    expect(await getCodebookVersion('p', 10)).toEqual(cv(10));
    expect(await getCodebookVersion('p', 3)).toBeUndefined();
  });
});

describe('models and results', () => {
  it('keeps typed arrays in model weights and lists per project, oldest first', async () => {
    await saveModel(model('m2', 'p', 20));
    await saveModel(model('m1', 'p', 10));
    await saveModel(model('x', 'q', 5));
    const m = await getModel('m1');
    expect(m).toEqual(model('m1', 'p', 10));
    expect((m!.weights as { data: Float32Array[] }).data[0]).toBeInstanceOf(Float32Array);
    expect((await listModels('p')).map((x) => x.id)).toEqual(['m1', 'm2']);
    await deleteModel('m1');
    expect(await getModel('m1')).toBeUndefined();
    expect((await listModels('p')).map((x) => x.id)).toEqual(['m2']);
  });

  it('saves, lists, gets and deletes results', async () => {
    await putResult(result('r2', 'p', 2));
    await putResult(result('r1', 'p', 1));
    expect((await listResults('p')).map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(await getResult('r2')).toEqual(result('r2', 'p', 2));
    await deleteResult('r2');
    expect(await listResults('p')).toHaveLength(1);
  });
});

describe('send log', () => {
  it('appends in order and reads newest first, per project, with a limit', async () => {
    const e = (i: number, projectId = 'p') => ({
      at: i,
      projectId,
      endpoint: 'https://api.example/v1',
      model: 'gpt',
      rowId: `r${i}`,
      textHash: `h${i}`,
    });
    await appendSendLog([e(1), e(2), e(3, 'q')]);
    await appendSendLog([e(4)]);
    const all = await getSendLog('p');
    expect(all.map((x) => x.rowId)).toEqual(['r4', 'r2', 'r1']);
    expect(all[0]).toMatchObject(e(4));
    expect(typeof all[0].seq).toBe('number');
    expect((await getSendLog('p', 2)).map((x) => x.rowId)).toEqual(['r4', 'r2']);
    expect(await countSendLog('p')).toBe(3);
    expect(await countSendLog('q')).toBe(1);
  });
});

describe('kv', () => {
  it('gets, sets, overwrites and deletes', async () => {
    expect(await kvGet('endpoint')).toBeUndefined();
    await kvSet('endpoint', { url: 'http://localhost:8080/v1', model: 'm' });
    expect(await kvGet('endpoint')).toEqual({ url: 'http://localhost:8080/v1', model: 'm' });
    await kvSet('endpoint', 'x');
    expect(await kvGet<string>('endpoint')).toBe('x');
    await kvDelete('endpoint');
    expect(await kvGet('endpoint')).toBeUndefined();
  });
});

describe('whole database', () => {
  it('clearAllData removes everything and leaves a working empty database', async () => {
    await createProject('P');
    await putResponse({ key: 'k' });
    await putEmbeddings('e', ['h'], new Float32Array([1]), 1);
    await kvSet('a', 1);
    await clearAllData();
    expect(await listProjects()).toEqual([]);
    expect(await countResponses()).toBe(0);
    expect(await countEmbeddings('e')).toBe(0);
    expect(await kvGet('a')).toBeUndefined();
    await createProject('After');
    expect(await listProjects()).toHaveLength(1);
  });

  it('storageEstimate reports null where the browser offers no estimate, and the numbers where it does', async () => {
    vi.stubGlobal('navigator', {});
    expect(await storageEstimate()).toBeNull();
    vi.stubGlobal('navigator', { storage: { estimate: async () => ({ usage: 12, quota: 34 }) } });
    expect(await storageEstimate()).toEqual({ usage: 12, quota: 34 });
    vi.stubGlobal('navigator', { storage: { estimate: async () => ({}) } });
    expect(await storageEstimate()).toBeNull();
    vi.unstubAllGlobals();
  });

  it('vectorSpacePlan: n × dim × 4 bytes (× 2 for fp16) plus the index, against the space left', () => {
    const gib = 2 ** 30;
    const p = vectorSpacePlan(1_000_000, 768, 'f32', { usage: 1 * gib, quota: 3 * gib });
    expect(p.bytes).toBe(1_000_000 * (768 * 4 + 48));
    expect([p.free, p.fits]).toEqual([2 * gib, false]);
    expect(vectorSpacePlan(1_000_000, 768, 'f16', { usage: 1 * gib, quota: 3 * gib }).fits).toBe(true);
    expect(vectorSpacePlan(10, 384, 'f32', null)).toEqual({ bytes: 10 * (384 * 4 + 48), free: null, fits: null });
    expect(vectorSpacePlan(10, 384, 'f32', { usage: 9, quota: 5 }).free).toBe(0);
  });
});
