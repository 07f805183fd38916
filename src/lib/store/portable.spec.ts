import { strToU8, zipSync, unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EXPORT_VERSION,
  ImportError,
  NotFoundError,
  clearAllData,
  countEmbeddings,
  createProject,
  exportProject,
  getEmbeddings,
  getProject,
  getResponses,
  getRows,
  importProject,
  listCodebookVersions,
  listModels,
  listProjects,
  listResponsesByProject,
  listResults,
  putEmbeddings,
  putResponses,
  putResult,
  putRows,
  resetDbForTests,
  saveCodebookVersion,
  saveModel,
  updateProject,
  type Project,
} from './index';
import { makeRows, model, result } from './fixtures';

afterEach(resetDbForTests);

const DIM = 4;

/** A project with every kind of record, plus unrelated data that must not leak into its export. */
async function seed(): Promise<Project> {
  const p = await createProject('Tweets about tariffs');
  const rows = makeRows(2500);
  await putRows(p.id, rows);
  await updateProject(p.id, { step: 'train', mapping: { text: 'body', id: null, label: 'code' }, splits: { seed: 7, test: ['r1'] }, settings: { repeats: 3 } });
  for (const version of [1, 2]) await saveCodebookVersion(p.id, { version, createdAt: version, codebook: { task: `v${version}` }, hash: `c${version}` });
  await putResponses([
    { key: 'k1', projectId: p.id, textHash: 'h1', label: 'pos', raw: '{"label":"pos"}' },
    { key: 'k2', projectId: p.id, textHash: 'h2', label: null, raw: 'I cannot' },
    { key: 'other', projectId: 'someone-else', textHash: 'h1', label: 'neg' },
  ]);
  const m = model(crypto.randomUUID(), p.id);
  await saveModel(m);
  await putResult({ ...result(crypto.randomUUID(), p.id), data: { modelId: m.id, scores: new Float32Array([0.25, 0.75]), f1: NaN } });
  const hashes = rows.slice(0, 100).map((r) => r.hash);
  await putEmbeddings('enc@v1', hashes, Float32Array.from({ length: 100 * DIM }, (_, i) => i / 3), DIM);
  await putEmbeddings('unrelated', ['not-in-project'], new Float32Array(DIM).fill(9), DIM);
  return (await getProject(p.id))!;
}

async function snapshot(id: string) {
  return {
    project: await getProject(id),
    rows: await getRows(id),
    codebooks: await listCodebookVersions(id),
    responses: (await listResponsesByProject(id)).sort((a, b) => a.key.localeCompare(b.key)),
    results: await listResults(id),
  };
}

