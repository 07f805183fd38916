import { strFromU8, strToU8, zipSync, unzipSync } from 'fflate';
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
  getPredictions,
  importProject,
  latestPredictions,
  listCodebookVersions,
  listModels,
  listProjects,
  listResponsesByProject,
  putEmbeddings,
  putResponses,
  putComparison,
  putPredictions,
  putRows,
  projectVectorKey,
  vectorKeyFor,
  resetDbForTests,
  saveCodebookVersion,
  saveModel,
  updateProject,
  type Project,
} from './index';
import { codebookVersion, comparison, liveAnswer, makeRows, model, predictions, putRawResult, storedResults } from './fixtures';
import { packIdList } from './packed-ids';

afterEach(resetDbForTests);

const DIM = 4;

/** A project with every kind of record, plus unrelated data that must not leak into its export. */
async function seed(): Promise<Project> {
  const p = await createProject('Tweets about tariffs');
  const rows = makeRows(2500);
  await putRows(p.id, rows);
  await updateProject(p.id, {
    step: 'train',
    mapping: { text: 'body', id: null, label: 'code' },
    splits: { seed: 7, validation: [], test: ['r1'], pool: ['r2'] },
    settings: { repeats: 3 },
  });
  for (const version of [1, 2]) await saveCodebookVersion(p.id, codebookVersion(version));
  const cb = codebookVersion(2).hash;
  await putResponses([
    liveAnswer(p.id, cb, rows[1].hash, 'pos'),
    liveAnswer(p.id, cb, rows[2].hash, null),
    liveAnswer('someone-else', cb, rows[1].hash, 'neg', 1),
  ]);
  const m = model(crypto.randomUUID(), p.id);
  await saveModel(m);
  await putPredictions(p.id, { ...predictions(m.id, ['r0']), probs: new Float32Array([0.25, NaN]) });
  await putComparison(p.id, { ...comparison(3), references: [{ label: 'teacher', value: NaN }] });
  const hashes = rows.slice(0, 100).map((r) => r.hash);
  await putEmbeddings(
    'enc@v1',
    hashes,
    Float32Array.from({ length: 100 * DIM }, (_, i) => i / 3),
    DIM,
  );
  await putEmbeddings('unrelated', ['not-in-project'], new Float32Array(DIM).fill(9), DIM);
  return (await getProject(p.id))!;
}

/** The project's records; answers without their origin (an imported one is marked, spec'd below). */
async function snapshot(id: string) {
  return {
    project: await getProject(id),
    rows: await getRows(id),
    codebooks: await listCodebookVersions(id),
    responses: (await listResponsesByProject(id)).map(({ origin: _, ...r }) => r).sort((a, b) => a.key.localeCompare(b.key)),
    results: await storedResults(id),
  };
}

