// Import a project file (portable.ts writes them). A file is input from
// outside, so an import goes in two passes over the picked File, an entry at
// a time (memory stays one entry, plus the rows' ids and hashes):
//
//   1. check: every entry is read, CRC-checked, parsed and every record
//      checked field by field (import-checks.ts); the totals must match
//      end.json. Nothing is written; a refused file leaves every store as it was.
//   2. write: the same entries again, rebuilt by the same checks, under the
//      new project's id, under a journal (import-journal.ts) put with the
//      first part; the project record lands last, in the transaction that
//      closes the journal, so until then the project is not listed. A
//      storage failure (quota) undoes what this import wrote at once; a tab
//      closed half way is undone when the app opens next.
//
// What a file may add, and only add: its project (a new id when its own is
// taken), rows, codebook versions, students and results, all attached to
// that project; its answers, marked as imported from this file and usable by
// this project alone (teacher/types.ts usableBy), never replacing an answer
// stored here; and vectors of its own texts, under its own key, which no
// other project reads (store/embeddings.ts projectVectorKey).
// Format 1 files (one JSON document, or a zip of it plus bin/ entries) are
// small by construction, read whole, checked the same way and written in one
// transaction. Corpus predictions of files before format 3 carry their ids as
// a list; they are stored packed, as new ones are.
import { strFromU8 } from 'fflate';
import type { CodebookVersion } from '../codebook/types';
import type { AnswerOrigin, TeacherResponse } from '../teacher/types';
import { STORES, newId, prefixRange, queueAll, runAll, tx } from './db';
import { projectVectorKey, putEmbeddings, vectorBytes } from './embeddings';
import { ImportError } from './errors';
import { writeRows } from './rows';
import { commitImport, openJournalIn, undoImport, withImportLock, type ImportJournal } from './import-journal';
import { decodeValue, referencedFiles } from './codec';
import { fromHalf } from './half';
import {
  checkCodebookVersion,
  checkModel,
  checkProject,
  checkResponse,
  checkResult,
  checkRow,
  checkVectorMeta,
  type Checked,
  type VectorMeta,
} from './import-checks';
import { cutText, hostileKey, MAX_NAME } from '../data/untrusted';
import { END, EXPORT_FORMAT, EXPORT_VERSION, MANIFEST } from './portable';
import { isCount, isObject } from './guards';
import { predictionsId, withPackedRecordIds } from './results';
import { yieldToPage } from './yield';
import { shownName, ZipFormatError, ZipReader, type ZipEntry } from '../data/zip';
import type { Project, StoredModel, StoredResult, StoredRow } from './types';

const OP = 'import the project';
const NOT_OURS = 'This file is not a Surrogate project export. Choose a .json or .zip file saved with "Export project".';
/** A format-1 document is read whole: past this it is not one the app wrote (they hold no vectors in line). */
const MAX_DOCUMENT = 256 * 2 ** 20;

/** Test hook: awaited after each part the write pass wrote (a promise that never settles is a tab closed there). */
export interface ImportOptions {
  afterPart?: (parts: number) => Promise<void>;
}

/** What an import did besides adding the project, in words (answers and vectors kept as they were). */
export interface ImportOutcome {
  project: Project;
  notes: string[];
}

function damaged(what: string): ImportError {
  return new ImportError(`The project file is damaged and cannot be imported: ${what}.`);
}

function throwErr(err: Error): never {
  throw err;
}

/** The value of a check, or the file refused naming `where` and the reason. */
function must<T>(c: Checked<T>, where: string): T {
  if ('why' in c) throw damaged(`${where}: ${c.why}`);
  return c.ok;
}

/** JSON of entry `name`; `scan` false skips the reserved-key walk (bytes already scanned, in the write pass). */
function parseText(text: string, name: string, scan = true): unknown {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw damaged(`${shownName(name)} is not valid JSON`);
  }
  const key = scan ? hostileKey(raw) : null;
  if (key) throw damaged(`${shownName(name)} uses the reserved key ${cutText(key, 80)}`);
  return raw;
}

function parseManifest(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ImportError(NOT_OURS, err);
  }
  if (!isObject(raw) || raw.format !== EXPORT_FORMAT) throw new ImportError(NOT_OURS);
  const key = hostileKey(raw);
  if (key) throw damaged(`its manifest uses the reserved key ${cutText(key, 80)}`);
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

