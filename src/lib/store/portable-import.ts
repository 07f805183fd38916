// Import a project file (portable.ts writes them). Zips of format 2 and 3 are
// read an entry at a time straight from the picked File, each part written in
// its own transaction, the project record last: until it lands the project is
// not listed, and a failure deletes what this import wrote. Format 1 files
// (one JSON document, or a zip of it plus bin/ entries) are small by
// construction and still read whole. Corpus predictions of files before
// format 3 carry their ids as a list; they are stored packed, as new ones are.
import { strFromU8, unzipSync } from 'fflate';
import { STORES, newId, prefixRange, queueAll, runAll, tx } from './db';
import { putEmbeddings, vectorBytes } from './embeddings';
import { ImportError } from './errors';
import { blankProject } from './projects';
import { writeRows } from './rows';
import { decodeValue, referencedFiles } from './codec';
import { fromHalf } from './half';
import {
  END,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  MANIFEST,
  type ExportEnd,
  type ExportedEmbeddings,
  type Manifest,
  type ProjectExport,
} from './portable';
import { hasStr, isCount, isObject } from './guards';
import { predictionsId, withPackedRecordIds } from './results';
import { yieldToPage } from './yield';
import { ZipFormatError, ZipReader, type ZipEntry } from './zip';
import type { Project, StoredModel, StoredResponse, StoredResult, StoredRow } from './types';

const OP = 'import the project';
const NOT_OURS = 'This file is not a Surrogate project export. Choose a .json or .zip file saved with "Export project".';

function damaged(what: string): ImportError {
  return new ImportError(`The project file is damaged and cannot be imported: ${what}.`);
}

function parseManifest(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ImportError(NOT_OURS, err);
  }
  if (!isObject(raw) || raw.format !== EXPORT_FORMAT) throw new ImportError(NOT_OURS);
  const v = raw.formatVersion;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw damaged('its format version is missing');
  if (v > EXPORT_VERSION) {
    throw new ImportError(
      `This project was exported by a newer version of Surrogate (file format ${v}; this version reads up to ${EXPORT_VERSION}). ` +
        'Update Surrogate (reload the page), then import it again.',
    );
  }
  return raw;
}

function throwErr(err: Error): never {
  throw err;
}

function parseJson(bytes: Uint8Array, name: string): unknown {
  try {
    return JSON.parse(strFromU8(bytes));
  } catch {
    throw damaged(`${name} is not valid JSON`);
  }
}

/**
 * Restores a file from exportProject. The project keeps its id when free,
 * otherwise gets a new one (likewise its models and results). Cached
 * responses and vectors already present are kept as they are. Throws
 * ImportError for files that are not Surrogate exports, are damaged, or come
 * from a newer version.
 */
export async function importProject(blob: Blob): Promise<Project> {
  const head = new Uint8Array(await blob.slice(0, 4).arrayBuffer());
  const isZip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4;
  if (!isZip) return importDocument(decodeJsonFile(new Uint8Array(await blob.arrayBuffer())));
  let zip: ZipReader;
  try {
    zip = await ZipReader.open(blob);
  } catch (err) {
    throw new ImportError('This zip file is damaged and cannot be read.', err);
  }
  const entry = zip.find(MANIFEST) ?? throwErr(new ImportError(NOT_OURS));
  const manifest = parseManifest(strFromU8(await read(zip, entry)));
  if (manifest.formatVersion === 1) return importDocument(decodeV1Zip(new Uint8Array(await blob.arrayBuffer()), manifest));
  return importParts(zip, checkManifest(manifest));
}

async function read(zip: ZipReader, e: ZipEntry): Promise<Uint8Array> {
  try {
    return await zip.read(e);
  } catch (err) {
    if (err instanceof ZipFormatError) throw damaged(err.message);
    throw err;
  }
}

// ─── Format 2 and 3: part by part ────────────────────────────────────────

function checkManifest(raw: Record<string, unknown>): Manifest {
  if (!hasStr(raw.project, 'id', 'name')) throw damaged('the project record is missing');
  if (!Array.isArray(raw.codebooks) || raw.codebooks.some((c) => !isObject(c) || typeof c.version !== 'number'))
    throw damaged('"codebooks" is malformed');
  const c = raw.counts;
  if (!isObject(c) || !['rows', 'rowFiles', 'responses', 'models', 'results'].every((k) => isCount(c[k])))
    throw damaged('its counts are missing');
  return raw as unknown as Manifest;
}

/**
 * The id a student's corpus labels take when the student gets a new id, so
 * they stay `predictions|<modelId>` (what the student's verbs look up).
 */
function renamedResult(id: string, ids: Map<string, string>): string | undefined {
  const to = id.startsWith('predictions|') ? ids.get(id.slice('predictions|'.length)) : undefined;
  return to && predictionsId(to);
}

