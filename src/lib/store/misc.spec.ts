import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  appendSendLog,
  clearAllData,
  countSendLog,
  createProject,
  deleteModel,
  deletePredictions,
  DamagedRecordError,
  getPredictions,
  latestComparison,
  latestPredictions,
  listPredictions,
  putComparison,
  putPredictions,
  getCodebookVersion,
  getModel,
  getSendLog,
  kvDelete,
  kvGet,
  kvSet,
  listCodebookVersions,
  listModels,
  listProjects,
  putEmbeddings,
  putResponse,
  resetDbForTests,
  saveCodebookVersion,
  saveModel,
  storageEstimate,
  vectorSpacePlan,
  countEmbeddings,
  countResponses,
} from './index';
import { comparison, model, predictions, putRawResult, storedResults } from './fixtures';
import { packIdList } from './packed-ids';

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
    expect(m!.weights.layers[0].kernel.values).toBeInstanceOf(Float32Array);
    expect((await listModels('p')).items.map((x) => x.id)).toEqual(['m1', 'm2']);
    await deleteModel('m1');
    expect(await getModel('m1')).toBeUndefined();
    expect((await listModels('p')).items.map((x) => x.id)).toEqual(['m2']);
  });

  it('keeps one set of corpus labels per student and finds the newest by kind', async () => {
    await putPredictions('p', predictions('m1', ['a', 'b']), 10);
    await putPredictions('p', predictions('m2', ['a']), 30);
    await putPredictions('p', predictions('m1', ['a', 'b', 'c']), 20); // relabelled: replaces the first
    await putComparison('p', comparison(40)); // another kind, newer: not a prediction
    await putPredictions('q', predictions('x', ['z']), 50);
    expect((await getPredictions('m1'))?.ids).toEqual(packIdList(['a', 'b', 'c']));
    expect((await latestPredictions('p'))?.data.modelId).toBe('m2');
    expect((await listPredictions('p')).items.map((r) => r.data.modelId)).toEqual(['m1', 'm2']);
    await deletePredictions('m2');
    expect(await getPredictions('m2')).toBeUndefined();
    expect((await latestPredictions('p'))?.data.modelId).toBe('m1');
    expect(await latestPredictions('nobody')).toBeNull();
  });

  it('stores the ids packed, and still reads records that hold them as a list (packed as they are read)', async () => {
    await putPredictions('p', predictions('new', ['a', 'b']), 1);
    const { ids: _, ...rest } = predictions('old', []);
    const old = { ...rest, ids: ['x', 'yz', 'ü'], probs: new Float32Array(6).fill(0.5) };
    await putRawResult({ id: 'predictions|old', projectId: 'p', createdAt: 2, kind: 'predictions', data: old });
    const packed = packIdList(['x', 'yz', 'ü']);
    expect((await getPredictions('old'))?.ids).toEqual(packed);
    expect((await latestPredictions('p'))?.data.ids).toEqual(packed);
    expect((await listPredictions('p')).items.map((r) => r.data.ids)).toEqual([packIdList(['a', 'b']), packed]);
    expect((await getPredictions('new'))?.ids).toEqual(packIdList(['a', 'b']));
    // What the record holds: one string and its offsets, not a list.
    const raw = (await storedResults('p')).find((r) => r.id === 'predictions|new');
    expect(raw?.data).toMatchObject({ ids: { text: 'ab', ends: Uint32Array.from([1, 2]) } });
  });

  it('refuses packed ids that are garbled or do not match the probabilities', async () => {
    const garbled = { ...predictions('m', ['a', 'b']), ids: { text: 'abc', ends: Uint32Array.from([1, 2]) } };
    await expect(putPredictions('p', garbled)).rejects.toThrow(/\(its row ids are garbled\)/);
    const short = { ...predictions('m', ['a', 'b']), ids: packIdList(['a']) };
    await expect(putPredictions('p', short)).rejects.toThrow(/\(its probabilities do not match its rows\)/);
    const list = { ...predictions('m', ['a']), ids: ['a', 7] } as unknown as Parameters<typeof putPredictions>[1];
    await expect(putPredictions('p', list)).rejects.toThrow(/\(its row ids are missing\)/);
  });

  it('reads the newest comparison and counts them without reading the others', async () => {
    await putComparison('p', comparison(2));
    await putComparison('p', comparison(3));
    await putComparison('p', comparison(1));
    await putPredictions('p', predictions('m', ['a']), 99);
    const saved = await latestComparison('p');
    expect(saved?.count).toBe(3);
    expect(saved?.result.data.notes).toEqual(['run 3']);
    expect(await latestComparison('q')).toBeNull();
  });

  it('names a damaged record instead of handing it on, and lists skip it with the reason', async () => {
    const bad = { ...predictions('m1', ['a', 'b']), probs: new Float32Array(3) };
    await expect(putPredictions('p', bad)).rejects.toThrow(/corpus labels is damaged \(its probabilities do not match its rows\)/);
    await putRawResult({ id: 'predictions|m1', projectId: 'p', createdAt: 1, kind: 'predictions', data: bad });
    await putPredictions('p', predictions('m2', ['a']), 2);
    const err = await getPredictions('m1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DamagedRecordError);
    expect((err as Error).message).toBe(
      'Could not load the corpus labels: the saved set of corpus labels is damaged (its probabilities do not match its rows). The rest of the project is unaffected.',
    );
    const listed = await listPredictions('p');
    expect(listed.items.map((r) => r.id)).toEqual(['predictions|m2']);
    expect(listed.skipped).toEqual(['the corpus labels saved as predictions|m1 (its probabilities do not match its rows)']);

    await putRawResult({ id: 'comparison|9', projectId: 'p', createdAt: 9, kind: 'comparison', data: { ...comparison(9), rows: null } });
    await expect(latestComparison('p')).rejects.toThrow(/saved comparison is damaged \(no usable table\)/);

    await saveModel({ ...model('broken', 'p', 5), labels: 'neg,pos' as unknown as string[] });
    await saveModel(model('ok', 'p', 6));
    expect(await listModels('p')).toEqual({ items: [model('ok', 'p', 6)], skipped: ['student model broken (no usable label names)'] });
    await expect(getModel('broken')).rejects.toBeInstanceOf(DamagedRecordError);
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
