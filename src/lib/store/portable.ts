// Export a project to one zip file, a part at a time, so memory stays one
// part (a chunk of rows, of vectors) however big the project is; importing
// it back is portable-import.ts. Layout (format 3):
//
//   surrogate.json        the manifest: project, codebooks, counts
//   rows/<i>.json         the i-th stored chunk of rows
//   responses/<i>.json    LLM responses, a page each
//   bin/<n>.bin           raw little-endian typed arrays, and
//   strs/<n>.jsonl        long lists of strings (JSON arrays, one per line),
//                         each written before the model or result using it
//   models/<i>.json       one student each
//   results/<i>.json      one result each (predictions, comparisons)
//   vectors/<i>.json      { embKey, dim, format, hashes } of a chunk of
//   vectors/<i>.bin       vectors (hashes × dim, float32 or half-float bits)
//   end.json              totals, written last: a file without it is cut short
//
// Format 3 is format 2 with the row ids of corpus predictions packed (one
// string and a bin/ entry of offsets: packed-ids.ts) instead of a strs/ list,
// so an older version, which could not read such a record, refuses the file.
// Files of format 2 and 1 (one JSON document, or a zip of it plus bin/
// entries) are still read. Parts are read in separate transactions, so an export taken
// while another tab writes may mix moments; nothing else writes while the
// Export step runs in this tab.
import { STORES, prefixRange, tx } from './db';
import { forEachEmbeddingChunk, listEmbeddingKeys, projectVectorKey, vectorBytes, vectorScope, type VectorChunk } from './embeddings';
import { NotFoundError, StoreError } from './errors';
import { encodeValue, type BinarySink, type ListSink, type Tag } from './codec';
import { withPackedRecordIds } from './results';
import { HashSlots } from './slots';
import { blobSink, ZipWriter, type ByteSink } from '../data/zip';
import type { Project, StoredModel, StoredResponse, StoredResult, StoredRow } from './types';
import { yieldToPage } from './yield';

export const EXPORT_FORMAT = 'surrogate-project';
/** Bump when the file layout or a record's shape changes; importProject refuses newer files. */
export const EXPORT_VERSION = 3;
export const MANIFEST = 'surrogate.json';
export const END = 'end.json';
/** Responses per responses/<i>.json. */
const RESPONSE_PAGE = 2000;
/** Strings per line of a strs/<n>.jsonl entry. */
const LIST_LINE = 20_000;

/** The vectors of one embedding key for the project's texts (format 1 files, and what import hands back). */
export interface ExportedEmbeddings {
  embKey: string;
  dim: number;
  hashes: string[];
  /** hashes.length × dim, row-major. */
  matrix: Float32Array;
}

/** Everything a format-1 project file holds, before binary encoding. */
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

/** The manifest of a file of format 2 or later. */
export interface Manifest {
  format: typeof EXPORT_FORMAT;
  formatVersion: number;
  exportedAt: number;
  project: Project;
  codebooks: unknown[];
  counts: { rows: number; rowFiles: number; responses: number; models: number; results: number };
  embeddings: boolean;
}

/** What end.json holds: what was written, for the importer to check it found all of it. */
export interface ExportEnd {
  rows: number;
  rowFiles: number;
  vectorFiles: number;
  vectors: number;
}

export interface ExportOptions {
  includeEmbeddings?: boolean;
  includeModels?: boolean;
  /** Called as parts are written: bytes so far, and what is being written. */
  onProgress?: (bytes: number, stage: string) => void;
}

const enc = new TextEncoder();
const json = (v: unknown) => enc.encode(JSON.stringify(v));
const OP = 'export the project';

/** Writes the entries of one JSON document and the binary parts and lists it refers to (those first). */
class EntryWriter {
  #bins = 0;
  #lists = 0;
  constructor(readonly zip: ZipWriter) {}

