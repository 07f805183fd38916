// Hostile project files: a corpus built from files this app writes, then
// damaged. Each case either imports correctly or is refused naming the entry
// and the reason, and a refused import leaves every store byte for byte as
// it was (a digest of all stores before and after).
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORES, tx } from './db';
import {
  createProject,
  exportProject,
  getEmbeddings,
  getPredictions,
  getResponses,
  cleanOnOpen,
  importProject,
  listProjects,
  listResponsesByProject,
  putEmbeddings,
  putResponses,
  putRows,
  resetDbForTests,
  saveCodebookVersion,
  saveModel,
  ImportError,
  projectVectorKey,
  vectorKeyFor,
  type Project,
} from './index';
import { codebookVersion, digest, liveAnswer, makeRows, model, storedResults } from './fixtures';
import { blobSink, ZipReader, ZipWriter } from '../data/zip';
import { usableBy, type TeacherResponse } from '../teacher/types';

afterEach(resetDbForTests);

const DIM = 4;
const ENC = 'emb-v1|m|q8|mean|l2';

/** Project A: this browser's own, with paid answers and vectors. */
async function ours(): Promise<Project> {
  const a = await createProject('Ours');
  const rows = makeRows(12, 'a');
  await putRows(a.id, rows);
  await saveCodebookVersion(a.id, codebookVersion(1));
  const cb = codebookVersion(1).hash;
  await putResponses(rows.map((r, i) => liveAnswer(a.id, cb, r.hash, i % 2 ? 'pos' : 'neg')));
  await putEmbeddings(
    ENC,
    rows.map((r) => r.hash),
    Float32Array.from({ length: 12 * DIM }, (_, i) => i),
    DIM,
  );
  return a;
}

/** Project B's file: the same texts and setup (a collaborator's copy), exported with students and vectors, as entries. */
async function theirs(): Promise<Record<string, Uint8Array>> {
  const b = await createProject('Theirs');
  const rows = makeRows(12, 'a');
  await putRows(b.id, rows);
  await saveCodebookVersion(b.id, codebookVersion(1));
  await saveModel(model(crypto.randomUUID(), b.id));
  const blob = await exportProject(b.id, { includeModels: true, includeEmbeddings: true });
  const entries = unzipSync(new Uint8Array(await blob.arrayBuffer()));
  // Gone from this browser: the file is all that is left of it.
  await tx([STORES.projects, STORES.rows, STORES.codebooks, STORES.models], 'readwrite', 'drop', async (t) => {
    await t.objectStore(STORES.projects).delete(b.id);
    await t.objectStore(STORES.rows).delete(IDBKeyRange.bound([b.id], [b.id, []]));
    await t.objectStore(STORES.codebooks).delete(IDBKeyRange.bound([b.id], [b.id, []]));
    await t.objectStore(STORES.models).clear();
  });
  return entries;
}

/** `n` characters that do not compress (a zip of repeated ones is refused as a bomb before any check here). */
function noise(n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i += 11) parts.push(Math.random().toString(36).slice(2, 13).padEnd(11, 'z'));
  return parts.join('').slice(0, n);
}

const json = (bytes: Uint8Array) => JSON.parse(strFromU8(bytes)) as Record<string, unknown>;
const put = (v: unknown) => strToU8(JSON.stringify(v));

/** A zip written entry by entry, in order, duplicates allowed. */
async function writeZip(entries: [string, Uint8Array][]): Promise<Blob> {
  const sink = blobSink('application/zip');
  const w = new ZipWriter(sink);
  for (const [name, bytes] of entries) await w.add(name, bytes, true);
  await w.finish();
  return sink.blob();
}

async function refusal(blob: Blob): Promise<string> {
  const err = await importProject(blob, 'theirs.zip').catch((e: unknown) => e);
  expect(err, String(err)).toBeInstanceOf(ImportError);
  return (err as Error).message;
}

