// Export a project to one file and import it back. Plain exports are JSON;
// with embeddings or models they are a zip: `surrogate.json` (the manifest)
// plus raw little-endian `bin/N.bin` entries for every typed array.
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { STORES, newId, prefixRange, queueAll, runAll, tx } from './db';
import { embeddingKeys, forEachEmbeddingChunk, putEmbeddings } from './embeddings';
import { fromHalf } from './half';
import { ImportError, NotFoundError, StoreError } from './errors';
import { blankProject } from './projects';
import { writeRows } from './rows';
import { decodeValue, encodeValue, toBase64, type BinarySink, type Tag } from './codec';
import type { Project, StoredModel, StoredResponse, StoredResult, StoredRow } from './types';

export const EXPORT_FORMAT = 'surrogate-project';
/** Bump when the file layout changes; importProject refuses newer files. */
export const EXPORT_VERSION = 1;
const MANIFEST = 'surrogate.json';

/** The vectors of one embedding key for the project's texts. */
export interface ExportedEmbeddings {
  embKey: string;
  dim: number;
  hashes: string[];
  /** hashes.length × dim, row-major. */
  matrix: Float32Array;
}

/** Everything a project file holds, before binary encoding. */
export interface ProjectExport {
  format: typeof EXPORT_FORMAT;
  formatVersion: number;
  exportedAt: number;
  project: Project;
  rows: StoredRow[];
  codebooks: unknown[];
  responses: StoredResponse[];
  results: StoredResult[];
  models: StoredModel[];
  embeddings: ExportedEmbeddings[];
}

export interface ExportOptions {
  includeEmbeddings?: boolean;
  includeModels?: boolean;
}

const EXPORT_STORES = [STORES.projects, STORES.rows, STORES.codebooks, STORES.responses, STORES.results, STORES.models];

/** Reads the whole project in one snapshot transaction. */
function collect(projectId: string, opts: ExportOptions): Promise<ProjectExport> {
  const op = 'export the project';
  return tx(EXPORT_STORES, 'readonly', op, async (t) => {
    const project = await t.objectStore(STORES.projects).get(projectId);
    if (!project) throw new NotFoundError(op, `project ${projectId}`);
    const [chunks, codebooks, responses, results, models] = await Promise.all([
      t.objectStore(STORES.rows).getAll(prefixRange(projectId)),
      t.objectStore(STORES.codebooks).getAll(prefixRange(projectId)),
      t.objectStore(STORES.responses).index('projectId').getAll(projectId),
      t.objectStore(STORES.results).index('projectId').getAll(projectId),
      opts.includeModels ? t.objectStore(STORES.models).index('projectId').getAll(projectId) : Promise.resolve([]),
    ]);
    const rows = chunks.flatMap((c) => c.rows);
    const embeddings: ExportedEmbeddings[] = [];
    const base = { format: EXPORT_FORMAT, formatVersion: EXPORT_VERSION, exportedAt: Date.now() } as const;
    return { ...base, project, rows, codebooks: codebooks.map((c) => c.value), responses, results, models, embeddings };
  });
}

async function collectEmbeddings(wanted: Set<string>): Promise<ExportedEmbeddings[]> {
  const out: ExportedEmbeddings[] = [];
  for (const embKey of await embeddingKeys()) {
    const hashes: string[] = [];
    const parts: Float32Array[] = [];
    let dim = 0;
    await forEachEmbeddingChunk(embKey, (c) => {
      dim = c.dim;
      const all = c.format === 'f16' ? fromHalf(new Uint16Array(c.data)) : new Float32Array(c.data);
      c.hashes.forEach((h, i) => {
        if (!wanted.has(h)) return;
        hashes.push(h);
        parts.push(all.slice(i * dim, (i + 1) * dim));
      });
    });
    if (hashes.length === 0) continue;
    const matrix = new Float32Array(hashes.length * dim);
    parts.forEach((p, i) => matrix.set(p, i * dim));
    out.push({ embKey, dim, hashes, matrix });
  }
  return out;
}

function encodeDoc(doc: ProjectExport, sink: BinarySink): string {
  try {
    return JSON.stringify(encodeValue(doc, sink));
  } catch (err) {
    if (err instanceof TypeError) throw new StoreError('export the project', `Could not export the project: ${err.message}`, err);
    throw err;
  }
}