/** Replaces every string equal to an old id (ids are random UUIDs, so an exact match is a reference). */
function remapIds<T>(value: T, ids: Map<string, string>): T {
  if (ids.size === 0) return value;
  if (typeof value === 'string') return (ids.get(value) ?? value) as T;
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (Array.isArray(value)) return value.map((v) => remapIds(v, ids)) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = remapIds(v, ids);
  return out as T;
}

/** Reads a JSON entry and decodes it, fetching the bin/ and strs/ entries it refers to first. */
async function document(zip: ZipReader, e: ZipEntry): Promise<unknown> {
  const raw = parseJson(await read(zip, e), e.name);
  const refs = referencedFiles(raw);
  const bins = new Map<string, Uint8Array>();
  const lists = new Map<string, string[]>();
  const entry = (file: string) => zip.find(file) ?? throwErr(damaged(`it lacks ${file}`));
  for (const file of refs.bin) bins.set(file, await read(zip, entry(file)));
  for (const file of refs.strs) lists.set(file, await readList(zip, entry(file)));
  try {
    return decodeValue(
      raw,
      (f) => bins.get(f) ?? throwErr(damaged(`it lacks ${f}`)),
      (f) => lists.get(f) ?? throwErr(damaged(`it lacks ${f}`)),
    );
  } catch (err) {
    if (err instanceof TypeError) throw damaged(`${e.name}: ${err.message}`);
    throw err;
  }
}

/** A strs/ entry: JSON arrays of strings, one per line, parsed a line per task. */
async function readList(zip: ZipReader, e: ZipEntry): Promise<string[]> {
  const text = strFromU8(await read(zip, e));
  const out: string[] = [];
  for (let at = 0; at < text.length;) {
    const nl = text.indexOf('\n', at);
    const line = text.slice(at, nl < 0 ? text.length : nl);
    at = nl < 0 ? text.length : nl + 1;
    if (line.trim() === '') continue;
    const part = parseJson(new TextEncoder().encode(line), e.name);
    if (!Array.isArray(part) || part.some((s) => typeof s !== 'string')) throw damaged(`${e.name} is not a list of strings`);
    for (const s of part as string[]) out.push(s);
    await yieldToPage();
  }
  return out;
}

/** What this import has written, to delete if it fails before the project record lands. */
interface Written {
  pid: string;
  models: string[];
  results: string[];
  responses: string[];
}

async function importParts(zip: ZipReader, m: Manifest): Promise<Project> {
  const ids = new Map<string, string>();
  const taken = await tx([STORES.projects], 'readonly', OP, (t) => t.objectStore(STORES.projects).getKey(m.project.id));
  if (taken !== undefined) ids.set(m.project.id, newId());
  const pid = ids.get(m.project.id) ?? m.project.id;
  const w: Written = { pid, models: [], results: [], responses: [] };
  try {
    await tx([STORES.rows, STORES.codebooks], 'readwrite', OP, async (t) => {
      // Left over from an import that failed before: replaced.
      await runAll([
        () => t.objectStore(STORES.rows).delete(prefixRange(pid)),
        () => t.objectStore(STORES.codebooks).delete(prefixRange(pid)),
      ]);
      const codebooks = t.objectStore(STORES.codebooks);
      await queueAll(m.codebooks, (cv) => codebooks.put({ projectId: pid, version: (cv as { version: number }).version, value: cv }));
    });
    let rows = 0;
    let rowFiles = 0;
    let vectorFiles = 0;
    let vectors = 0;
    let end: ExportEnd | null = null;
    for (const e of zip.entries) {
      const [dir, file] = e.name.split('/');
      if (dir === 'rows' && /^\d+\.json$/.test(file ?? '')) {
        rows += await importRows(zip, e, pid, Number(file.split('.')[0]));
        rowFiles++;
      } else if (dir === 'responses' && file) {
        const list = remapIds(await document(zip, e), ids);
        if (!Array.isArray(list) || list.some((r) => !hasStr(r, 'key'))) throw damaged(`${e.name} is malformed`);
        w.responses.push(...(await putNewResponses(list as StoredResponse[])));
      } else if ((dir === 'models' || dir === 'results') && file) {
        const rec = await document(zip, e);
        if (!hasStr(rec, 'id')) throw damaged(`${e.name} is malformed`);
        const store = dir === 'models' ? STORES.models : STORES.results;
        const id = (rec as { id: string }).id;
        const renamed = dir === 'results' ? renamedResult(id, ids) : undefined;
        if (renamed) ids.set(id, renamed);
        else if ((await tx([store], 'readonly', OP, (t) => t.objectStore(store).getKey(id))) !== undefined) ids.set(id, newId());
        const value = (await withPackedRecordIds(remapIds(rec, ids))) as StoredModel & StoredResult;
        await tx([store], 'readwrite', OP, (t) => t.objectStore(store).put(value));
        (dir === 'models' ? w.models : w.results).push(value.id);
      } else if (dir === 'vectors' && file?.endsWith('.json')) {
        vectors += await importVectors(zip, e);
        vectorFiles++;
      } else if (e.name === END) {
        end = parseJson(await read(zip, e), END) as ExportEnd;
      }
    }
    if (!end) throw damaged('it was cut short (it lacks end.json)');
    if (rows !== end.rows || rowFiles !== end.rowFiles)
      throw damaged(`it holds ${rows.toLocaleString('en-US')} of its ${Number(end.rows).toLocaleString('en-US')} rows`);
    if (vectorFiles !== end.vectorFiles || vectors !== end.vectors)
      throw damaged(`it holds ${vectors.toLocaleString('en-US')} of its ${Number(end.vectors).toLocaleString('en-US')} vectors`);
    const project: Project = { ...blankProject(m.project.name, pid), ...remapIds(m.project, ids), id: pid, rowCount: rows };
    await tx([STORES.projects], 'readwrite', OP, (t) => t.objectStore(STORES.projects).put(project));
    return project;
  } catch (err) {
    await undo(w).catch(() => undefined); // the import's own error is what the researcher needs to see
    throw err;
  }
}

