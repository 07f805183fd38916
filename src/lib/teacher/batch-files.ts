// The OpenAI Batch API path: export the requests a run still needs as JSONL
// files (at most 50,000 lines and 190 MB each, and within the account's
// enqueued-token limit when one is set), keep custom_id → cache keys in the
// store, and read the output files back into the answer cache, where they
// count exactly like live answers. The cache, the key-value rows and the
// download are passed in (BatchIo, BatchImportIo), so the teacher core never
// imports the store. An import runs in the project-file worker
// (store/portable.worker.ts), so a 60 MB output never stalls the page.

import { BatchOutputReader, batchLine, batchPlanForJob, planBatchFiles, toBatchLines, type BatchMapping, type BatchPending } from './batch';
import { fileLines } from '../data/lines';
import { cutText } from '../data/untrusted';
import type { TeacherJob } from './tasks';
import type { Capabilities, TeacherResponse } from './types';
import { slug } from '../ui/download';

/** What the export reads and writes: the answer cache, the custom_id mapping's kv row, and the browser download. */
export interface BatchIo {
  /** The stored answers project `projectId` may use (teacher/types.ts usableBy). */
  getCached(projectId: string, keys: string[]): Promise<Map<string, TeacherResponse>>;
  /** Not read (the import writes through BatchImportIo.addResponses); drop it with state/teacher.svelte.ts's copy. */
  putResponses?(rs: TeacherResponse[]): Promise<void>;
  kvGet(key: string): Promise<unknown>;
  kvSet(key: string, value: unknown): Promise<void>;
  save(name: string, file: Blob): void;
}

const mappingKey = (projectId: string) => `teacher.batchMapping.v1|${projectId}`;
/** The custom_ids whose request asked for the JSON schema: their answers are read against it, as live ones are. */
const schemaKey = (projectId: string) => `teacher.batchSchema.v1|${projectId}`;

/** One exported file, as the Batch panel lists it. */
export interface BatchFileInfo {
  name: string;
  requests: number;
  bytes: number;
  /** Estimated input tokens (what the enqueued-token limit counts). */
  tokens: number;
}

export interface BatchExportReport {
  text: string;
  files: BatchFileInfo[];
  /** The limit the files were cut to, if the user set one. */
  queueTokens: number | null;
}

// User messages measured exactly for the token estimate; the rest by their length.
const TOKEN_SAMPLE = 500;

/**
 * Input tokens per request: the (shared) system prompt counted once with the
 * tokenizer, each user message by its length at the characters-per-token
 * ratio of a sample — exact counting of 50,000 texts would stall the page.
 */
async function tokenCounter(pending: BatchPending[]): Promise<(p: BatchPending) => number> {
  const { estimateTokens } = await import('./cost');
  const messages = (p: BatchPending) => (p.body.messages as { role: string; content: string }[]) ?? [];
  const sample = pending.slice(0, TOKEN_SAMPLE).flatMap((p) =>
    messages(p)
      .filter((m) => m.role !== 'system')
      .map((m) => m.content),
  );
  const chars = sample.reduce((n, t) => n + t.length, 0);
  const perChar = chars > 0 ? sample.reduce((n, t) => n + estimateTokens(t), 0) / chars : 0.25;
  const systems = new Map<string, number>();
  return (p) =>
    messages(p).reduce((n, m) => {
      if (m.role !== 'system') return n + Math.ceil(m.content.length * perChar) + 3;
      let t = systems.get(m.content);
      if (t === undefined) systems.set(m.content, (t = estimateTokens(m.content)));
      return n + t + 3;
    }, 3);
}

/**
 * Downloads the pending requests of `job`, built from `profile` (no
 * temperature or n where the model takes none); returns what was written.
 */