/**
 * One file holding project `projectId`: rows, codebook versions, its LLM
 * responses and results, plus models and embeddings when asked. A JSON Blob
 * when neither is included, otherwise a zip Blob (application/zip).
 */
export async function exportProject(projectId: string, opts: ExportOptions = {}): Promise<Blob> {
  const doc = await collect(projectId, opts);
  if (opts.includeEmbeddings) doc.embeddings = await collectEmbeddings(new Set(doc.rows.map((r) => r.hash)));
  if (!opts.includeEmbeddings && !opts.includeModels) {
    const inline: BinarySink = (type, bytes) => ({ $sg: 'b64', type, data: toBase64(bytes) });
    return new Blob([encodeDoc(doc, inline)], { type: 'application/json' });
  }
  const files: Zippable = {};
  const toFile: BinarySink = (type, bytes): Tag => {
    const file = `bin/${Object.keys(files).length}.bin`;
    // Float vectors barely compress; storing them saves a lot of CPU.
    files[file] = [bytes, { level: 0 }];
    return { $sg: 'bin', type, file };
  };
  const json = encodeDoc(doc, toFile);
  files[MANIFEST] = strToU8(json);
  return new Blob([zipSync(files)], { type: 'application/zip' });
}

const NOT_OURS =
  'This file is not a Surrogate project export. Choose a .json or .zip file saved with "Export project".';

function damaged(what: string): ImportError {
  return new ImportError(`The project file is damaged and cannot be imported: ${what}.`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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

/** Reads a Blob made by exportProject into its decoded document (unchecked). */
async function readFile(blob: Blob): Promise<Record<string, unknown>> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4;
  if (isZip) {
    let entries: ReturnType<typeof unzipSync>;
    try {
      entries = unzipSync(bytes);
    } catch (err) {
      throw new ImportError('This zip file is damaged and cannot be read.', err);
    }
    if (!entries[MANIFEST]) throw new ImportError(NOT_OURS);
    const raw = parseManifest(strFromU8(entries[MANIFEST]));
    return decodeValue(raw, (file) => entries[file] ?? throwErr(damaged(`it lacks ${file}`))) as Record<string, unknown>;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new ImportError(NOT_OURS, err);
  }
  const raw = parseManifest(text);
  return decodeValue(raw, (file) => throwErr(damaged(`it refers to ${file} but is not a zip`))) as Record<string, unknown>;
}

function throwErr(err: Error): never {
  throw err;
}

function arrayOf<T>(doc: Record<string, unknown>, field: string, ok: (v: unknown) => boolean): T[] {
  const v = doc[field] ?? [];
  if (!Array.isArray(v)) throw damaged(`"${field}" is not a list`);
  const bad = v.findIndex((x) => !ok(x));
  if (bad >= 0) throw damaged(`entry ${bad} of "${field}" is malformed`);
  return v as T[];
}

const hasStr = (o: unknown, ...keys: string[]) => isObject(o) && keys.every((k) => typeof o[k] === 'string');

/** Checks every part of a decoded file has the shape the store writes. */
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
    embeddings: arrayOf(doc, 'embeddings', embeddingOk),
  };
}

/**
 * Replaces every string equal to an old id. Results and model configs may
 * refer to model, result or project ids anywhere inside them; ids are random
 * UUIDs, so an exact match is a reference, never ordinary content.
 */
function remapIds<T>(value: T, ids: Map<string, string>): T {
  if (typeof value === 'string') return (ids.get(value) ?? value) as T;
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (Array.isArray(value)) return value.map((v) => remapIds(v, ids)) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = remapIds(v, ids);
  return out as T;
}

const IMPORT_STORES = [STORES.projects, STORES.rows, STORES.codebooks, STORES.responses, STORES.results, STORES.models];

/**
 * Restores a file from exportProject, in one transaction. The project keeps
 * its id when free, otherwise gets a new one (likewise its models and
 * results). Cached responses already present are kept as they are.
 * Throws ImportError for files that are not Surrogate exports, are damaged,
 * or come from a newer version.
 */
export async function importProject(blob: Blob): Promise<Project> {
  const file = validate(await readFile(blob));
  for (const e of file.embeddings) await putEmbeddings(e.embKey, e.hashes, e.matrix, e.dim);
  return tx(IMPORT_STORES, 'readwrite', 'import the project', async (t) => {
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
    file.results.forEach((r, i) => resultHits[i] !== undefined && ids.set(r.id, newId()));
    const doc = ids.size > 0 ? remapIds(file, ids) : file;
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