  async document(name: string, value: unknown): Promise<void> {
    const bins: [string, Uint8Array][] = [];
    const lists: [string, string[]][] = [];
    const toBin: BinarySink = (type, bytes): Tag => {
      const file = `bin/${this.#bins++}.bin`;
      bins.push([file, bytes]);
      return { $sg: 'bin', type, file };
    };
    const toList: ListSink = (list): Tag => {
      const file = `strs/${this.#lists++}.jsonl`;
      lists.push([file, list]);
      return { $sg: 'strs', file, count: list.length };
    };
    let encoded: unknown;
    try {
      encoded = encodeValue(value, toBin, '$', toList);
    } catch (err) {
      if (err instanceof TypeError) throw new StoreError(OP, `Could not export the project: ${err.message}`, err);
      throw err;
    }
    // Float data barely compresses: stored, to spare the CPU.
    for (const [file, bytes] of bins) await this.zip.add(file, bytes);
    for (const [file, list] of lists) {
      const lines: Uint8Array[] = [];
      for (let s = 0; s < list.length; s += LIST_LINE) {
        lines.push(enc.encode(JSON.stringify(list.slice(s, s + LIST_LINE)) + '\n'));
        await yieldToPage();
      }
      await this.zip.add(file, lines);
    }
    await this.zip.add(name, json(encoded), true);
  }
}

/**
 * Writes project `projectId` as a zip to `sink`: rows, codebook versions, its
 * LLM responses and results, plus students and the vectors of its texts when
 * asked. Memory stays one part; the page gets its thread back between parts.
 */
export async function exportProjectTo(projectId: string, sink: ByteSink, opts: ExportOptions = {}): Promise<{ bytes: number }> {
  const head = await tx(
    [STORES.projects, STORES.rows, STORES.codebooks, STORES.responses, STORES.results, STORES.models],
    'readonly',
    OP,
    async (t) => {
      const project = await t.objectStore(STORES.projects).get(projectId);
      if (!project) throw new NotFoundError(OP, `project ${projectId}`);
      const [rowKeys, codebooks, responses, results, models] = await Promise.all([
        t.objectStore(STORES.rows).getAllKeys(prefixRange(projectId)),
        t.objectStore(STORES.codebooks).getAll(prefixRange(projectId)),
        t.objectStore(STORES.responses).index('projectId').count(projectId),
        t.objectStore(STORES.results).index('projectId').getAllKeys(projectId),
        opts.includeModels ? t.objectStore(STORES.models).index('projectId').getAllKeys(projectId) : Promise.resolve([]),
      ]);
      return { project, rowChunks: rowKeys.map((k) => k[1]), codebooks: codebooks.map((c) => c.value), responses, results, models };
    },
  );
  const zip = new ZipWriter(sink);
  const out = new EntryWriter(zip);
  const progress = (stage: string) => opts.onProgress?.(zip.size, stage);
  const manifest: Manifest = {
    format: EXPORT_FORMAT,
    formatVersion: EXPORT_VERSION,
    exportedAt: Date.now(),
    project: head.project,
    codebooks: head.codebooks,
    counts: {
      rows: head.project.rowCount,
      rowFiles: head.rowChunks.length,
      responses: head.responses,
      models: head.models.length,
      results: head.results.length,
    },
    embeddings: !!opts.includeEmbeddings,
  };
  await out.document(MANIFEST, manifest);

  const hashes = opts.includeEmbeddings ? new HashSlots() : null;
  let rows = 0;
  for (const index of head.rowChunks) {
    const chunk = await tx([STORES.rows], 'readonly', OP, (t) => t.objectStore(STORES.rows).get([projectId, index]));
    if (!chunk)
      throw new StoreError(OP, 'Could not export the project: its rows changed while it was being exported (another tab?). Export again.');
    for (const r of chunk.rows) hashes?.set(r.hash, 0);
    await zip.add(`rows/${index}.json`, json(chunk.rows), true);
    rows += chunk.rows.length;
    progress(`rows: ${rows.toLocaleString('en-US')}`);
  }

  let page = 0;
  for (let after: string | null = null; ; page++) {
    const list: StoredResponse[] = await responsesAfter(projectId, after);
    if (list.length === 0) break;
    await out.document(`responses/${page}.json`, list);
    after = list[list.length - 1].key;
    progress('LLM responses');
  }
  for (const [i, id] of head.models.entries()) {
    const m = await tx([STORES.models], 'readonly', OP, (t) => t.objectStore(STORES.models).get(id));
    if (m) await out.document(`models/${i}.json`, m);
  }
  for (const [i, id] of head.results.entries()) {
    const r = await tx([STORES.results], 'readonly', OP, (t) => t.objectStore(STORES.results).get(id));
    if (r) await out.document(`results/${i}.json`, await withPackedRecordIds(r)); // a record from before packing, packed
    progress('results');
  }
  const end: ExportEnd = { rows, rowFiles: head.rowChunks.length, vectorFiles: 0, vectors: 0 };
  if (hashes) {
    for (const { stored, embKey } of await exportedVectorKeys(projectId)) {
      await forEachEmbeddingChunk(stored, async (c) => {
        const part = projectRows(c, hashes);
        if (!part) return;
        const i = end.vectorFiles++;
        await zip.add(`vectors/${i}.json`, json({ embKey, dim: c.dim, format: c.format, hashes: part.hashes }), true);
        await zip.add(`vectors/${i}.bin`, part.data);
        end.vectors += part.hashes.length;
        progress(`vectors: ${end.vectors.toLocaleString('en-US')}`);
      });
    }
  }
  await zip.add(END, json(end));
  await zip.finish();
  return { bytes: zip.size };
}