/**
 * Restores a file from exportProject (`fileName` is recorded as the origin
 * of its answers). The project keeps its id when free, otherwise gets a new
 * one (likewise its models and results). Throws ImportError, having written
 * nothing, for files that are not Surrogate exports, are damaged, or come
 * from a newer version.
 */
export async function importProject(blob: Blob, fileName = 'a project file', opts: ImportOptions = {}): Promise<Project> {
  return (await importProjectFile(blob, fileName, opts)).project;
}

/** importProject, with what was kept as it was (answers already stored, vectors of another width). */
export async function importProjectFile(blob: Blob, fileName = 'a project file', opts: ImportOptions = {}): Promise<ImportOutcome> {
  const head = new Uint8Array(await blob.slice(0, 4).arrayBuffer());
  const isZip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4;
  const name = cutText(fileName, MAX_NAME);
  if (!isZip) {
    if (blob.size > MAX_DOCUMENT) throw new ImportError(NOT_OURS);
    return importDocument(decodeJsonFile(new Uint8Array(await blob.arrayBuffer())), name, opts);
  }
  let zip: ZipReader;
  try {
    zip = await ZipReader.open(blob);
  } catch (err) {
    const why = err instanceof ZipFormatError ? `: ${err.message}` : '';
    throw new ImportError(`This zip file is damaged and cannot be read${why}.`, err);
  }
  const entry = zip.find(MANIFEST) ?? throwErr(new ImportError(NOT_OURS));
  const manifest = parseManifest(strFromU8(await read(zip, entry)));
  if (manifest.formatVersion === 1) return importDocument(await decodeV1Zip(zip, manifest), name, opts);
  return importParts(zip, manifest, name, opts);
}

async function read(zip: ZipReader, e: ZipEntry): Promise<Uint8Array> {
  try {
    return await zip.read(e);
  } catch (err) {
    if (err instanceof ZipFormatError) throw damaged(err.message);
    throw err;
  }
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
  // defineProperty, not assignment: a key can never reach a prototype.
  for (const [k, v] of Object.entries(value))
    Object.defineProperty(out, k, { value: remapIds(v, ids), enumerable: true, writable: true, configurable: true });
  return out as T;
}

// ─── Format 2 and 3: part by part ────────────────────────────────────────

const PART = /^(rows|responses|models|results|vectors)\/(0|[1-9]\d{0,8})\.json$/;
const RAW_PART = /^(vectors|bin)\/(0|[1-9]\d{0,8})\.bin$|^strs\/(0|[1-9]\d{0,8})\.jsonl$/;

/** The manifest's project and codebooks, checked; the counts it promises. */
interface Head {
  project: Record<string, unknown>;
  codebooks: CodebookVersion[];
  counts: { models: number; results: number };
}

function checkHead(raw: Record<string, unknown>): Head {
  if (!isObject(raw.project)) throw damaged('the project record is missing');
  if (!Array.isArray(raw.codebooks)) throw damaged('"codebooks" is not a list');
  const codebooks = raw.codebooks.map((c, i) => must(checkCodebookVersion(c), `codebook ${i + 1}`));
  if (new Set(codebooks.map((c) => c.version)).size !== codebooks.length) throw damaged('it holds a codebook version twice');
  const c = raw.counts;
  if (!isObject(c) || !['rows', 'rowFiles', 'responses', 'models', 'results'].every((k) => isCount(c[k])))
    throw damaged('its counts are missing');
  return { project: raw.project, codebooks, counts: { models: c.models as number, results: c.results as number } };
}

