// OpenAI Batch API files: export the requests a job still needs as JSONL,
// and read the output file back into TeacherResponses with the same cache
// keys as live answers, so 100,000 texts can be labeled at batch prices and
// then used like live results. Bodies are built from the model profile, so
// a reasoning model's file carries no temperature or n and a cap with room
// for reasoning.

import { hashText } from '../data/hash';
import { chatBody } from './body';
import { parseCacheKey } from './cache-key';
import { labelProbabilities, wireTokens } from './logprobs';
import { parseChoice } from './parse';
import { guessProfile } from './profile';
import { buildRequest, keyOf, planTasks, shareUsage, type TeacherJob } from './tasks';
import type { Capabilities, TeacherResponse } from './types';

/** One request line: the body, and the cache keys of its answers in choice order (several with `n`). */
export interface BatchPending {
  keys: string[];
  body: Record<string, unknown>;
}

/** custom_id → cache keys of its choices. Keep it with the exported file. */
export type BatchMapping = Record<string, string[]>;

/** The Batch API accepts at most this many requests per input file. */
export const BATCH_MAX_REQUESTS = 50_000;

/** OpenAI takes input files of up to 200 MB; 190 MB (10^6 bytes each) leaves a margin. */
export const BATCH_MAX_BYTES = 190_000_000;

/**
 * Lines for every answer of `job` not already cached. Batch requests are
 * billed like live ones, so `n` is used for the repeats whenever the profile
 * allows (same grouping and keys as the live queue). Without a profile the
 * names' guess is used, which leaves temperature and n out for reasoning models.
 */
export async function batchPendingForJob(
  job: TeacherJob,
  getCached: (keys: string[]) => Promise<Map<string, TeacherResponse>>,
  caps?: Capabilities,
): Promise<BatchPending[]> {
  return (await batchPlanForJob(job, getCached, caps)).pending;
}

/** batchPendingForJob, plus how many answers are stored as failed attempts at this cap (not exported again). */
export async function batchPlanForJob(
  job: TeacherJob,
  getCached: (keys: string[]) => Promise<Map<string, TeacherResponse>>,
  caps: Capabilities = { ...guessProfile(job.settings.baseURL, job.settings.model), ...job.capabilities },
): Promise<{ pending: BatchPending[]; failedAttempts: number }> {
  // Requests that failed live go into the file too: the Batch API is another way to get them answered.
  const { tasks, failed } = await planTasks({ ...job, resend: job.resend ?? 'both' }, caps, getCached);
  const pending = tasks.map((task) => {
    const req = buildRequest(job, task, caps);
    // Keys must describe what was asked: no temperature sent → default-temperature keys.
    const keys = task.repeats.map((r) => keyOf(job, task.item.textHash, r, req.temperature !== undefined));
    // The Batch API runs current OpenAI models, which want max_completion_tokens.
    return { keys, body: chatBody(req, 'max_completion_tokens') };
  });
  return { pending, failedAttempts: failed.length };
}

/** The JSONL line of one pending request and its custom_id (`t` + 64-bit hash of the keys). */
export function batchLine(p: BatchPending): { customId: string; line: string } {
  const customId = `t${hashText(p.keys.join('\n'))}`;
  return { customId, line: JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: p.body }) };
}

/** Bytes of a string in UTF-8, without encoding it. */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4; // a surrogate pair is one 4-byte code point
      i += 1;
    } else n += 3;
  }
  return n;
}

export interface BatchLimits {
  /** Lines per file (the API's 50,000 by default). */
  maxLines?: number;
  /** Bytes per file, newlines included (190 MB by default). */
  maxBytes?: number;
  /** Input tokens per file, e.g. the account's enqueued-token limit; none by default. */
  maxTokens?: number | null;
}

/** One planned input file: lines [start, end) of the pending list, its size and input tokens. */
export interface BatchFilePlan {
  start: number;
  end: number;
  lines: number;
  bytes: number;
  tokens: number;
}

/**
 * Cut the pending requests into files that each stay within the limits.
 * Lines are made and measured one at a time and only their sizes kept, so a
 * 250 MB export never sits in memory whole here. `tokensOf` estimates a
 * request's input tokens (0 when not given). A single line over a limit
 * still gets a file of its own: the API will say what it thinks of it.
 */