/**
 * The vector keys a project's file carries, each under the encoder key it
 * names: the project's own keys (vectors its file brought), and the shared
 * cache's keys it has no own key for. Other projects' own keys never leave.
 */
async function exportedVectorKeys(projectId: string): Promise<{ stored: string; embKey: string }[]> {
  const keys = (await listEmbeddingKeys()).filter((k) => k.count > 0).map((k) => k.embKey);
  const own = new Set(keys.filter((k) => vectorScope(k)?.projectId === projectId));
  return keys.flatMap((stored) => {
    const scope = vectorScope(stored);
    if (scope) return scope.projectId === projectId ? [{ stored, embKey: scope.embKey }] : [];
    return own.has(projectVectorKey(stored, projectId)) ? [] : [{ stored, embKey: stored }];
  });
}

/** The rows of a stored chunk whose texts are in the project (null when none), as stored bytes. */
function projectRows(c: VectorChunk, wanted: HashSlots): { hashes: string[]; data: Uint8Array } | null {
  const keep: number[] = [];
  c.hashes.forEach((h, i) => wanted.has(h) && keep.push(i));
  if (keep.length === 0) return null;
  const all = new Uint8Array(c.data);
  if (keep.length === c.hashes.length) return { hashes: c.hashes, data: all };
  const w = vectorBytes(c.dim, c.format);
  const data = new Uint8Array(keep.length * w);
  keep.forEach((r, i) => data.set(all.subarray(r * w, (r + 1) * w), i * w));
  return { hashes: keep.map((r) => c.hashes[r]), data };
}

/** The next page of the project's responses, by key, after `after`. */
function responsesAfter(projectId: string, after: string | null): Promise<StoredResponse[]> {
  return tx([STORES.responses], 'readonly', OP, async (t) => {
    const out: StoredResponse[] = [];
    let c = await t.objectStore(STORES.responses).index('projectId').openCursor(IDBKeyRange.only(projectId));
    if (c && after !== null) {
      c = await c.continuePrimaryKey(projectId, after);
      if (c && c.primaryKey === after) c = await c.continue();
    }
    for (; c && out.length < RESPONSE_PAGE; c = await c.continue()) out.push(c.value);
    return out;
  });
}

/** exportProject into a Blob (made of parts of ≤ 8 MiB, never one huge buffer). */
export async function exportProject(projectId: string, opts: ExportOptions = {}): Promise<Blob> {
  const sink = blobSink('application/zip');
  await exportProjectTo(projectId, sink, opts);
  return sink.blob();
}