/** Reads a JSON entry and decodes it, fetching the bin/ and strs/ entries it refers to first. */
async function document(zip: ZipReader, e: ZipEntry): Promise<unknown> {
  const raw = parseText(strFromU8(await read(zip, e)), e.name);
  const refs = referencedFiles(raw);
  const bins = new Map<string, Uint8Array>();
  const lists = new Map<string, string[]>();
  const entry = (file: string) => {
    if (!RAW_PART.test(file) || file.startsWith('vectors/'))
      throw damaged(`${shownName(e.name)} refers to ${shownName(file)}, which is not a part`);
    return zip.find(file) ?? throwErr(damaged(`it lacks ${shownName(file)}`));
  };
  for (const file of refs.bin) bins.set(file, await read(zip, entry(file)));
  for (const file of refs.strs) lists.set(file, await readList(zip, entry(file)));
  try {
    return decodeValue(
      raw,
      (f) => bins.get(f) ?? throwErr(damaged(`it lacks ${shownName(f)}`)),
      (f) => lists.get(f) ?? throwErr(damaged(`it lacks ${shownName(f)}`)),
    );
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw damaged(`${shownName(e.name)}: ${cutText(err.message, 200)}`);
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
    const part = parseText(line, e.name);
    if (!Array.isArray(part) || part.some((s) => typeof s !== 'string')) throw damaged(`${shownName(e.name)} is not a list of strings`);
    for (const s of part as string[]) out.push(s);
    await yieldToPage();
  }
  return out;
}

/** The parts of a file in order, each with what the write pass does with it. */
type Sink = {
  rows(index: number, rows: StoredRow[]): Promise<void>;
  responses(list: TeacherResponse[]): Promise<void>;
  record(kind: 'models' | 'results', value: StoredModel | StoredResult): Promise<void>;
  vectors(meta: VectorMeta, matrix: Float32Array): Promise<void>;
};

interface Totals {
  rows: number;
  rowFiles: number;
  vectors: number;
  vectorFiles: number;
  models: number;
  results: number;
  skippedAnswers: number;
}

/** The context both passes share: the new ids and what the rows hold. */
interface Plan {
  pid: string;
  ids: Map<string, string>;
  labelsOf: (hash: string) => string[] | null;
  origin: AnswerOrigin;
  rowHashes: Set<string>;
  rowIds: Set<string>;
  /** The file's students, by the ids they are stored under. */
  modelIds: Set<string>;
}

/**
 * Whether result `rec` would be found as the corpus labels of a student this
 * file does not bring (`predictions|<id>` of one stored here, in another
 * project): it then gets an id of its own, so no file attaches labels to
 * another project's student.
 */
async function ownsOtherStudent(rec: Record<string, unknown>, plan: Plan): Promise<boolean> {
  const id = rec.id as string;
  if (!id.startsWith('predictions|')) return false;
  const modelId = plan.ids.get(id.slice('predictions|'.length)) ?? id.slice('predictions|'.length);
  if (plan.modelIds.has(modelId)) return false;
  return (await tx([STORES.models], 'readonly', OP, (t) => t.objectStore(STORES.models).getKey(modelId))) !== undefined;
}