export function planBatchFiles(
  pending: Iterable<BatchPending>,
  limits: BatchLimits = {},
  tokensOf: (p: BatchPending) => number = () => 0,
): BatchFilePlan[] {
  const maxLines = limits.maxLines ?? BATCH_MAX_REQUESTS;
  const maxBytes = limits.maxBytes ?? BATCH_MAX_BYTES;
  const maxTokens = limits.maxTokens ?? Infinity;
  const files: BatchFilePlan[] = [];
  let cur: BatchFilePlan = { start: 0, end: 0, lines: 0, bytes: 0, tokens: 0 };
  let i = 0;
  for (const p of pending) {
    const bytes = utf8Bytes(batchLine(p).line) + 1;
    const tokens = tokensOf(p);
    const full = cur.lines >= maxLines || cur.bytes + bytes > maxBytes || cur.tokens + tokens > maxTokens;
    if (cur.lines > 0 && full) {
      files.push(cur);
      cur = { start: i, end: i, lines: 0, bytes: 0, tokens: 0 };
    }
    cur.end = i + 1;
    cur.lines += 1;
    cur.bytes += bytes;
    cur.tokens += tokens;
    i += 1;
  }
  if (cur.lines > 0) files.push(cur);
  return files;
}

/**
 * JSONL input file: `{custom_id, method:'POST', url:'/v1/chat/completions', body}`
 * per line. custom_id is a short stable id (`t` + 64-bit hash of the keys)
 * rather than the key itself, which can be long; the mapping leads back.
 */
export function toBatchJsonl(pending: BatchPending[]): { jsonl: string; mapping: BatchMapping } {
  const { lines, mapping } = toBatchLines(pending);
  return { jsonl: lines.join(''), mapping };
}

/** Same as toBatchJsonl, as one string per line (newline included): a Blob can take them without one huge string. */
export function toBatchLines(pending: BatchPending[]): { lines: string[]; mapping: BatchMapping } {
  const mapping: BatchMapping = {};
  const lines = pending.map((p) => {
    const { customId, line } = batchLine(p);
    if (mapping[customId]) throw new Error(`The same request appears twice in the batch (${p.keys[0]}).`);
    mapping[customId] = p.keys;
    return line + '\n';
  });
  return { lines, mapping };
}

/** Pending lines in files within the limits (a number: at most that many requests each). */
export function splitPending(pending: BatchPending[], limits: BatchLimits | number = {}): BatchPending[][] {
  const l = typeof limits === 'number' ? { maxLines: limits } : limits;
  return planBatchFiles(pending, l).map((f) => pending.slice(f.start, f.end));
}

interface OutputLine {
  custom_id?: string;
  response?: { status_code?: number; body?: unknown } | null;
  error?: { code?: string; message?: string } | null;
}

interface ChatBody {
  created?: number;
  choices?: {
    index?: number;
    finish_reason?: string | null;
    logprobs?: unknown;
    message?: { content?: string | null; refusal?: string | null };
  }[];
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    completion_tokens_details?: { reasoning_tokens?: number };
    prompt_tokens_details?: { cached_tokens?: number };
  };
  error?: { message?: string };
}

export interface BatchFailure {
  customId: string;
  keys: string[];
  message: string;
}

/**
 * Read a Batch API output (or error) file. Each answered choice becomes a
 * TeacherResponse keyed as a live answer would be; failed lines, lines
 * that cannot be read and answers that came back empty or cut at the token
 * cap are returned as failures (not cached, so a later run or batch asks again).
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
    const usage = {
      prompt: body.usage?.prompt_tokens ?? 0,
      completion: body.usage?.completion_tokens ?? 0,
      ...(body.usage?.completion_tokens_details?.reasoning_tokens
        ? { reasoning: body.usage.completion_tokens_details.reasoning_tokens }
        : {}),
      ...(body.usage?.prompt_tokens_details?.cached_tokens ? { cachedPrompt: body.usage.prompt_tokens_details.cached_tokens } : {}),
    };
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
      const parsed = parseChoice(msg.content ?? null, msg.refusal ?? null, choices[i].finish_reason, labels);
      const tokens = parsed.valid ? wireTokens(choices[i].logprobs) : null;
      const probs = tokens ? labelProbabilities(tokens, labels, parsed.label) : null;
      if (parsed.reason === 'empty' || parsed.reason === 'truncated') {
        const what = parsed.reason === 'empty' ? 'came back empty' : 'was cut off at the token cap';
        const hint = usage.reasoning ? ` after ${usage.reasoning.toLocaleString('en')} reasoning tokens` : '';
        failed.push({ customId, keys: [keys[i]], message: `The answer ${what}${hint}; raise the token cap and export again.` });
        continue;
      }
      responses.push({
        key: keys[i],
        ...parts,
        raw: msg.content ?? msg.refusal ?? null,
        label: parsed.label,
        valid: parsed.valid,
        ...(parsed.reason ? { invalidReason: parsed.reason } : {}),
        usage: shareUsage(usage, k, i),
        ...(choices[i].finish_reason ? { finishReason: choices[i].finish_reason } : {}),
        ...(probs ? { probs } : {}),
        at,
        ...(opts.projectId ? { projectId: opts.projectId } : {}),
      });
    }
  });
  return { responses, failed };
}
