// OpenAI Batch API files: export the requests a job still needs as JSONL,
// and read the output file back into TeacherResponses with the same cache
// keys as live answers, so 100,000 texts can be labeled at batch prices and
// then used like live results.

import { hashText } from '../data/hash';
import { chatBody } from './body';
import { parseCacheKey } from './cache-key';
import { parseAnswer } from './parse';
import { buildRequest, keyOf, planTasks, share, type TeacherJob } from './tasks';
import { DEFAULT_CAPABILITIES, type Capabilities, type TeacherResponse } from './types';

/** One request line: the body, and the cache keys of its answers in choice order (several with `n`). */
export interface BatchPending {
  keys: string[];
  body: Record<string, unknown>;
}

/** custom_id → cache keys of its choices. Keep it with the exported file. */
export type BatchMapping = Record<string, string[]>;

/** The Batch API accepts at most this many requests per input file. */
export const BATCH_MAX_REQUESTS = 50_000;

/**
 * Lines for every answer of `job` not already cached. Batch requests are
 * billed like live ones, so `n` is used for the repeats whenever the
 * capabilities allow (same grouping and keys as the live queue).
 */
export async function batchPendingForJob(
  job: TeacherJob,
  getCached: (keys: string[]) => Promise<Map<string, TeacherResponse>>,
  caps: Capabilities = { ...DEFAULT_CAPABILITIES, ...job.capabilities },
): Promise<BatchPending[]> {
  const { tasks } = await planTasks(job, caps, getCached);
  return tasks.map((task) => {
    const req = buildRequest(job, task, caps);
    // Keys must describe what was asked: no temperature sent → default-temperature keys.
    const keys = task.repeats.map((r) => keyOf(job, task.item.textHash, r, req.temperature !== undefined));
    // The Batch API runs current OpenAI models, which want max_completion_tokens.
    return { keys, body: chatBody(req, 'max_completion_tokens') };
  });
}

/**
 * JSONL input file: `{custom_id, method:'POST', url:'/v1/chat/completions', body}`
 * per line. custom_id is a short stable id (`t` + 64-bit hash of the keys)
 * rather than the key itself, which can be long; the mapping leads back.
 */
export function toBatchJsonl(pending: BatchPending[]): { jsonl: string; mapping: BatchMapping } {
  const mapping: BatchMapping = {};
  const lines = pending.map((p) => {
    const customId = `t${hashText(p.keys.join('\n'))}`;
    if (mapping[customId]) throw new Error(`The same request appears twice in the batch (${p.keys[0]}).`);
    mapping[customId] = p.keys;
    return JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: p.body });
  });
  return { jsonl: lines.length ? lines.join('\n') + '\n' : '', mapping };
}

/** Pending lines in files of at most `max` requests each. */
export function splitPending(pending: BatchPending[], max = BATCH_MAX_REQUESTS): BatchPending[][] {
  const out: BatchPending[][] = [];
  for (let i = 0; i < pending.length; i += max) out.push(pending.slice(i, i + max));
  return out;
}

interface OutputLine {
  custom_id?: string;
  response?: { status_code?: number; body?: unknown } | null;
  error?: { code?: string; message?: string } | null;
}

interface ChatBody {
  created?: number;
  choices?: { index?: number; message?: { content?: string | null; refusal?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  error?: { message?: string };
}

export interface BatchFailure {
  customId: string;
  keys: string[];
  message: string;
}

/**
 * Read a Batch API output (or error) file. Each answered choice becomes a
 * TeacherResponse keyed as a live answer would be; failed lines and lines
 * that cannot be read are returned as failures (not cached, so a later run
 * or batch asks again).
 */
export function fromBatchOutput(
  jsonl: string,
  mapping: BatchMapping,
  labels: string[],
  opts: { now?: () => number; projectId?: string } = {},
): { responses: TeacherResponse[]; failed: BatchFailure[] } {
  const responses: TeacherResponse[] = [];
  const failed: BatchFailure[] = [];
  jsonl.split('\n').forEach((text, lineNo) => {
    if (text.trim() === '') return;
    let line: OutputLine;
    try {
      line = JSON.parse(text) as OutputLine;
    } catch {
      failed.push({ customId: '', keys: [], message: `Line ${lineNo + 1} is not valid JSON.` });
      return;
    }
    const customId = line.custom_id ?? '';
    const keys = mapping[customId];
    const fail = (message: string) => failed.push({ customId, keys: keys ?? [], message });
    if (!keys) return fail(`Unknown custom_id "${customId}" (was this file made from another export?).`);
    if (line.error) return fail(line.error.message ?? line.error.code ?? 'The batch reported an error.');
    const body = (line.response?.body ?? null) as ChatBody | null;
    if (line.response?.status_code !== 200 || !body) {
      return fail(`The request failed (${line.response?.status_code ?? 'no status'}): ${body?.error?.message ?? 'no details'}`);
    }
    const choices = [...(body.choices ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    const k = Math.min(choices.length, keys.length);
    const at = body.created ? body.created * 1000 : (opts.now ?? Date.now)();
    const prompt = body.usage?.prompt_tokens ?? 0;
    const completion = body.usage?.completion_tokens ?? 0;
    for (let i = 0; i < keys.length; i++) {
      const parts = parseCacheKey(keys[i]);
      if (!parts) {
        fail(`Key ${keys[i]} is not a teacher cache key of this version.`);
        continue;
      }
      if (i >= k) {
        failed.push({ customId, keys: [keys[i]], message: 'The answer had fewer choices than asked for.' });
        continue;
      }
      const msg = choices[i].message ?? {};
      const parsed = parseAnswer(msg.content ?? null, msg.refusal ?? null, labels);
      responses.push({
        key: keys[i],
        ...parts,
        raw: msg.content ?? msg.refusal ?? null,
        label: parsed.label,
        valid: parsed.valid,
        ...(parsed.reason ? { invalidReason: parsed.reason } : {}),
        usage: { prompt: share(prompt, k, i), completion: share(completion, k, i) },
        at,
        ...(opts.projectId ? { projectId: opts.projectId } : {}),
      });
    }
  });
  return { responses, failed };
}
