// The OpenAI Batch API path: export the requests a run still needs as JSONL
// files (at most 50,000 lines each), keep custom_id → cache keys in the store,
// and read the output files back into the answer cache, where they count
// exactly like live answers.

import * as store from '../store';
import { batchPendingForJob, fromBatchOutput, splitPending, toBatchJsonl, type BatchMapping } from '../teacher/batch';
import type { TeacherJob } from '../teacher/tasks';
import type { TeacherResponse } from '../teacher/types';
import { download, slug } from '../ui/download';

const mappingKey = (projectId: string) => `teacher.batchMapping.v1|${projectId}`;

/** Downloads the pending requests of `job`; returns a sentence saying what was written. */
export async function batchExport(job: TeacherJob, projectName: string): Promise<string> {
  const pending = await batchPendingForJob(job, (keys) => store.getResponses<TeacherResponse>(keys));
  if (pending.length === 0) return 'Nothing to export: every answer for these texts is already stored.';
  const parts = splitPending(pending);
  const mapping: BatchMapping = { ...((await store.kvGet<BatchMapping>(mappingKey(job.projectId ?? ''))) ?? {}) };
  const files: { name: string; jsonl: string }[] = [];
  parts.forEach((part, i) => {
    const { jsonl, mapping: m } = toBatchJsonl(part);
    Object.assign(mapping, m);
    const suffix = parts.length > 1 ? `-part${i + 1}-of-${parts.length}` : '';
    files.push({ name: `${slug(projectName)}-batch${suffix}.jsonl`, jsonl });
  });
  // Save the mapping before the files leave, so an import can always match them.
  await store.kvSet(mappingKey(job.projectId ?? ''), mapping);
  for (const f of files) download(f.name, f.jsonl, 'application/jsonl');
  const answers = pending.reduce((n, p) => n + p.keys.length, 0);
  return (
    `Exported ${pending.length.toLocaleString('en')} requests (${answers.toLocaleString('en')} answers) in ${files.length} ` +
    `file${files.length > 1 ? 's' : ''}. Upload ${files.length > 1 ? 'them' : 'it'} to the OpenAI Batch API ` +
    '(endpoint /v1/chat/completions), then import the output file here.'
  );
}

export interface BatchImportReport {
  stored: number;
  failed: { customId: string; message: string }[];
  text: string;
}

/** Reads Batch output (or error) files into the cache for `projectId`. */
export async function batchImport(files: File[], projectId: string, labels: string[]): Promise<BatchImportReport> {
  const mapping = (await store.kvGet<BatchMapping>(mappingKey(projectId))) ?? {};
  if (Object.keys(mapping).length === 0) {
    throw new Error('No batch export is recorded for this project in this browser, so the output cannot be matched to texts.');
  }
  let stored = 0;
  const failed: BatchImportReport['failed'] = [];
  for (const f of files) {
    const { responses, failed: bad } = fromBatchOutput(await f.text(), mapping, labels, { projectId });
    await store.putResponses(responses);
    stored += responses.length;
    failed.push(...bad.map((b) => ({ customId: b.customId, message: `${f.name}: ${b.message}` })));
  }
  const text =
    `Stored ${stored.toLocaleString('en')} answers from ${files.length} file${files.length === 1 ? '' : 's'}.` +
    (failed.length ? ` ${failed.length} could not be used (they will be asked again by a run or a new export): ${failed[0].message}` : '');
  return { stored, failed, text };
}