export async function batchExport(
  io: BatchIo,
  job: TeacherJob,
  projectName: string,
  opts: { profile?: Capabilities; queueTokens?: number | null } = {},
): Promise<BatchExportReport> {
  const queueTokens = opts.queueTokens && opts.queueTokens > 0 ? opts.queueTokens : null;
  const { pending, failedAttempts } = await batchPlanForJob(job, (keys) => io.getCached(job.projectId ?? '', keys), opts.profile);
  const stuck =
    failedAttempts > 0
      ? ` ${failedAttempts.toLocaleString('en')} of them came back empty or cut off at the current token cap and are not exported again; raise the cap to ask again.`
      : '';
  if (pending.length === 0)
    return { text: `Nothing to export: every answer for these texts is already stored.${stuck}`, files: [], queueTokens };
  const tokensOf = await tokenCounter(pending);
  const plans = planBatchFiles(pending, { maxTokens: queueTokens }, tokensOf);
  const mapping: BatchMapping = { ...((await io.kvGet(mappingKey(job.projectId ?? ''))) as BatchMapping | undefined) };
  const schema = new Set(stringList(await io.kvGet(schemaKey(job.projectId ?? ''))));
  const files: (BatchFileInfo & { lines: string[] })[] = plans.map((f, i) => {
    const part = pending.slice(f.start, f.end);
    const { lines, mapping: m } = toBatchLines(part);
    Object.assign(mapping, m);
    for (const p of part) {
      const id = batchLine(p).customId;
      if (p.body.response_format !== undefined) schema.add(id);
      else schema.delete(id); // asked again without the schema: its answer is read as such
    }
    const suffix = plans.length > 1 ? `-part${i + 1}-of-${plans.length}` : '';
    return { name: `${slug(projectName)}-batch${suffix}.jsonl`, requests: f.lines, bytes: f.bytes, tokens: f.tokens, lines };
  });
  // Save the mapping before the files leave, so an import can always match them.
  await io.kvSet(mappingKey(job.projectId ?? ''), mapping);
  await io.kvSet(schemaKey(job.projectId ?? ''), [...schema]);
  // A Blob of line strings: no single string of up to 190 MB is built.
  for (const f of files) io.save(f.name, new Blob(f.lines, { type: 'application/jsonl' }));
  const answers = pending.reduce((n, p) => n + p.keys.length, 0);
  const many = files.length > 1;
  const over = queueTokens !== null && files.some((f) => f.tokens > queueTokens);
  const text =
    `Exported ${pending.length.toLocaleString('en')} requests (${answers.toLocaleString('en')} answers) in ${files.length} ` +
    `file${many ? 's' : ''}. Upload ${many ? 'them' : 'it'} to the OpenAI Batch API ` +
    '(endpoint /v1/chat/completions), then import the output file here.' +
    (queueTokens !== null && many && !over
      ? ` Each file stays under your enqueued-token limit of ${queueTokens.toLocaleString('en')}: upload the next one when the previous batch has finished.`
      : '') +
    (over ? ' A single request is larger than your enqueued-token limit; OpenAI will refuse that file.' : '') +
    stuck;
  return { text, files: files.map(({ lines: _lines, ...info }) => info), queueTokens };
}

const stringList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** What a Batch import reads and writes (in the project-file worker: store/portable.worker.ts). */
export interface BatchImportIo {
  getCached: BatchIo['getCached'];
  kvGet: BatchIo['kvGet'];
  /**
   * Writes `rs` in one transaction, each only where no answer is stored
   * under its key or the stored one is `replaceable` (an answer that came
   * in meanwhile is kept); returns how many were written.
   */
  addResponses(rs: TeacherResponse[], replaceable: (stored: TeacherResponse) => boolean): Promise<number>;
}

export interface BatchImportReport {
  stored: number;
  /** The first lines or answers that could not be used (at most MAX_LISTED), each naming its file and line. */
  failed: { customId: string; message: string }[];
  /** How many could not be used in all. */
  failedCount: number;
  /** The first lines that repeat a custom_id (at most MAX_LISTED; `duplicates` counts them all). */
  repeats: { customId: string; message: string }[];
  text: string;
  /** Answers already stored under the same key: kept, the file's left out. */
  kept: number;
  /** Of `kept`, those whose stored answer says something else than the file's. */
  conflicts: number;
  /** Lines whose custom_id an earlier line already had (the first line was used). */
  duplicates: number;
  /** Stored answers that are not one of the codebook's labels (stored as invalid). */
  notLabels: number;
  /** Stored answers for another codebook version than the active one. */
  otherVersion: number;
}

const n = (x: number) => x.toLocaleString('en');
const plural = (x: number, one: string, many = `${one}s`) => `${n(x)} ${x === 1 ? one : many}`;
/** Failures listed in a report (the count says how many in all): a 50,000-line file of bad lines is not cloned whole. */
const MAX_LISTED = 100;
/** Failures named in the message itself (each is at most a few hundred characters). */
const SHOWN = 5;
/** A Batch output line is one answer (64 KiB kept of it); past this a line is not read at all. */
const MAX_LINE = 16 * 2 ** 20;

/** A stored answer a Batch answer may fill in: a failed request or attempt, meant to be asked again. */
const replaceable = (r: TeacherResponse) =>
  !r.valid && (r.invalidReason === 'request-failed' || r.invalidReason === 'empty' || r.invalidReason === 'truncated');