async function importRows(zip: ZipReader, e: ZipEntry, pid: string, index: number): Promise<number> {
  const rows = parseJson(await read(zip, e), e.name);
  if (!Array.isArray(rows)) throw damaged(`${e.name} is not a list`);
  const bad = rows.findIndex((r) => !hasStr(r, 'id', 'text', 'hash'));
  if (bad >= 0) throw damaged(`row ${bad} of ${e.name} is malformed`);
  await tx([STORES.rows], 'readwrite', OP, (t) => t.objectStore(STORES.rows).put({ projectId: pid, index, rows: rows as StoredRow[] }));
  return rows.length;
}

/** Puts the responses not cached yet; returns their keys. */
function putNewResponses(list: StoredResponse[]): Promise<string[]> {
  return tx([STORES.responses], 'readwrite', OP, async (t) => {
    const store = t.objectStore(STORES.responses);
    const have = await queueAll(list, (r) => store.getKey(r.key));
    const fresh = list.filter((_, i) => have[i] === undefined);
    await queueAll(fresh, (r) => store.put(r));
    return fresh.map((r) => r.key);
  });
}

async function importVectors(zip: ZipReader, e: ZipEntry): Promise<number> {
  const meta = parseJson(await read(zip, e), e.name);
  const binName = e.name.replace(/\.json$/, '.bin');
  if (
    !hasStr(meta, 'embKey', 'format') ||
    !Number.isInteger((meta as { dim: unknown }).dim) ||
    !Array.isArray((meta as { hashes: unknown }).hashes)
  ) {
    throw damaged(`${e.name} is malformed`);
  }
  const { embKey, dim, format, hashes } = meta as { embKey: string; dim: number; format: string; hashes: string[] };
  if ((format !== 'f32' && format !== 'f16') || dim < 1) throw damaged(`${e.name} is malformed`);
  const bytes = await read(zip, zip.find(binName) ?? throwErr(damaged(`it lacks ${binName}`)));
  if (bytes.length !== hashes.length * vectorBytes(dim, format)) throw damaged(`${binName} has the wrong size`);
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const matrix =
    format === 'f16'
      ? fromHalf(new Uint16Array(aligned.buffer, aligned.byteOffset, hashes.length * dim))
      : new Float32Array(aligned.buffer, aligned.byteOffset, hashes.length * dim);
  await putEmbeddings(embKey, hashes, matrix, dim, format);
  return hashes.length;
}

async function undo(w: Written): Promise<void> {
  await tx(
    [STORES.rows, STORES.codebooks, STORES.models, STORES.results, STORES.responses],
    'readwrite',
    'undo a failed import',
    async (t) => {
      await runAll([
        () => t.objectStore(STORES.rows).delete(prefixRange(w.pid)),
        () => t.objectStore(STORES.codebooks).delete(prefixRange(w.pid)),
        ...w.models.map((id) => () => t.objectStore(STORES.models).delete(id)),
        ...w.results.map((id) => () => t.objectStore(STORES.results).delete(id)),
        ...w.responses.map((k) => () => t.objectStore(STORES.responses).delete(k)),
      ]);
    },
  );
}

// ─── Format 1: one document ──────────────────────────────────────────────

function decodeJsonFile(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new ImportError(NOT_OURS, err);
  }
  const raw = parseManifest(text);
  if (raw.formatVersion !== 1) throw new ImportError(NOT_OURS);
  return decodeValue(raw, (file) => throwErr(damaged(`it refers to ${file} but is not a zip`))) as Record<string, unknown>;
}