/** One pass over every entry: checks each, hands the rebuilt records to `sink` (none in the check pass). */
async function walk(zip: ZipReader, plan: Plan, sink: Sink | null): Promise<Totals> {
  const t: Totals = { rows: 0, rowFiles: 0, vectors: 0, vectorFiles: 0, models: 0, results: 0, skippedAnswers: 0 };
  const checking = sink === null;
  let end: unknown = undefined;
  for (const e of zip.entries) {
    const where = shownName(e.name);
    if (e.name === MANIFEST || RAW_PART.test(e.name)) continue; // read with what refers to them
    if (e.name === END) {
      end = parseText(strFromU8(await read(zip, e)), e.name);
      continue;
    }
    const m = PART.exec(e.name);
    if (!m) throw damaged(`it holds an entry named ${where}, which is not part of a project file`);
    const [, dir, index] = m;
    if (dir === 'rows') {
      // The write pass reads the bytes the check pass verified (each read is CRC-checked against the one
      // directory read at open), so the costly checks (reserved keys, text hashes) run once.
      const list = parseText(strFromU8(await read(zip, e)), e.name, checking);
      if (!Array.isArray(list)) throw damaged(`${where} is not a list`);
      const rows = list.map((r, i) => must(checkRow(r, checking), `row ${i + 1} of ${where}`));
      if (checking) {
        for (const [i, r] of rows.entries()) {
          if (plan.rowIds.has(r.id)) throw damaged(`row ${i + 1} of ${where}: its id "${cutText(r.id, 40)}" is used twice`);
          plan.rowIds.add(r.id);
          plan.rowHashes.add(r.hash);
        }
      } else await sink.rows(Number(index), rows);
      t.rows += rows.length;
      t.rowFiles++;
    } else if (dir === 'responses') {
      const list = remapIds(await document(zip, e), plan.ids);
      if (!Array.isArray(list)) throw damaged(`${where} is not a list`);
      const kept: TeacherResponse[] = [];
      for (const [i, r] of list.entries()) {
        const c = checkResponse(r, plan.labelsOf, plan.pid, plan.origin);
        if ('skip' in c) t.skippedAnswers++;
        else kept.push(must(c, `answer ${i + 1} of ${where}`));
      }
      if (!checking) await sink.responses(kept);
    } else if (dir === 'models' || dir === 'results') {
      const rec = await document(zip, e);
      if (!isObject(rec) || typeof rec.id !== 'string') throw damaged(`${where} has no id`);
      if (checking) {
        const store = dir === 'models' ? STORES.models : STORES.results;
        const renamed = dir === 'results' ? renamedResult(rec.id, plan.ids) : undefined;
        if (renamed) plan.ids.set(rec.id, renamed);
        else if ((await tx([store], 'readonly', OP, (x) => x.objectStore(store).getKey(rec.id as string))) !== undefined)
          plan.ids.set(rec.id, newId());
        else if (dir === 'results' && (await ownsOtherStudent(rec, plan))) plan.ids.set(rec.id, newId());
        if (dir === 'models') plan.modelIds.add(plan.ids.get(rec.id) ?? rec.id);
      }
      const value = remapIds(rec, plan.ids);
      const checked = dir === 'models' ? must(checkModel(value, plan.pid), where) : must(checkResult(value, plan.pid), where);
      if (!checking) await sink.record(dir, dir === 'results' ? await withPackedRecordIds(checked as StoredResult) : checked);
      t[dir as 'models' | 'results']++;
    } else {
      const meta = must(
        checkVectorMeta(parseText(strFromU8(await read(zip, e)), e.name), (h) => plan.rowHashes.has(h)),
        where,
      );
      const binName = `vectors/${index}.bin`;
      const bytes = await read(zip, zip.find(binName) ?? throwErr(damaged(`it lacks ${binName}`)));
      if (bytes.length !== meta.hashes.length * vectorBytes(meta.dim, meta.format)) throw damaged(`${binName} has the wrong size`);
      if (!checking) {
        const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
        const n = meta.hashes.length * meta.dim;
        const matrix =
          meta.format === 'f16'
            ? fromHalf(new Uint16Array(aligned.buffer, aligned.byteOffset, n))
            : new Float32Array(aligned.buffer, aligned.byteOffset, n);
        await sink.vectors(meta, matrix);
      }
      t.vectors += meta.hashes.length;
      t.vectorFiles++;
    }
  }
  if (checking) checkEnd(end, t);
  return t;
}

function checkEnd(end: unknown, t: Totals): void {
  if (end === undefined) throw damaged('it was cut short (it lacks end.json)');
  if (!isObject(end) || !['rows', 'rowFiles', 'vectorFiles', 'vectors'].every((k) => isCount(end[k])))
    throw damaged('end.json is malformed');
  const n = (x: unknown) => Number(x).toLocaleString('en-US');
  if (t.rows !== end.rows || t.rowFiles !== end.rowFiles) throw damaged(`it holds ${n(t.rows)} of its ${n(end.rows)} rows`);
  if (t.vectorFiles !== end.vectorFiles || t.vectors !== end.vectors)
    throw damaged(`it holds ${n(t.vectors)} of its ${n(end.vectors)} vectors`);
}

/** The labels of each codebook version, by hash: an answer is read against the version its key names. */
function labelsByHash(codebooks: CodebookVersion[]): (hash: string) => string[] | null {
  const map = new Map(codebooks.map((c) => [c.hash, c.codebook.labels.map((l) => l.name)]));
  return (h) => map.get(h) ?? null;
}

async function freeProjectId(id: string, ids: Map<string, string>): Promise<string> {
  const taken = await tx([STORES.projects], 'readonly', OP, (t) => t.objectStore(STORES.projects).getKey(id));
  if (taken !== undefined) ids.set(id, newId());
  return ids.get(id) ?? id;
}

