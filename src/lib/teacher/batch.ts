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
import type { AnswerOrigin, Capabilities, TeacherResponse, TokenUsage } from './types';

/** One request line: the body, and the cache keys of its answers in choice order (several with `n`). */
export interface BatchPending {
  keys: string[];
  body: Record<string, unknown>;
}

/** custom_id → cache keys of its choices. Keep it with the exported file. */
export type BatchMapping = Record<string, string[]>;

/** Longest raw answer kept from a file: a one-label answer is a few bytes (the verdict is read from all of it first). */
const MAX_RAW = 64 * 1024;

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

export interface BatchFailure {
  customId: string;
  keys: string[];
  message: string;
  /** The line of the file (1-based) it came from. */
  line?: number;
  /** A repeated custom_id (its first line was used): reported as a repeat, not as a failure. */
  repeat?: true;
}

/** How an output file's lines were read, beyond the answers and failures. */
export interface BatchReading {
  responses: TeacherResponse[];
  failed: BatchFailure[];
  /** Lines that were not blank. */
  lines: number;
  /** Lines that are requests (custom_id, method, url, body), not answers: the input file picked by mistake. */
  requestLines: number;
  /** Later lines whose custom_id an earlier line already had: the first was used. */
  duplicates: number;
}

export interface BatchReadOptions {
  now?: () => number;
  projectId?: string;
  /** Whether the request of a custom_id asked for the JSON schema (read as a live answer to it would be). */
  structured?: (customId: string) => boolean;
  /** Stored with each answer: the file it came from. */
  origin?: AnswerOrigin;
  /** The file's name, when several are read with one `seen` (a duplicate then names the file of its first line). */
  file?: string;
}

const MAX_MESSAGE = 300;
const clamp = (s: string) => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const optCount = (v: unknown) => v === undefined || v === null || isCount(v);
const optStr = (v: unknown) => v === undefined || v === null || typeof v === 'string';