describe('export and import', () => {
  it('round-trips an export without models or embeddings to the same state', async () => {
    const p = await seed();
    const before = await snapshot(p.id);
    const blob = await exportProject(p.id);
    expect(blob.type).toBe('application/zip');
    const entries = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    // Rows in parts as stored, the manifest first, end.json last; NaN and typed arrays survive as tags.
    expect(Object.keys(entries)[0]).toBe('surrogate.json');
    expect(Object.keys(entries).at(-1)).toBe('end.json');
    expect(Object.keys(entries).filter((n) => n.startsWith('rows/'))).toEqual(['rows/0.json', 'rows/1.json']);
    const manifest = JSON.parse(strFromU8(entries['surrogate.json'])) as { format: string; formatVersion: number; counts: unknown };
    expect(manifest).toMatchObject({
      format: 'surrogate-project',
      formatVersion: EXPORT_VERSION,
      counts: { rows: 2500, rowFiles: 2, models: 0, results: 2, responses: 2 },
    });
    expect(strFromU8(entries['results/0.json'])).toContain('"$sg":"num"');
    expect(Object.keys(entries).some((n) => n.startsWith('vectors/') || n.startsWith('models/'))).toBe(false);

    await clearAllData();
    const imported = await importProject(blob);
    expect(imported.id).toBe(p.id);
    expect(await snapshot(p.id)).toEqual(before);
    expect((await latestPredictions(p.id))?.data.probs).toEqual(new Float32Array([0.25, NaN]));
    expect((await listModels(p.id)).items).toEqual([]);
    expect(await countEmbeddings('enc@v1')).toBe(0);
  });

  it('still imports a plain JSON file of format 1', async () => {
    const rows = makeRows(3);
    const v1 = {
      format: 'surrogate-project',
      formatVersion: 1,
      exportedAt: 1,
      project: { id: 'old', name: 'Old', step: 'teacher' },
      rows,
      codebooks: [codebookVersion(1)],
      responses: [liveAnswer('old', codebookVersion(1).hash, rows[0].hash, 'pos')],
      results: [
        {
          id: 'predictions|m',
          projectId: 'old',
          createdAt: 1,
          kind: 'predictions',
          data: {
            modelId: 'm',
            labels: ['a'],
            ids: ['r0', 'r1'],
            probs: { $sg: 'b64', type: 'Float32Array', data: 'AACAPwAAgD8=' }, // [1, 1]
            embeddingKey: 'e',
          },
        },
      ],
      models: [],
      embeddings: [],
    };
    const p = await importProject(new Blob([JSON.stringify(v1)]));
    expect(p).toMatchObject({ id: 'old', name: 'Old', step: 'teacher', rowCount: 3 });
    expect(await getRows('old')).toEqual(rows);
    const stored = new Map((await storedResults('old')).map((r) => [r.id, r.data]));
    expect(stored.get('predictions|m')).toMatchObject({ ids: packIdList(['r0', 'r1']), probs: new Float32Array([1, 1]) }); // stored packed
    const [answer] = await listResponsesByProject('old');
    expect(answer).toMatchObject({ label: 'pos', valid: true, projectId: 'old', origin: { kind: 'imported', project: 'Old' } });
  });

  it('round-trips a zip export with models and embeddings', async () => {
    const p = await seed();
    const before = await snapshot(p.id);
    const models = (await listModels(p.id)).items;
    const hashes = before.rows.map((r) => r.hash);
    const vectors = await getEmbeddings('enc@v1', hashes, DIM);

    const blob = await exportProject(p.id, { includeEmbeddings: true, includeModels: true });
    expect(blob.type).toBe('application/zip');
    const entries = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    expect(Object.keys(entries)).toContain('surrogate.json');
    expect(Object.keys(entries).filter((n) => n.startsWith('vectors/'))).toEqual(['vectors/0.json', 'vectors/0.bin']); // only the project's texts
    expect(entries['vectors/0.bin'].length).toBe(100 * DIM * 4);

    await clearAllData();
    await importProject(blob);
    expect(await snapshot(p.id)).toEqual(before);
    expect((await listModels(p.id)).items).toEqual(models);
    // The file's vectors are the imported project's own, under its key; the shared cache has none.
    const own = projectVectorKey('enc@v1', p.id);
    expect(await vectorKeyFor('enc@v1', p.id)).toBe(own);
    expect(await getEmbeddings(own, hashes, DIM)).toEqual(vectors);
    expect(await countEmbeddings(own)).toBe(100);
    expect(await countEmbeddings('enc@v1')).toBe(0);
    expect(await countEmbeddings(projectVectorKey('unrelated', p.id))).toBe(0);
    // Exported again, they go under the encoder's key, and only with their project.
    const again = unzipSync(new Uint8Array(await (await exportProject(p.id, { includeEmbeddings: true })).arrayBuffer()));
    expect(JSON.parse(strFromU8(again['vectors/0.json']))).toMatchObject({ embKey: 'enc@v1' });
    const other = await createProject('Other');
    await putRows(other.id, before.rows);
    const otherFile = unzipSync(new Uint8Array(await (await exportProject(other.id, { includeEmbeddings: true })).arrayBuffer()));
    expect(Object.keys(otherFile).filter((n) => n.startsWith('vectors/'))).toEqual([]);
  });

  it('imports beside the original under new ids, rewriting references to them', async () => {
    const p = await seed();
    const [m] = (await listModels(p.id)).items;
    const blob = await exportProject(p.id, { includeModels: true });
    const copy = await importProject(blob);

    expect(copy.id).not.toBe(p.id);
    expect(copy).toMatchObject({ name: p.name, step: 'train', settings: { repeats: 3 }, rowCount: 2500 });
    expect(await getRows(copy.id)).toEqual(await getRows(p.id));
    expect(await listCodebookVersions(copy.id)).toEqual(await listCodebookVersions(p.id));
    const [m2] = (await listModels(copy.id)).items;
    expect(m2.id).not.toBe(m.id);
    expect(m2.projectId).toBe(copy.id);
    const r2 = await latestPredictions(copy.id);
    expect(r2?.data.modelId).toBe(m2.id);
    // Still found as the student's own corpus labels, under its new id.
    expect(r2?.id).toBe(`predictions|${m2.id}`);
    expect((await getPredictions(m2.id))?.ids).toEqual(packIdList(['r0']));
    expect((await getPredictions(m.id))?.ids).toEqual(packIdList(['r0']));
    // The original is untouched.
    expect((await listModels(p.id)).items.map((x) => x.id)).toEqual([m.id]);
    expect(await listProjects()).toHaveLength(2);
    // Cached answers already present are kept as they are.
    const k1 = liveAnswer(p.id, codebookVersion(2).hash, makeRows(2)[1].hash, 'pos').key;
    expect((await getResponses([k1])).get(k1)).toEqual(liveAnswer(p.id, codebookVersion(2).hash, makeRows(2)[1].hash, 'pos'));
    expect(await listResponsesByProject(copy.id)).toEqual([]);
  });

  it('refuses to export a missing project', async () => {
    await expect(exportProject('ghost')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('format 2: a project in parts', () => {
  async function big(): Promise<{ p: Project; hashes: string[]; ids: string[] }> {
    const p = await createProject('Big');
    const rows = makeRows(25_000, 'b');
    await putRows(p.id, rows);
    const hashes = rows.slice(0, 2100).map((r) => r.hash);
    await putEmbeddings(
      'emb-v1|m|q8|mean|l2',
      hashes,
      Float32Array.from({ length: 2100 * DIM }, (_, i) => Math.sin(i)),
      DIM,
    );
    await putEmbeddings(
      'emb-v1|m|fp16|mean|l2',
      hashes.slice(0, 50),
      Float32Array.from({ length: 50 * DIM }, (_, i) => i / 64),
      DIM,
      'f16',
    );
    await putEmbeddings('emb-v1|m|q8|mean|l2', ['someone-elses'], new Float32Array(DIM), DIM);
    const ids = rows.map((r) => r.id);
    await putPredictions(p.id, predictions('m', ids), 2);
    return { p: (await getProject(p.id))!, hashes, ids };
  }

  it("round-trips 25,000 rows, a 25,000-id result and vectors in both precisions, with only the project's vectors", async () => {
    const { p, hashes, ids } = await big();
    const before = await snapshot(p.id);
    const q8 = await getEmbeddings('emb-v1|m|q8|mean|l2', hashes, DIM);
    const half = await getEmbeddings('emb-v1|m|fp16|mean|l2', hashes.slice(0, 50), DIM);
    const blob = await exportProject(p.id, { includeEmbeddings: true, includeModels: true });
    const names = Object.keys(unzipSync(new Uint8Array(await blob.arrayBuffer())));
    expect(names.filter((n) => n.startsWith('rows/'))).toHaveLength(13);
    // The result's 25,000 ids as one string and one bin/ entry of offsets, not a list of strings.
    expect(names.filter((n) => n.startsWith('strs/'))).toHaveLength(0);
    expect(names.filter((n) => /^vectors\/\d+\.bin$/.test(n))).toHaveLength(4); // 3 chunks of q8 + 1 of fp16

    await clearAllData();
    const imported = await importProject(blob);
    expect(imported).toMatchObject({ id: p.id, rowCount: 25_000 });
    expect(await snapshot(p.id)).toEqual(before);
    expect((await latestPredictions(p.id))?.data.ids).toEqual(packIdList(ids));
    const own = (k: string) => projectVectorKey(k, p.id);
    expect(await getEmbeddings(own('emb-v1|m|q8|mean|l2'), hashes, DIM)).toEqual(q8);
    expect(await getEmbeddings(own('emb-v1|m|fp16|mean|l2'), hashes.slice(0, 50), DIM)).toEqual(half);
    expect(await countEmbeddings(own('emb-v1|m|q8|mean|l2'))).toBe(2100); // not someone-elses
  });

  it('a file cut short or damaged imports nothing and says why', async () => {
    const { p } = await big();
    const m = model(crypto.randomUUID(), p.id);
    await saveModel(m);
    const blob = await exportProject(p.id, { includeEmbeddings: true, includeModels: true });
    const entries = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    await clearAllData();

    const { ['end.json']: _end, ...cut } = entries;
    expect(await importError(new Blob([zipSync(cut)]))).toMatch(/damaged.*cut short \(it lacks end\.json\)/);
    const { ['rows/3.json']: _row, ...holed } = entries;
    expect(await importError(new Blob([zipSync(holed)]))).toMatch(/damaged.*holds 23,000 of its 25,000 rows/);
    expect(await listProjects()).toEqual([]);
    expect(await getRows(p.id)).toEqual([]);
    expect((await listModels(p.id)).items).toEqual([]);

    const bytes = new Uint8Array(await blob.arrayBuffer());
    bytes[bytes.length >> 1] ^= 0x55; // somewhere in the data of an entry
    const flipped = await importError(new Blob([bytes]));
    // Where the flip lands decides which check sees it first (the CRC, or the inflater on a deflated entry).
    expect(flipped, flipped).toMatch(/damaged.*(checksum does not match|cannot be decompressed|inflates)/);
    expect(await listProjects()).toEqual([]);
    expect(await getRows(p.id)).toEqual([]);
  });

  it('exports a record from before packing with its ids packed', async () => {
    const { p, ids } = await big();
    const { ids: _, ...rest } = predictions('m', ids);
    await putRawResult({ id: 'predictions|m', projectId: p.id, createdAt: 2, kind: 'predictions', data: { ...rest, ids } });
    const entries = unzipSync(new Uint8Array(await (await exportProject(p.id)).arrayBuffer()));
    expect(Object.keys(entries).filter((n) => n.startsWith('strs/'))).toHaveLength(0);
    await clearAllData();
    await importProject(new Blob([zipSync(entries)]));
    expect((await storedResults(p.id))[0].data).toMatchObject({ ids: packIdList(ids) });
  });

  it('imports a file of format 2, whose predictions list their ids, storing them packed', async () => {
    const { p, ids } = await big();
    const entries = unzipSync(new Uint8Array(await (await exportProject(p.id)).arrayBuffer()));
    // Format 2 as it was written: the manifest's version, and the ids as a strs/ list beside the result.
    const manifest = JSON.parse(strFromU8(entries['surrogate.json'])) as Record<string, unknown>;
    entries['surrogate.json'] = strToU8(JSON.stringify({ ...manifest, formatVersion: 2 }));
    const result = JSON.parse(strFromU8(entries['results/0.json'])) as { data: Record<string, unknown> };
    result.data.ids = { $sg: 'strs', file: 'strs/0.jsonl', count: ids.length };
    entries['results/0.json'] = strToU8(JSON.stringify(result));
    entries['strs/0.jsonl'] = strToU8(`${JSON.stringify(ids.slice(0, 20_000))}\n${JSON.stringify(ids.slice(20_000))}\n`);
    await clearAllData();
    await importProject(new Blob([zipSync(entries)]));
    expect((await storedResults(p.id))[0].data).toMatchObject({ ids: packIdList(ids) });
    expect((await latestPredictions(p.id))?.data.ids).toEqual(packIdList(ids));
  });

  it('imports a zip of format 1, moving its vectors into chunks', async () => {
    const [h0, h1] = makeRows(2).map((r) => r.hash);
    const manifest = {
      format: 'surrogate-project',
      formatVersion: 1,
      exportedAt: 1,
      project: { id: 'v1', name: 'V1' },
      rows: makeRows(2),
      codebooks: [],
      responses: [],
      results: [],
      models: [],
      embeddings: [{ embKey: 'e', dim: 2, hashes: [h0, h1], matrix: { $sg: 'bin', type: 'Float32Array', file: 'bin/0.bin' } }],
    };
    const bin = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
    await importProject(new Blob([zipSync({ 'bin/0.bin': bin, 'surrogate.json': strToU8(JSON.stringify(manifest)) })]));
    expect(Array.from((await getEmbeddings(projectVectorKey('e', 'v1'), [h1, h0], 2)).matrix)).toEqual([3, 4, 1, 2]);
    expect(await getRows('v1')).toHaveLength(2);
  });
});

async function importError(blob: Blob): Promise<string> {
  const err = await importProject(blob).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ImportError);
  return (err as Error).message;
}

describe('import validation', () => {
  const json = (v: unknown) => new Blob([JSON.stringify(v)]);
  const valid = { format: 'surrogate-project', formatVersion: 1, project: { id: 'p', name: 'P' }, rows: [] };

  it('says plainly when a file is not a Surrogate export', async () => {
    expect(await importError(new Blob(['text,label\nhello,pos\n']))).toMatch(/not a Surrogate project export/);
    expect(await importError(json({ hello: 'world' }))).toMatch(/not a Surrogate project export/);
    expect(await importError(new Blob([new Uint8Array([0xff, 0xfe, 0x00, 0x81])]))).toMatch(/not a Surrogate project export/);
    expect(await importError(new Blob([zipSync({ 'other.txt': strToU8('x') })]))).toMatch(/not a Surrogate project export/);
  });

  it('refuses a file from a newer version', async () => {
    expect(await importError(json({ ...valid, formatVersion: EXPORT_VERSION + 1 }))).toMatch(
      new RegExp(`newer version of Surrogate.*file format ${EXPORT_VERSION + 1}`),
    );
  });

  it('reports damaged files and writes nothing', async () => {
    expect(await importError(json({ ...valid, rows: [{ id: 1 }] }))).toMatch(/damaged.*row 1: its id, text or hash is missing/);
    expect(await importError(json({ ...valid, project: null }))).toMatch(/damaged.*project record/);
    const manifest = JSON.stringify({
      ...valid,
      embeddings: [{ embKey: 'e', dim: 1, hashes: ['h'], matrix: { $sg: 'bin', type: 'Float32Array', file: 'bin/0.bin' } }],
    });
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