async function importParts(zip: ZipReader, raw: Record<string, unknown>, fileName: string, opts: ImportOptions): Promise<ImportOutcome> {
  const head = checkHead(raw);
  const ids = new Map<string, string>();
  const fileId = typeof head.project.id === 'string' ? head.project.id : '';
  const pid = fileId ? await freeProjectId(fileId, ids) : newId();
  const fromName = typeof head.project.name === 'string' ? cutText(head.project.name, MAX_NAME) : 'a project';
  const plan: Plan = {
    pid,
    ids,
    labelsOf: labelsByHash(head.codebooks),
    origin: { kind: 'imported', file: fileName, project: fromName, at: Date.now() },
    rowHashes: new Set(),
    rowIds: new Set(),
    modelIds: new Set(),
  };
  // The project record is checked before the parts, so a bad one is named first.
  must(checkProject(remapIds(head.project, ids), pid, 0, Date.now()), 'the project record');
  const totals = await walk(zip, plan, null);
  if (totals.models !== head.counts.models || totals.results !== head.counts.results)
    throw damaged(
      `it holds ${totals.models} of its ${head.counts.models} students and ${totals.results} of its ${head.counts.results} results`,
    );
  const project = must(checkProject(remapIds(head.project, ids), pid, totals.rows, Date.now()), 'the project record');

  // ── Everything checked: write, under a journal (import-journal.ts), so a tab closed half way leaves nothing. ──
  const journal: ImportJournal = { pid, file: fileName, at: plan.origin.at };
  const notes = new Notes(totals.skippedAnswers, pid);
  let parts = 0;
  const wrote = async () => void (await opts.afterPart?.(++parts));
  let opened = false;
  return withImportLock(pid, async () => {
    try {
      await tx([STORES.projects, STORES.rows, STORES.codebooks, STORES.kv], 'readwrite', OP, async (t) => {
        await openJournalIn(t, journal);
        // Left over from an import that failed before (never listed): replaced.
        await runAll([
          () => t.objectStore(STORES.rows).delete(prefixRange(pid)),
          () => t.objectStore(STORES.codebooks).delete(prefixRange(pid)),
        ]);
        const codebooks = t.objectStore(STORES.codebooks);
        await queueAll(head.codebooks, (cv) => codebooks.put({ projectId: pid, version: cv.version, value: cv }));
      });
      opened = true;
      await wrote();
      await walk(zip, plan, {
        rows: async (index, rows) => {
          await tx(
            [STORES.rows],
            'readwrite',
            OP,
            async (t) => void (await t.objectStore(STORES.rows).put({ projectId: pid, index, rows })),
          );
          await wrote();
        },
        responses: async (list) => {
          const fresh = await putNewResponses(list);
          notes.kept += list.length - fresh;
          notes.added += fresh;
          await wrote();
        },
        record: async (kind, value) => {
          const store = kind === 'models' ? STORES.models : STORES.results;
          await tx([store], 'readwrite', OP, (t) => t.objectStore(store).put(value as StoredModel & StoredResult));
          await wrote();
        },
        vectors: async (meta, matrix) => {
          const added = await putEmbeddings(projectVectorKey(meta.embKey, pid), meta.hashes, matrix, meta.dim, meta.format, {
            keepOther: true,
          });
          if (added === 0) notes.vectorsKept(meta.embKey, meta.dim);
          await wrote();
        },
      });
      await commitImport(journal, project);
      return { project, notes: await notes.text() };
    } catch (err) {
      if (opened) await undoImport(journal).catch(() => undefined); // the import's own error is what the researcher needs to see
      throw err;
    }
  });
}