function decodeV1Zip(bytes: Uint8Array, raw: Record<string, unknown>): Record<string, unknown> {
  let entries: ReturnType<typeof unzipSync>;
  try {
    entries = unzipSync(bytes);
  } catch (err) {
    throw new ImportError('This zip file is damaged and cannot be read.', err);
  }
  return decodeValue(raw, (file) => entries[file] ?? throwErr(damaged(`it lacks ${file}`))) as Record<string, unknown>;
}

function arrayOf<T>(doc: Record<string, unknown>, field: string, ok: (v: unknown) => boolean): T[] {
  const v = doc[field] ?? [];
  if (!Array.isArray(v)) throw damaged(`"${field}" is not a list`);
  const bad = v.findIndex((x) => !ok(x));
  if (bad >= 0) throw damaged(`entry ${bad} of "${field}" is malformed`);
  return v as T[];
}

/** Checks every part of a decoded format-1 file has the shape the store writes. */
function validate(doc: Record<string, unknown>): ProjectExport {
  if (!hasStr(doc.project, 'id', 'name')) throw damaged('the project record is missing');
  const embeddingOk = (e: unknown) =>
    hasStr(e, 'embKey') &&
    isObject(e) &&
    Number.isInteger(e.dim) &&
    Array.isArray(e.hashes) &&
    e.matrix instanceof Float32Array &&
    e.matrix.length === e.hashes.length * (e.dim as number);
  return {
    format: EXPORT_FORMAT,
    formatVersion: doc.formatVersion as number,
    exportedAt: Number(doc.exportedAt),
    project: doc.project as Project,
    rows: arrayOf(doc, 'rows', (r) => hasStr(r, 'id', 'text', 'hash')),
    codebooks: arrayOf(doc, 'codebooks', (c) => isObject(c) && typeof c.version === 'number'),
    responses: arrayOf(doc, 'responses', (r) => hasStr(r, 'key')),
    results: arrayOf(doc, 'results', (r) => hasStr(r, 'id')),
    models: arrayOf(doc, 'models', (m) => hasStr(m, 'id')),
    embeddings: arrayOf<ExportedEmbeddings>(doc, 'embeddings', embeddingOk),
  };
}

const IMPORT_STORES = [STORES.projects, STORES.rows, STORES.codebooks, STORES.responses, STORES.results, STORES.models];

/** A format-1 document in one transaction (its vectors first: they are a shared cache). */
async function importDocument(raw: Record<string, unknown>): Promise<Project> {
  const file = validate(raw);
  // Packing yields, which would end the transaction below: done first.
  for (const [i, r] of file.results.entries()) file.results[i] = await withPackedRecordIds(r);
  for (const e of file.embeddings) await putEmbeddings(e.embKey, e.hashes, e.matrix, e.dim);
  return tx(IMPORT_STORES, 'readwrite', OP, async (t) => {
    const models = t.objectStore(STORES.models);
    const results = t.objectStore(STORES.results);
    const responses = t.objectStore(STORES.responses);
    const [projectHit, modelHits, resultHits] = await Promise.all([
      t.objectStore(STORES.projects).getKey(file.project.id),
      queueAll(file.models, (m) => models.getKey(m.id)),
      queueAll(file.results, (r) => results.getKey(r.id)),
    ]);
    const ids = new Map<string, string>();
    if (projectHit !== undefined) ids.set(file.project.id, newId());
    file.models.forEach((m, i) => modelHits[i] !== undefined && ids.set(m.id, newId()));
    file.results.forEach((r, i) => {
      const renamed = renamedResult(r.id, ids);
      if (renamed) ids.set(r.id, renamed);
      else if (resultHits[i] !== undefined) ids.set(r.id, newId());
    });
    const doc = remapIds(file, ids);
    const pid = doc.project.id;
    // Defaults first, so a file from an older layout still yields a whole Project.
    const project: Project = { ...blankProject(doc.project.name, pid), ...doc.project, rowCount: doc.rows.length };
    const cached = await queueAll(doc.responses, (r) => responses.getKey(r.key));
    const codebooks = t.objectStore(STORES.codebooks);
    await runAll([
      () => t.objectStore(STORES.projects).put(project),
      () => writeRows(t.objectStore(STORES.rows), pid, doc.rows),
      ...doc.codebooks.map((cv) => () => codebooks.put({ projectId: pid, version: (cv as { version: number }).version, value: cv })),
      ...doc.responses.filter((_, i) => cached[i] === undefined).map((r) => () => responses.put(r)),
      ...doc.results.map((r) => () => results.put(r)),
      ...doc.models.map((m) => () => models.put(m)),
    ]);
    return project;
  });
}