describe('a refused import changes nothing', () => {
  let file: Record<string, Uint8Array>;
  let before: string;
  beforeEach(async () => {
    await ours();
    file = await theirs();
    before = await digest();
  });

  const cases: [string, (f: Record<string, Uint8Array>) => Promise<Blob> | Blob, RegExp][] = [
    [
      'cut short, carrying 3-wide vectors for our encoder key',
      (f) => {
        const { ['end.json']: _, ...rest } = f;
        const hashes = [makeRows(1, 'a')[0].hash];
        return new Blob([
          zipSync({ ...rest, 'vectors/0.json': put({ embKey: ENC, dim: 3, format: 'f32', hashes }), 'vectors/0.bin': new Uint8Array(12) }),
        ]);
      },
      /cut short \(it lacks end\.json\)/,
    ],
    [
      'two entries with one name',
      (f) => writeZip([...Object.entries(f), ['rows/0.json', f['rows/0.json']]]),
      /two entries named rows\/0\.json/,
    ],
    [
      'an entry name that climbs out of its folder',
      (f) => new Blob([zipSync({ ...f, 'models/../../../../tmp/x.json': f['models/0.json'] })]),
      /entry named models\/\.\.\/\.\.\/\.\.\/\.\.\/tmp\/x\.json, which is not part of a project file/,
    ],
    [
      'a saved step named __proto__',
      (f) => {
        const m = json(f['surrogate.json']);
        return new Blob([zipSync({ ...f, 'surrogate.json': put({ ...m, project: { ...(m.project as object), step: '__proto__' } }) })]);
      },
      /saved step "__proto__" is not a step/,
    ],
    [
      'a __proto__ key in the settings',
      (f) => {
        const text = strFromU8(f['surrogate.json']).replace('"settings":{}', '"settings":{"__proto__":{"polluted":true}}');
        expect(text).toContain('__proto__');
        return new Blob([zipSync({ ...f, 'surrogate.json': strToU8(text) })]);
      },
      /reserved key \$\.project\.settings\.__proto__/,
    ],
    [
      'a codebook of the wrong type',
      (f) => {
        const m = json(f['surrogate.json']);
        const [cb] = m.codebooks as { codebook: Record<string, unknown> }[];
        return new Blob([
          zipSync({ ...f, 'surrogate.json': put({ ...m, codebooks: [{ ...cb, codebook: { ...cb.codebook, task: 42 } }] }) }),
        ]);
      },
      /codebook 1: version 1 has no usable task/,
    ],
    [
      'a damaged mapping',
      (f) => {
        const m = json(f['surrogate.json']);
        return new Blob([zipSync({ ...f, 'surrogate.json': put({ ...m, project: { ...(m.project as object), mapping: { text: 7 } } }) })]);
      },
      /column mapping is unusable \(no usable text column\)/,
    ],
    [
      'a row whose hash is another text',
      (f) => {
        const rows = JSON.parse(strFromU8(f['rows/0.json'])) as { hash: string }[];
        rows[3].hash = rows[4].hash;
        return new Blob([zipSync({ ...f, 'rows/0.json': put(rows) })]);
      },
      /row 4 of rows\/0\.json: its hash is not its text's/,
    ],
    [
      'an answer with a NaN time and negative token counts',
      (f) => {
        const bad = {
          ...liveAnswer('x', codebookVersion(1).hash, makeRows(1, 'a')[0].hash, 'pos', 1),
          usage: { prompt: -5, completion: 1 },
        };
        const m = json(f['surrogate.json']);
        const counts = { ...(m.counts as object), responses: 1 };
        return new Blob([zipSync({ ...f, 'surrogate.json': put({ ...m, counts }), 'responses/0.json': put([bad]) })]);
      },
      /answer 1 of responses\/0\.json: its token counts are not counts/,
    ],
    [
      'a student without weights',
      (f) => new Blob([zipSync({ ...f, 'models/0.json': put({ ...json(f['models/0.json']), weights: null }) })]),
      /models\/0\.json: no usable weights/,
    ],
    [
      'vectors of texts the project does not have',
      (f) => {
        const meta = json(f['vectors/0.json']);
        return new Blob([
          zipSync({ ...f, 'vectors/0.json': put({ ...meta, hashes: ['0123456789abcdef', ...(meta.hashes as string[]).slice(1)] }) }),
        ]);
      },
      /vectors\/0\.json: it holds vectors of texts the project does not have/,
    ],
  ];

  for (const [name, make, message] of cases) {
    it(`${name}: refused, and every store is as it was`, async () => {
      const text = await refusal(await make(file));
      expect(text).toMatch(message);
      expect(await digest()).toBe(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('bit flips anywhere: refused with a reason or imported whole, never half', async () => {
    const bytes = new Uint8Array(await (await writeZip(Object.entries(file))).arrayBuffer());
    for (const at of [40, 200, bytes.length >> 2, bytes.length >> 1, bytes.length - 30, bytes.length - 100]) {
      await resetDbForTests();
      await ours();
      const snap = await digest();
      const hit = bytes.slice();
      hit[at] ^= 0x5a;
      const err = await importProject(new Blob([hit])).catch((e: unknown) => e);
      if (err instanceof Error) {
        expect(err, String(err)).toBeInstanceOf(ImportError);
        expect(await digest()).toBe(snap);
      } else expect(await listProjects()).toHaveLength(2);
    }
  });

  it('a zip bomb is refused from its sizes, and one that lies about them stops at what it declared', async () => {
    const zeros = new Uint8Array(64 * 2 ** 20);
    const bomb = new Blob([zipSync({ ...file, 'rows/0.json': zeros } as Zippable)]);
    expect(await refusal(bomb)).toMatch(/rows\/0\.json would inflate \d+-fold/);
    // The same entry, its declared size patched down to 1 KiB (central directory and local header).
    const bytes = new Uint8Array(await (await writeZip([['rows/0.json', zeros]])).arrayBuffer());
    const view = new DataView(bytes.buffer);
    for (let i = bytes.length - 22; i >= 0; i--) {
      if (view.getUint32(i, true) === 0x02014b50) view.setUint32(i + 24, 1024, true);
    }
    view.setUint32(22, 1024, true);
    const zip = await ZipReader.open(new Blob([bytes]));
    await expect(zip.read(zip.entries[0])).rejects.toThrow(/inflates past the 1 KiB it declares/);
    expect(await digest()).toBe(before);
  });
});

describe('an import writes whole or not at all, even across a closed tab', () => {
  /** The file with answers of its own, so every kind of part is written. */
  async function fullFile(): Promise<Blob> {
    const file = await theirs();
    const cb = codebookVersion(1).hash;
    const answers = makeRows(12, 'a').map((r) => liveAnswer('b', cb, r.hash, 'neg', 1));
    const m = json(file['surrogate.json']);
    return writeZip(
      Object.entries({
        ...file,
        'surrogate.json': put({ ...m, counts: { ...(m.counts as object), responses: 12 } }),
        'responses/0.json': put(answers),
      }),
    );
  }

  it('a tab closed after any part: on reopening, every store is as it was before', async () => {
    await ours();
    const blob = await fullFile();
    let parts = 0;
    await importProject(blob, 'count.zip', { afterPart: async (n) => void (parts = n) });
    expect(parts).toBeGreaterThanOrEqual(5); // codebooks, rows, answers, student, vectors
    const fileId = (json(unzipSync(new Uint8Array(await blob.arrayBuffer()))['surrogate.json']).project as { id: string }).id;
    for (let stop = 1; stop <= parts; stop++) {
      await resetDbForTests();
      await ours();
      // A paid answer stored under the file's project id (that project deleted here since): an undo keeps it.
      await putResponses([liveAnswer(fileId, codebookVersion(1).hash, makeRows(1, 'a')[0].hash, 'pos', 5)]);
      const before = await digest();
      let reached!: () => void;
      const there = new Promise<void>((ok) => (reached = ok));
      // The tab closes once `stop` parts are written: the import never goes on, nor runs its own undo.
      void importProject(blob, 'closed.zip', {
        afterPart: (n) => (n === stop ? (reached(), new Promise<void>(() => {})) : Promise.resolve()),
      });
      await there;
      expect(await digest(), `stopped after part ${stop}`).not.toBe(before);
      expect(await listProjects()).toHaveLength(1); // never listed half written
      expect(await cleanOnOpen()).toBe(1); // the app opens again
      expect(await digest(), `reopened after part ${stop}`).toBe(before);
    }
  });

  it('a file of format 1 (one document, its vectors after): a tab closed before its vectors is undone as well', async () => {
    await ours();
    const before = await digest();
    const rows = makeRows(2, 'v');
    const v1 = {
      format: 'surrogate-project',
      formatVersion: 1,
      project: { id: 'old', name: 'Old' },
      rows,
      codebooks: [codebookVersion(1)],
      responses: [liveAnswer('old', codebookVersion(1).hash, rows[0].hash, 'pos', 3)],
      embeddings: [
        {
          embKey: ENC,
          dim: 2,
          hashes: rows.map((r) => r.hash),
          matrix: { $sg: 'b64', type: 'Float32Array', data: 'AACAPwAAAEAAAEBAAACAQA==' },
        },
      ],
    };
    let reached!: () => void;
    const there = new Promise<void>((ok) => (reached = ok));
    void importProject(new Blob([JSON.stringify(v1)]), 'old.json', {
      afterPart: (n) => (n === 1 ? (reached(), new Promise<void>(() => {})) : Promise.resolve()),
    });
    await there;
    expect(await digest()).not.toBe(before);
    expect(await cleanOnOpen()).toBe(1);
    expect(await digest()).toBe(before);
  });

  it('a write that fails half way undoes itself at once', async () => {
    await ours();
    const blob = await fullFile();
    const before = await digest();
    const err = await importProject(blob, 'full.zip', {
      afterPart: async (n) => {
        if (n === 3) throw new Error('QuotaExceededError (simulated)');
      },
    }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/simulated/);
    expect(await digest()).toBe(before);
    expect(await cleanOnOpen()).toBe(0);
  });

  it('a journal whose import finished is gone; nothing is undone on opening', async () => {
    await ours();
    const b = await importProject(await fullFile(), 'done.zip');
    const after = await digest();
    expect(after).not.toMatch(/import\.journal/);
    expect(await cleanOnOpen()).toBe(0);
    expect(await digest()).toBe(after);
    expect(await listResponsesByProject(b.id)).toHaveLength(12);
  });
});

describe('an import plants nothing', () => {
  it("another project's answer keys are imported for the imported project only, marked, and never replace ours", async () => {
    const a = await ours();
    const file = await theirs();
    const cb = codebookVersion(1).hash;
    const rows = makeRows(12, 'a');
    // Same setup, texts and repeat 0 (ours are stored: kept) and repeat 1 (new: imported, for B only).
    const planted = rows.flatMap((r) => [liveAnswer('b', cb, r.hash, 'neg', 0), liveAnswer('b', cb, r.hash, 'neg', 1)]);
    const m = json(file['surrogate.json']);
    const oursBefore = (await listResponsesByProject(a.id)).sort((x, y) => x.key.localeCompare(y.key));
    const blob = new Blob([
      zipSync({
        ...file,
        'surrogate.json': put({ ...m, counts: { ...(m.counts as object), responses: 24 } }),
        'responses/0.json': put(planted),
      }),
    ]);

    const b = await importProject(blob, 'theirs.zip');
    expect((await listResponsesByProject(a.id)).sort((x, y) => x.key.localeCompare(y.key))).toEqual(oursBefore);
    const imported = await listResponsesByProject<TeacherResponse>(b.id);
    expect(imported).toHaveLength(12);
    expect(imported.every((r) => r.repeat === 1 && r.origin?.kind === 'imported' && r.origin.file === 'theirs.zip')).toBe(true);
    // What a run of ours may count as stored: none of them; B's own run may.
    const found = await getResponses<TeacherResponse>(imported.map((r) => r.key));
    expect([...found.values()].filter((r) => usableBy(a.id, r))).toEqual([]);
    expect([...found.values()].filter((r) => usableBy(b.id, r))).toHaveLength(12);
    // Our vectors are as they were (the file's for the same texts were not written over them).
    expect(Array.from((await getEmbeddings(ENC, [rows[0].hash], DIM)).matrix)).toEqual([0, 1, 2, 3]);
    // The file's are B's own: only B reads them; we read ours.
    expect(await vectorKeyFor(ENC, a.id)).toBe(ENC);
    expect(await vectorKeyFor(ENC, b.id)).toBe(projectVectorKey(ENC, b.id));
    expect((await getEmbeddings(projectVectorKey(ENC, b.id), [rows[0].hash], DIM)).missing).toEqual([]);
    // An id from a file may hold '|': its key never falls in the range of a project whose id it starts with.
    expect(projectVectorKey(ENC, 'a|b').startsWith(projectVectorKey('', 'a'))).toBe(false);
  });

  it('an answer is re-read: a label its raw answer does not say, or a 12 MB answer, is stored as invalid', async () => {
    await ours();
    const file = await theirs();
    const cb = codebookVersion(1).hash;
    const [r0, r1] = makeRows(2, 'a');
    const huge = { ...liveAnswer('b', cb, r0.hash, 'pos', 2), raw: JSON.stringify({ label: 'pos', pad: noise(12 * 2 ** 20) }) };
    const lie = { ...liveAnswer('b', cb, r1.hash, 'pos', 2), raw: 'It is certainly not pos.' };
    const m = json(file['surrogate.json']);
    const b = await importProject(
      new Blob([
        zipSync({
          ...file,
          'surrogate.json': put({ ...m, counts: { ...(m.counts as object), responses: 2 } }),
          'responses/0.json': put([huge, lie]),
        }),
      ]),
    );
    const got = new Map((await listResponsesByProject<TeacherResponse>(b.id)).map((r) => [r.textHash, r]));
    expect(got.get(r0.hash)).toMatchObject({ valid: false, label: null, invalidReason: 'malformed-json' });
    expect(got.get(r0.hash)!.raw!.length).toBeLessThanOrEqual(64 * 1024);
    expect(got.get(r1.hash)).toMatchObject({ valid: false, label: null, invalidReason: 'not-a-label' });
  });

  it('a 4 MB project name is cut before it is stored or shown', async () => {
    await ours();
    const file = await theirs();
    const m = json(file['surrogate.json']);
    const p = await importProject(
      new Blob([zipSync({ ...file, 'surrogate.json': put({ ...m, project: { ...(m.project as object), name: noise(4e6) } }) })]),
    );
    expect(p.name.length).toBeLessThanOrEqual(200);
  });
});

describe("no file attaches labels to another project's student", () => {
  it('corpus labels named after a student stored here, in a file without it, get an id of their own', async () => {
    const a = await ours();
    const file = await theirs();
    const m = model(crypto.randomUUID(), a.id);
    await saveModel(m);
    const { ['models/0.json']: _m, ...rest } = file;
    const manifest = json(rest['surrogate.json']);
    const counts = { ...(manifest.counts as object), models: 0, results: 1 };
    const planted = {
      id: `predictions|${m.id}`,
      projectId: 'b',
      createdAt: 1,
      kind: 'predictions',
      data: {
        modelId: m.id,
        labels: ['neg', 'pos'],
        ids: ['a0'],
        probs: { $sg: 'b64', type: 'Float32Array', data: 'AACAPwAAAAA=' },
        embeddingKey: ENC,
      },
    };
    const b = await importProject(
      new Blob([zipSync({ ...rest, 'surrogate.json': put({ ...manifest, counts }), 'results/0.json': put(planted) })]),
    );
    expect(await getPredictions(m.id)).toBeUndefined();
    const [stored] = await storedResults(b.id);
    expect(stored.id).not.toBe(`predictions|${m.id}`);
    expect(stored.projectId).toBe(b.id);
  });
});