/**
 * Reads Batch output (or error) files into the cache for `projectId`,
 * against the active codebook version (`labels`, `codebookHash`). Every file
 * is read first, a slice at a time, and checked line by line; then the
 * answers of all of them are written in one transaction, or none are. A
 * file's answer never replaces a stored answer (only a stored failure, which
 * a Batch export sends again); what was kept, what disagreed, repeated
 * custom_ids (the first line wins, across files too), bad lines and answers
 * for another codebook version are reported in words, each bad line by its
 * file, number and reason.
 */
export async function batchImport(
  io: BatchImportIo,
  files: File[],
  projectId: string,
  labels: string[],
  codebookHash?: string,
): Promise<BatchImportReport> {
  const mapping = ((await io.kvGet(mappingKey(projectId))) as BatchMapping | undefined) ?? {};
  if (Object.keys(mapping).length === 0) {
    throw new Error('No batch export is recorded for this project in this browser, so the output cannot be matched to texts.');
  }
  const schema = new Set(stringList(await io.kvGet(schemaKey(projectId))));
  const report: BatchImportReport = {
    stored: 0,
    failed: [],
    failedCount: 0,
    repeats: [],
    text: '',
    kept: 0,
    conflicts: 0,
    duplicates: 0,
    notLabels: 0,
    otherVersion: 0,
  };
  const notes: string[] = [];
  const seen = new Map<string, string>();
  const answers: TeacherResponse[] = [];
  for (const f of files) {
    const name = cutText(f.name, 120);
    const reader = new BatchOutputReader(
      mapping,
      labels,
      { projectId, structured: (id) => schema.has(id), origin: { kind: 'batch', file: name, at: Date.now() }, file: name },
      seen,
    );
    for await (const l of fileLines(f, MAX_LINE)) {
      if ('text' in l) reader.line(l.text, l.n);
      else reader.tooLong(l.n, l.tooLong);
    }
    const read = reader.reading;
    if (read.lines === 0) {
      notes.push(`${name} is empty: it holds no answers.`);
      continue;
    }
    if (read.requestLines === read.lines) {
      notes.push(
        `${name} is a request file (the one uploaded to OpenAI), not the batch's output: download the output file of the finished batch and import that.`,
      );
      continue;
    }
    answers.push(...read.responses);
    report.duplicates += read.duplicates;
    for (const b of read.failed) {
      const list = b.repeat ? report.repeats : report.failed;
      if (!b.repeat) report.failedCount++;
      if (list.length < MAX_LISTED) list.push({ customId: b.customId, message: `${name}: ${b.message}` });
    }
  }
  const stored = await io.getCached(
    projectId,
    answers.map((r) => r.key),
  );
  const fresh = answers.filter((r) => {
    const had = stored.get(r.key);
    if (!had || replaceable(had)) return true;
    report.kept += 1;
    if (had.label !== r.label || had.valid !== r.valid) report.conflicts += 1;
    return false;
  });
  report.stored = fresh.length === 0 ? 0 : await io.addResponses(fresh, replaceable);
  report.kept += fresh.length - report.stored; // came in from a live run meanwhile
  const written = report.stored === fresh.length ? fresh : [];
  report.notLabels = written.filter((r) => !r.valid).length;
  if (codebookHash) report.otherVersion = written.filter((r) => r.codebookHash !== codebookHash).length;
  report.text = reportText(report, files.length, notes);
  return report;
}

function reportText(report: BatchImportReport, files: number, notes: string[]): string {
  const parts = [`Stored ${plural(report.stored, 'answer')} from ${plural(files, 'file')}.`];
  if (report.notLabels)
    parts.push(`${n(report.notLabels)} of them are not one of the codebook's labels (refusals, other words) and are stored as invalid.`);
  if (report.otherVersion)
    parts.push(
      `${n(report.otherVersion)} of them are for another codebook version than the active one: they show when that version is active.`,
    );
  if (report.kept)
    parts.push(
      `${plural(report.kept, 'answer was', 'answers were')} already stored and kept as they were` +
        (report.conflicts ? ` (${n(report.conflicts)} of them differ from the file's answer; the stored answer was kept).` : '.'),
    );
  if (report.duplicates)
    parts.push(
      `${plural(report.duplicates, 'custom_id appears', 'custom_ids appear')} twice: the first line of each was used` +
        ` (${report.repeats[0].message.replace(/; the first answer is kept\.$/, '')}).`,
    );
  parts.push(...notes);
  const failed = report.failedCount;
  if (failed)
    parts.push(
      `${plural(failed, 'line or answer', 'lines or answers')} could not be used (a run or a new export asks for them again): ` +
        report.failed
          .slice(0, SHOWN)
          .map((f) => f.message)
          .join(' ') +
        (failed > SHOWN ? ` …and ${n(failed - SHOWN)} more.` : ''),
    );
  return parts.join(' ');
}
