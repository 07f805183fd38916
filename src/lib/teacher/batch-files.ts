// The OpenAI Batch API path: export the requests a run still needs as JSONL
// files (at most 50,000 lines and 190 MB each, and within the account's
// enqueued-token limit when one is set), keep custom_id → cache keys in the
// store, and read the output files back into the answer cache, where they
// count exactly like live answers. The cache, the key-value rows and the
// download are passed in (BatchIo), so the teacher core never imports the store.

import { batchPlanForJob, fromBatchOutput, planBatchFiles, toBatchLines, type BatchMapping, type BatchPending } from './batch';
import type { TeacherJob } from './tasks';
import type { Capabilities, TeacherResponse } from './types';
import { slug } from '../ui/download';

/** What export and import read and write: the answer cache, the custom_id mapping's kv row, and the browser download. */
export interface BatchIo {
  getCached(keys: string[]): Promise<Map<string, TeacherResponse>>;
  putResponses(rs: TeacherResponse[]): Promise<void>;
  kvGet(key: string): Promise<unknown>;
  kvSet(key: string, value: unknown): Promise<void>;
  save(name: string, file: Blob): void;
}

const mappingKey = (projectId: string) => `teacher.batchMapping.v1|${projectId}`;

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
  const { pending, failedAttempts } = await batchPlanForJob(job, (keys) => io.getCached(keys), opts.profile);
  const stuck =
    failedAttempts > 0
      ? ` ${failedAttempts.toLocaleString('en')} of them came back empty or cut off at the current token cap and are not exported again; raise the cap to ask again.`
      : '';
  if (pending.length === 0)
    return { text: `Nothing to export: every answer for these texts is already stored.${stuck}`, files: [], queueTokens };
  const tokensOf = await tokenCounter(pending);
  const plans = planBatchFiles(pending, { maxTokens: queueTokens }, tokensOf);
  const mapping: BatchMapping = { ...((await io.kvGet(mappingKey(job.projectId ?? ''))) as BatchMapping | undefined) };
  const files: (BatchFileInfo & { lines: string[] })[] = plans.map((f, i) => {
    const { lines, mapping: m } = toBatchLines(pending.slice(f.start, f.end));
    Object.assign(mapping, m);
    const suffix = plans.length > 1 ? `-part${i + 1}-of-${plans.length}` : '';
    return { name: `${slug(projectName)}-batch${suffix}.jsonl`, requests: f.lines, bytes: f.bytes, tokens: f.tokens, lines };
  });
  // Save the mapping before the files leave, so an import can always match them.
  await io.kvSet(mappingKey(job.projectId ?? ''), mapping);
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

export interface BatchImportReport {
  stored: number;
  failed: { customId: string; message: string }[];
  text: string;
}

/** Reads Batch output (or error) files into the cache for `projectId`. */
export async function batchImport(io: BatchIo, files: File[], projectId: string, labels: string[]): Promise<BatchImportReport> {
  const mapping = ((await io.kvGet(mappingKey(projectId))) as BatchMapping | undefined) ?? {};
  if (Object.keys(mapping).length === 0) {
    throw new Error('No batch export is recorded for this project in this browser, so the output cannot be matched to texts.');
  }
  let stored = 0;
  const failed: BatchImportReport['failed'] = [];
  for (const f of files) {
    const { responses, failed: bad } = fromBatchOutput(await f.text(), mapping, labels, { projectId });
    await io.putResponses(responses);
    stored += responses.length;
    failed.push(...bad.map((b) => ({ customId: b.customId, message: `${f.name}: ${b.message}` })));
  }
  const text =
    `Stored ${stored.toLocaleString('en')} answers from ${files.length} file${files.length === 1 ? '' : 's'}.` +
    (failed.length ? ` ${failed.length} could not be used (they will be asked again by a run or a new export): ${failed[0].message}` : '');
  return { stored, failed, text };
}