/** What the outcome says besides "imported". */
class Notes {
  added = 0;
  kept = 0;
  #vectorKeys = new Map<string, number>();
  constructor(
    readonly skipped: number,
    readonly pid: string,
  ) {}
  /** Nothing of these vectors was added: another part of the file stored the key's vectors at another width. */
  vectorsKept(embKey: string, dim: number): void {
    this.#vectorKeys.set(embKey, dim);
  }
  async text(): Promise<string[]> {
    const out: string[] = [];
    const n = (x: number) => x.toLocaleString('en-US');
    if (this.added > 0) out.push(`Its ${n(this.added)} LLM answers are marked as imported: they count for this project only.`);
    if (this.kept > 0) out.push(`${n(this.kept)} of its answers were already stored in this browser and were kept as they were.`);
    if (this.skipped > 0) out.push(`${n(this.skipped)} answers for codebook versions the file does not hold were left out.`);
    for (const [k, dim] of this.#vectorKeys) {
      const own = projectVectorKey(k, this.pid);
      const stored = await tx([STORES.vectorKeys], 'readonly', OP, (t) => t.objectStore(STORES.vectorKeys).get(own));
      if (stored && stored.dim !== dim)
        out.push(
          `Its vectors for ${cutText(k, 80)} come in two widths (${n(stored.dim)} and ${n(dim)}): the ${n(stored.dim)}-wide ones were kept, the others left out.`,
        );
    }
    return out;
  }
}

/** Puts the responses whose keys are free; never replaces one. Returns how many were put. */
function putNewResponses(list: TeacherResponse[]): Promise<number> {
  return tx([STORES.responses], 'readwrite', OP, async (t) => {
    const store = t.objectStore(STORES.responses);
    const have = await queueAll(list, (r) => store.getKey(r.key));
    const seen = new Set<string>();
    const fresh = list.filter((r, i) => have[i] === undefined && !seen.has(r.key) && seen.add(r.key));
    await queueAll(fresh, (r) => store.put(r));
    return fresh.length;
  });
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
  return decode(raw, (file) => throwErr(damaged(`it refers to ${shownName(file)} but is not a zip`)));
}

async function decodeV1Zip(zip: ZipReader, raw: Record<string, unknown>): Promise<Record<string, unknown>> {
  const bins = new Map<string, Uint8Array>();
  for (const file of referencedFiles(raw).bin)
    bins.set(file, await read(zip, zip.find(file) ?? throwErr(damaged(`it lacks ${shownName(file)}`))));
  return decode(raw, (file) => bins.get(file) ?? throwErr(damaged(`it lacks ${shownName(file)}`)));
}

function decode(raw: Record<string, unknown>, source: (file: string) => Uint8Array): Record<string, unknown> {
  try {
    return decodeValue(raw, source) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw damaged(cutText(err.message, 200));
    throw err;
  }
}

function listOf(doc: Record<string, unknown>, field: string): unknown[] {
  const v = doc[field] ?? [];
  if (!Array.isArray(v)) throw damaged(`"${field}" is not a list`);
  return v;
}

const IMPORT_STORES = [STORES.projects, STORES.rows, STORES.codebooks, STORES.responses, STORES.results, STORES.models, STORES.kv];