describe('export and import', () => {
  it('round-trips a plain JSON export to the same state', async () => {
    const p = await seed();
    const before = await snapshot(p.id);
    const blob = await exportProject(p.id);
    expect(blob.type).toBe('application/json');
    const text = await blob.text();
    const doc = JSON.parse(text) as { format: string; formatVersion: number; models: unknown[] };
    // Typed arrays and NaN survive JSON as tagged values.
    expect(text).toContain('"$sg":"b64"');
    expect(text).toContain('"$sg":"num"');
    expect(doc).toMatchObject({ format: 'surrogate-project', formatVersion: EXPORT_VERSION, models: [] });

    await clearAllData();
    const imported = await importProject(blob);
    expect(imported.id).toBe(p.id);
    expect(await snapshot(p.id)).toEqual(before);
    expect((before.results[0].data as { scores: Float32Array }).scores).toBeInstanceOf(Float32Array);
    expect(await listModels(p.id)).toEqual([]);
    expect(await countEmbeddings('enc@v1')).toBe(0);
  });

  it('round-trips a zip export with models and embeddings', async () => {
    const p = await seed();
    const before = await snapshot(p.id);
    const models = await listModels(p.id);
    const hashes = before.rows.map((r) => r.hash);
    const vectors = await getEmbeddings('enc@v1', hashes, DIM);

    const blob = await exportProject(p.id, { includeEmbeddings: true, includeModels: true });
    expect(blob.type).toBe('application/zip');
    const entries = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    expect(Object.keys(entries)).toContain('surrogate.json');
    expect(Object.keys(entries).some((name) => name.endsWith('.bin'))).toBe(true);

    await clearAllData();
    await importProject(blob);
    expect(await snapshot(p.id)).toEqual(before);
    expect(await listModels(p.id)).toEqual(models);
    expect(await getEmbeddings('enc@v1', hashes, DIM)).toEqual(vectors);
    expect(await countEmbeddings('enc@v1')).toBe(100);
    expect(await countEmbeddings('unrelated')).toBe(0);
  });

  it('imports beside the original under new ids, rewriting references to them', async () => {
    const p = await seed();
    const [m] = await listModels(p.id);
    const blob = await exportProject(p.id, { includeModels: true });
    const copy = await importProject(blob);

    expect(copy.id).not.toBe(p.id);
    expect(copy).toMatchObject({ name: p.name, step: 'train', settings: { repeats: 3 }, rowCount: 2500 });
    expect(await getRows(copy.id)).toEqual(await getRows(p.id));
    expect(await listCodebookVersions(copy.id)).toEqual(await listCodebookVersions(p.id));
    const [m2] = await listModels(copy.id);
    expect(m2.id).not.toBe(m.id);
    expect(m2.projectId).toBe(copy.id);
    const [r2] = await listResults(copy.id);
    expect((r2.data as { modelId: string }).modelId).toBe(m2.id);
    // The original is untouched.
    expect((await listModels(p.id)).map((x) => x.id)).toEqual([m.id]);
    expect(await listProjects()).toHaveLength(2);
    // Cached answers already present are kept as they are.
    expect((await getResponses(['k1'])).get('k1')!.projectId).toBe(p.id);
  });

  it('refuses to export a missing project', async () => {
    await expect(exportProject('ghost')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('import validation', () => {
  const json = (v: unknown) => new Blob([JSON.stringify(v)]);
  const valid = { format: 'surrogate-project', formatVersion: 1, project: { id: 'p', name: 'P' }, rows: [] };

  async function importError(blob: Blob): Promise<string> {
    const err = await importProject(blob).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    return (err as Error).message;
  }

  it('says plainly when a file is not a Surrogate export', async () => {
    expect(await importError(new Blob(['text,label\nhello,pos\n']))).toMatch(/not a Surrogate project export/);
    expect(await importError(json({ hello: 'world' }))).toMatch(/not a Surrogate project export/);
    expect(await importError(new Blob([new Uint8Array([0xff, 0xfe, 0x00, 0x81])]))).toMatch(/not a Surrogate project export/);
    expect(await importError(new Blob([zipSync({ 'other.txt': strToU8('x') })]))).toMatch(/not a Surrogate project export/);
  });

  it('refuses a file from a newer version', async () => {
    expect(await importError(json({ ...valid, formatVersion: EXPORT_VERSION + 1 }))).toMatch(/newer version of Surrogate.*file format 2/);
  });

  it('reports damaged files and writes nothing', async () => {
    expect(await importError(json({ ...valid, rows: [{ id: 1 }] }))).toMatch(/damaged.*entry 0 of "rows"/);
    expect(await importError(json({ ...valid, project: null }))).toMatch(/damaged.*project record/);
    const manifest = JSON.stringify({ ...valid, embeddings: [{ embKey: 'e', dim: 1, hashes: ['h'], matrix: { $sg: 'bin', type: 'Float32Array', file: 'bin/0.bin' } }] });
    expect(await importError(new Blob([zipSync({ 'surrogate.json': strToU8(manifest) })]))).toMatch(/damaged.*lacks bin\/0.bin/);
    expect(await listProjects()).toEqual([]);
  });

  it('imports a minimal hand-made file', async () => {
    const p = await importProject(json(valid));
    expect(p).toMatchObject({ id: 'p', name: 'P', rowCount: 0, step: 'data', settings: {}, mapping: null });
    expect(await getProject('p')).toEqual(p);
    expect(await getRows('p')).toEqual([]);
  });
});