/** The tokens of a response body, or null when they are not counts. */
function usageOf(u: unknown): TokenUsage | null {
  if (u === undefined || u === null) return { prompt: 0, completion: 0 };
  if (!isObj(u) || !optCount(u.prompt_tokens) || !optCount(u.completion_tokens)) return null;
  const details = isObj(u.completion_tokens_details) ? u.completion_tokens_details : {};
  const cached = isObj(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  if (!optCount(details.reasoning_tokens) || !optCount(cached.cached_tokens)) return null;
  return {
    prompt: (u.prompt_tokens as number | undefined) ?? 0,
    completion: (u.completion_tokens as number | undefined) ?? 0,
    ...(details.reasoning_tokens ? { reasoning: details.reasoning_tokens as number } : {}),
    ...(cached.cached_tokens ? { cachedPrompt: cached.cached_tokens as number } : {}),
  };
}

interface Choice {
  index: number;
  content: string | null;
  refusal: string | null;
  finishReason: string | null;
  logprobs: unknown;
}

/** The choices of a response body in index order, or why they cannot be read. */
function choicesOf(body: Record<string, unknown>): Choice[] | string {
  if (!Array.isArray(body.choices)) return 'its answer has no choices';
  const out: Choice[] = [];
  for (const [i, c] of body.choices.entries()) {
    const msg = isObj(c) ? (c.message ?? {}) : null;
    if (!isObj(c) || !isObj(msg) || !optStr(msg.content) || !optStr(msg.refusal) || !optStr(c.finish_reason))
      return `choice ${i + 1} of its answer is malformed`;
    out.push({
      index: isCount(c.index) ? c.index : i,
      content: (msg.content as string | null | undefined) ?? null,
      refusal: (msg.refusal as string | null | undefined) ?? null,
      finishReason: (c.finish_reason as string | null | undefined) ?? null,
      logprobs: c.logprobs,
    });
  }
  return out.sort((a, b) => a.index - b.index);
}

const isRequestLine = (l: Record<string, unknown>) => 'body' in l && ('method' in l || 'url' in l) && !('response' in l) && !('error' in l);

/**
 * Read a Batch API output (or error) file, line by line: one bad line never
 * refuses the file. Each answered choice becomes a TeacherResponse keyed as
 * a live answer would be, read by the same parser (with the schema when its
 * request asked for it); a line that cannot be read is a failure naming its
 * number and the reason, as are failed requests and answers that came back
 * empty or cut at the token cap (not cached, so a later run or batch asks
 * again). A custom_id seen twice: the first line wins, later ones are counted.
 */
export function fromBatchOutput(jsonl: string, mapping: BatchMapping, labels: string[], opts: BatchReadOptions = {}): BatchReading {
  const reader = new BatchOutputReader(mapping, labels, opts);
  let n = 0;
  for (let at = 0; at < jsonl.length;) {
    const nl = jsonl.indexOf('\n', at);
    reader.line(jsonl.slice(at, nl < 0 ? jsonl.length : nl), ++n);
    at = nl < 0 ? jsonl.length : nl + 1;
  }
  return reader.reading;
}

/**
 * fromBatchOutput a line at a time, for a file read in slices. `seen`
 * (custom_id → the line that answered it) may be shared by the readers of
 * several files, so a custom_id answered in two files counts as a duplicate.
 */
export class BatchOutputReader {
  readonly reading: BatchReading = { responses: [], failed: [], lines: 0, requestLines: 0, duplicates: 0 };
  constructor(
    private readonly mapping: BatchMapping,
    private readonly labels: string[],
    private readonly opts: BatchReadOptions = {},
    private readonly seen = new Map<string, string>(),
  ) {}

  /** Reads line number `n` (1-based); blank lines are skipped. */
  line(text: string, n: number): void {
    if (text.trim() === '') return;
    this.reading.lines += 1;
    readLine(text, n, this.mapping, this.labels, this.opts, this.seen, this.reading);
  }

  /** A line too long to be a Batch output line, left unread. */
  tooLong(n: number, chars: number): void {
    this.reading.lines += 1;
    this.reading.failed.push({
      customId: '',
      keys: [],
      message: `Line ${n}: it is ${(chars / 2 ** 20).toFixed(1)} MB long, longer than any Batch output line; it was not read.`,
      line: n,
    });
  }
}

function readLine(
  text: string,
  n: number,
  mapping: BatchMapping,
  labels: string[],
  opts: BatchReadOptions,
  seen: Map<string, string>,
  out: BatchReading,
): void {
  const bad = (customId: string, keys: string[], why: string) => out.failed.push({ customId, keys, message: `Line ${n}: ${why}`, line: n });
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch {
    return void bad('', [], 'it is not valid JSON.');
  }
  if (!isObj(line)) return void bad('', [], 'it is not a Batch output line (an object with custom_id and response).');
  if (isRequestLine(line)) {
    out.requestLines += 1;
    return void bad(typeof line.custom_id === 'string' ? line.custom_id : '', [], 'it is a request, not an answer.');
  }
  if (typeof line.custom_id !== 'string') return void bad('', [], 'it has no custom_id.');
  const customId = line.custom_id;
  const shown = clamp(customId);
  // Own keys only: a custom_id such as "__proto__" names nothing.
  const keys = Object.hasOwn(mapping, customId) && Array.isArray(mapping[customId]) ? mapping[customId] : undefined;
  if (!keys) return void bad(customId, [], `unknown custom_id "${shown}" (was this file made from another export?).`);
  const first = seen.get(customId);
  if (first !== undefined) {
    out.duplicates += 1;
    const message = `Line ${n}: custom_id "${shown}" was already answered on ${first}; the first answer is kept.`;
    return void out.failed.push({ customId, keys: [], message, line: n, repeat: true });
  }
  seen.set(customId, opts.file ? `line ${n} of ${opts.file}` : `line ${n}`);
  const fail = (message: string) => out.failed.push({ customId, keys, message: `Line ${n}: ${message}`, line: n });
  if (line.error !== undefined && line.error !== null) {
    const e = line.error;
    const said = isObj(e) ? (typeof e.message === 'string' ? e.message : typeof e.code === 'string' ? e.code : null) : null;
    return void fail(clamp(said ?? 'the batch reported an error.'));
  }
  const response = line.response;
  const body = isObj(response) && isObj(response.body) ? response.body : null;
  const status = isObj(response) && typeof response.status_code === 'number' ? response.status_code : null;
  if (status !== 200 || !body) {
    const err = body && isObj(body.error) && typeof body.error.message === 'string' ? clamp(body.error.message) : 'no details';
    return void fail(`the request failed (${status ?? 'no status'}): ${err}`);
  }
  const choices = choicesOf(body);
  if (typeof choices === 'string') return void fail(`${choices}.`);
  const usage = usageOf(body.usage);
  if (!usage) return void fail('its token counts are not counts.');
  const created = body.created;
  const at = isCount(created) && created > 0 ? created * 1000 : (opts.now ?? Date.now)();
  const k = Math.min(choices.length, keys.length);
  const structured = opts.structured?.(customId) ?? false;
  for (let i = 0; i < keys.length; i++) {
    const parts = typeof keys[i] === 'string' ? parseCacheKey(keys[i]) : null;
    if (!parts) {
      out.failed.push({ customId, keys: [], message: `Line ${n}: its key is not a teacher cache key of this version.`, line: n });
      continue;
    }
    const one = (message: string) => out.failed.push({ customId, keys: [keys[i]], message: `Line ${n}: ${message}`, line: n });
    if (i >= k) {
      one('the answer had fewer choices than asked for.');
      continue;
    }
    const c = choices[i];
    const parsed = parseChoice(c.content, c.refusal, c.finishReason, labels, { structured });
    const tokens = parsed.valid ? wireTokens(c.logprobs) : null;
    const probs = tokens ? labelProbabilities(tokens, labels, parsed.label) : null;
    if (parsed.reason === 'empty' || parsed.reason === 'truncated') {
      const what = parsed.reason === 'empty' ? 'came back empty' : 'was cut off at the token cap';
      const hint = usage.reasoning ? ` after ${usage.reasoning.toLocaleString('en')} reasoning tokens` : '';
      one(`the answer ${what}${hint}; raise the token cap and export again.`);
      continue;
    }
    const raw = c.content ?? c.refusal ?? null;
    out.responses.push({
      key: keys[i],
      ...parts,
      raw: raw !== null && raw.length > MAX_RAW ? `${raw.slice(0, MAX_RAW - 1)}…` : raw,
      label: parsed.label,
      valid: parsed.valid,
      ...(parsed.reason ? { invalidReason: parsed.reason } : {}),
      usage: shareUsage(usage, k, i),
      ...(c.finishReason ? { finishReason: c.finishReason } : {}),
      ...(probs ? { probs } : {}),
      at,
      ...(opts.projectId ? { projectId: opts.projectId } : {}),
      ...(opts.origin ? { origin: opts.origin } : {}),
    });
  }
}