/** A format-1 document: checked whole, then written in one transaction, its vectors after, under a journal as parts are. */
async function importDocument(doc: Record<string, unknown>, fileName: string, opts: ImportOptions): Promise<ImportOutcome> {
  if (!isObject(doc.project) || typeof doc.project.id !== 'string') throw damaged('the project record is missing');
  const ids = new Map<string, string>();
  const pid = await freeProjectId(doc.project.id, ids);
  const codebooks = listOf(doc, 'codebooks').map((c, i) => must(checkCodebookVersion(c), `codebook ${i + 1}`));
  if (new Set(codebooks.map((c) => c.version)).size !== codebooks.length) throw damaged('it holds a codebook version twice');
  const rows = listOf(doc, 'rows').map((r, i) => must(checkRow(r), `row ${i + 1}`));
  const rowHashes = new Set(rows.map((r) => r.hash));
  if (new Set(rows.map((r) => r.id)).size !== rows.length) throw damaged('a row id is used twice');
  const fromName = typeof doc.project.name === 'string' ? cutText(doc.project.name, MAX_NAME) : 'a project';
  const origin: AnswerOrigin = { kind: 'imported', file: fileName, project: fromName, at: Date.now() };
  const labelsOf = labelsByHash(codebooks);
  const rawModels = listOf(doc, 'models');
  const rawResults = listOf(doc, 'results');
  const idOf = (v: unknown) => (isObject(v) && typeof v.id === 'string' ? v.id : '');
  const fileModels = new Set(rawModels.map(idOf));
  // A student's corpus labels whose student the file does not bring (see ownsOtherStudent).
  const studentOf = (r: unknown) => (idOf(r).startsWith('predictions|') ? idOf(r).slice('predictions|'.length) : '');
  const [modelHits, resultHits, studentHits] = await tx([STORES.models, STORES.results], 'readonly', OP, (t) =>
    Promise.all([
      queueAll(rawModels, (m) => t.objectStore(STORES.models).getKey(idOf(m))),
      queueAll(rawResults, (r) => t.objectStore(STORES.results).getKey(idOf(r))),
      queueAll(rawResults, (r) => t.objectStore(STORES.models).getKey(fileModels.has(studentOf(r)) ? '' : studentOf(r))),
    ]),
  );
  rawModels.forEach((m, i) => modelHits[i] !== undefined && ids.set(idOf(m), newId()));
  rawResults.forEach((r, i) => {
    if (!idOf(r)) return;
    const renamed = renamedResult(idOf(r), ids);
    if (renamed) ids.set(idOf(r), renamed);
    else if (resultHits[i] !== undefined || studentHits[i] !== undefined) ids.set(idOf(r), newId());
  });
  const project = must(checkProject(remapIds(doc.project, ids), pid, rows.length, Date.now()), 'the project record');
  const models = rawModels.map((m, i) => must(checkModel(remapIds(m, ids), pid), `student ${i + 1}`));
  const results: StoredResult[] = [];
  for (const [i, r] of rawResults.entries())
    results.push(await withPackedRecordIds(must(checkResult(remapIds(r, ids), pid), `result ${i + 1}`)));
  let skipped = 0;
  const responses: TeacherResponse[] = [];
  for (const [i, r] of listOf(doc, 'responses').entries()) {
    const c = checkResponse(remapIds(r, ids), labelsOf, pid, origin);
    if ('skip' in c) skipped++;
    else responses.push(must(c, `answer ${i + 1}`));
  }
  const vectors = listOf(doc, 'embeddings').map((e, i) => {
    const meta = must(
      checkVectorMeta(isObject(e) ? { format: 'f32', ...e } : e, (h) => rowHashes.has(h)),
      `vectors ${i + 1}`,
    );
    const matrix = (e as { matrix: unknown }).matrix;
    if (!(matrix instanceof Float32Array) || matrix.length !== meta.hashes.length * meta.dim)
      throw damaged(`vectors ${i + 1} have the wrong size`);
    return { meta, matrix };
  });
  const notes = new Notes(skipped, pid);
  const journal: ImportJournal = { pid, file: fileName, at: origin.at };
  let opened = false;
  return withImportLock(pid, async () => {
    try {
      await tx(IMPORT_STORES, 'readwrite', OP, async (t) => {
        await openJournalIn(t, journal);
        const store = t.objectStore(STORES.responses);
        const cached = await queueAll(responses, (r) => store.getKey(r.key));
        const seen = new Set<string>();
        const fresh = responses.filter((r, i) => cached[i] === undefined && !seen.has(r.key) && seen.add(r.key));
        notes.kept = responses.length - fresh.length;
        notes.added = fresh.length;
        const cbs = t.objectStore(STORES.codebooks);
        await runAll([
          () => writeRows(t.objectStore(STORES.rows), pid, rows),
          ...codebooks.map((cv) => () => cbs.put({ projectId: pid, version: cv.version, value: cv })),
          ...fresh.map((r) => () => store.put(r)),
          ...results.map((r) => () => t.objectStore(STORES.results).put(r)),
          ...models.map((m) => () => t.objectStore(STORES.models).put(m)),
        ]);
      });
      opened = true;
      await opts.afterPart?.(1);
      for (const [i, { meta, matrix }] of vectors.entries()) {
        if ((await putEmbeddings(projectVectorKey(meta.embKey, pid), meta.hashes, matrix, meta.dim, 'f32', { keepOther: true })) === 0)
          notes.vectorsKept(meta.embKey, meta.dim);
        await opts.afterPart?.(i + 2);
      }
      await commitImport(journal, project);
      return { project, notes: await notes.text() };
    } catch (err) {
      if (opened) await undoImport(journal).catch(() => undefined); // the import's own error is what the researcher needs to see
      throw err;
    }
  });
}
