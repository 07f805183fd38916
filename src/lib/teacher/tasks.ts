// The units of a teacher run: which (text, repeats) still need a request,
// what each request looks like, and the stored answers a result becomes.

import { isFailedAttempt, REQUEST_FAILED, settles, type Resend } from './attempts';
import { cacheKey, normaliseEndpoint, setupPrefix } from './cache-key';
import { labelProbabilities, topLogprobsFor } from './logprobs';
import type { Price } from './prices';
import { parseChoice } from './parse';
import { planRequests, repeatTemperatureOf } from './plan';
import { capOf } from './profile';
import { fallbackPrompt, userMessage, type PromptSpec, type TeacherCodebook } from './prompt';
import type { Capabilities, CompletionRequest, CompletionResult, TeacherResponse, TeacherSettings, TokenUsage } from './types';

export interface TeacherItem {
  rowId: string;
  text: string;
  /** hashText(text) */
  textHash: string;
}

export interface TeacherJob {
  items: TeacherItem[];
  /** Any Codebook; only the label names are read (and the rest when no prompt is given). */
  codebook: TeacherCodebook;
  codebookHash: string;
  settings: TeacherSettings;
  /** The model profile of this (endpoint, model); guessed from the names otherwise. */
  capabilities?: Partial<Capabilities>;
  /** The codebook stage's rendered prompt; a plain fallback rendering when absent. */
  prompt?: PromptSpec;
  /** Defaults to priceFor(settings.model); null = unknown (no cost, no US$ budget). */
  price?: Price | null;
  /** Stamped on every stored response (the store indexes it). */
  projectId?: string;
  /** What to send (attempts.ts): 'missing' by default; 'failed' for "Retry failed". */
  resend?: Resend;
}

/** One request to make: a text and the repeat indices it should answer (same temperature). */
export interface Task {
  item: TeacherItem;
  repeats: number[];
}

/** Whether repeats are asked for with `n`, given the settings and what the endpoint accepts. */
export function wantN(s: TeacherSettings, caps: Capabilities): boolean {
  return s.batchRepeats !== 'off' && caps.n && s.repeats > 1;
}

const fallbacks = new WeakMap<TeacherJob, PromptSpec>();

export function promptOf(job: TeacherJob): PromptSpec {
  if (job.prompt) return job.prompt;
  let p = fallbacks.get(job);
  if (!p) fallbacks.set(job, (p = fallbackPrompt(job.codebook)));
  return p;
}

export function labelNames(job: TeacherJob): string[] {
  return job.codebook.labels.map((l) => l.name);
}

/** The cache key of one (text, repeat) of this job at `temperature` (null: none is sent). */
export function jobKey(job: TeacherJob, textHash: string, repeat: number, temperature: number | null): string {
  const s = job.settings;
  const template = promptOf(job).template;
  return cacheKey({ endpoint: s.baseURL, model: s.model, codebookHash: job.codebookHash, template, textHash, repeat, temperature });
}

/** How every cache key of this job starts (setupPrefix): its stored answers are one key range. */
export function jobKeyPrefix(job: TeacherJob): string {
  const s = job.settings;
  return setupPrefix({ endpoint: s.baseURL, model: s.model, codebookHash: job.codebookHash, template: promptOf(job).template });
}

/** The cache key of one (text, repeat) of this job, given what the endpoint accepts. */
export function keyOf(job: TeacherJob, textHash: string, repeat: number, temperatureAllowed: boolean): string {
  return jobKey(job, textHash, repeat, repeatTemperatureOf(repeat, { ...job.settings, temperatureAllowed }));
}

/** All keys of a job in item-major, repeat-minor order. */
export function responseKeys(job: TeacherJob, caps: Pick<Capabilities, 'temperature'> = { temperature: true }): string[] {
  return job.items.flatMap((it) => Array.from({ length: job.settings.repeats }, (_, r) => keyOf(job, it.textHash, r, caps.temperature)));
}

/**
 * Look every key up once; what is missing becomes tasks grouped as
 * planRequests says. A stored failed attempt (empty or cut at the cap) counts
 * as settled only when it was asked with this run's token cap — it is then in
 * `failed`, not `cached` — so raising the cap asks again. A stored failed
 * request is in `failed` too, unless job.resend asks for it again; with
 * resend 'failed' the answers never asked are left alone (`skipped`). A
 * prose answer to a schema request counts as missing once the run no longer
 * asks for the schema (Structured output set to "never").
 */
export async function planTasks(
  job: TeacherJob,
  caps: Capabilities,
  getCached: (keys: string[]) => Promise<Map<string, TeacherResponse>>,
): Promise<{ tasks: Task[]; cached: TeacherResponse[]; failed: TeacherResponse[]; skipped: number }> {
  const s = job.settings;
  const cap = capOf(s, caps);
  const resend = job.resend ?? 'missing';
  const found = await getCached(responseKeys(job, caps));
  const plan = planRequests({ ...s, useN: wantN(s, caps), temperatureAllowed: caps.temperature });
  const tasks: Task[] = [];
  const cached: TeacherResponse[] = [];
  const failed: TeacherResponse[] = [];
  let skipped = 0;
  // A prose answer to a JSON-schema request (parse.ts 'not-json') is asked again once the schema is no longer sent.
  const structured = s.structured !== 'off' && caps.structured;
  const stale = (r: TeacherResponse) => !structured && r.invalidReason === 'not-json';
  for (const item of job.items) {
    const missing = new Set<number>();
    for (let r = 0; r < s.repeats; r++) {
      const hit = found.get(keyOf(job, item.textHash, r, caps.temperature));
      if (hit && settles(hit, cap, resend) && !stale(hit)) (isFailedAttempt(hit) ? failed : cached).push(hit);
      else if (!hit && resend === 'failed') skipped += 1;
      else missing.add(r);
    }
    for (const req of plan) {
      const repeats = Array.from({ length: req.n }, (_, i) => req.firstRepeat + i).filter((r) => missing.has(r));
      if (repeats.length > 0) tasks.push({ item, repeats });
    }
  }
  return { tasks, cached, failed, skipped };
}

/** The request for a task under the current model profile. */
export function buildRequest(job: TeacherJob, task: Task, caps: Capabilities): CompletionRequest {
  const s = job.settings;
  const prompt = promptOf(job);
  const temperature = repeatTemperatureOf(task.repeats[0], { ...s, temperatureAllowed: caps.temperature });
  const useN = wantN(s, caps) && task.repeats.length > 1;
  return {
    model: s.model,
    messages: [
      { role: 'system', content: prompt.system },
      { role: 'user', content: (prompt.user ?? userMessage)(task.item.text) },
    ],
    ...(temperature === null ? {} : { temperature }),
    ...(useN ? { n: task.repeats.length } : {}),
    maxTokens: capOf(s, caps),
    maxTokensParam: caps.maxTokensParam,
    ...(caps.reasoning && caps.reasoningEffort ? { reasoningEffort: s.reasoningEffort } : {}),
    // Label probabilities come with the first answer: one call gives a confidence per text.
    ...(caps.logprobs && s.logprobs !== 'off' && task.repeats[0] === 0
      ? { logprobs: true, topLogprobs: topLogprobsFor(labelNames(job)) }
      : {}),
    structured: s.structured !== 'off' && caps.structured,
    labels: labelNames(job),
  };
}

/** Split a total over k parts, remainder on the first, so the parts sum to it exactly. */
export function share(total: number, k: number, i: number): number {
  const base = Math.floor(total / k);
  return i === 0 ? total - base * (k - 1) : base;
}

/** Share i of k of a request's usage (each field split so the shares sum to the whole). */
export function shareUsage(u: TokenUsage, k: number, i: number): TokenUsage {
  return {
    prompt: share(u.prompt, k, i),
    completion: share(u.completion, k, i),
    ...(u.reasoning ? { reasoning: share(u.reasoning, k, i) } : {}),
    ...(u.cachedPrompt ? { cachedPrompt: share(u.cachedPrompt, k, i) } : {}),
  };
}

/** What names a stored answer: its cache key and the setup it was asked under. */
function answerOf(job: TeacherJob, task: Task, req: CompletionRequest, repeat: number) {
  const s = job.settings;
  return {
    key: keyOf(job, task.item.textHash, repeat, req.temperature !== undefined),
    endpoint: normaliseEndpoint(s.baseURL),
    model: s.model,
    codebookHash: job.codebookHash,
    template: promptOf(job).template,
    textHash: task.item.textHash,
    repeat,
    temperature: req.temperature ?? null,
  };
}

/**
 * The stored answers of one result, one per choice, and the repeats the
 * server did not answer (it returned fewer choices than `n`). A result with
 * no choices at all is recorded as empty: a failed attempt, asked again only
 * once the token cap changes.
 */
export function makeResponses(
  job: TeacherJob,
  task: Task,
  req: CompletionRequest,
  result: CompletionResult,
  at: number,
): { responses: TeacherResponse[]; missing: number[] } {
  const choices: CompletionResult['choices'] =
    result.choices.length > 0 ? result.choices : task.repeats.map(() => ({ content: null, refusal: null }));
  const k = Math.min(choices.length, task.repeats.length);
  const labels = labelNames(job);
  const responses = task.repeats.slice(0, k).map((repeat, i): TeacherResponse => {
    const c = choices[i];
    const parsed = parseChoice(c.content, c.refusal, c.finishReason, labels, { structured: req.structured });
    const probs = req.logprobs && parsed.valid && c.tokenLogprobs ? labelProbabilities(c.tokenLogprobs, labels, parsed.label) : null;
    return {
      ...answerOf(job, task, req, repeat),
      raw: c.content ?? c.refusal,
      label: parsed.label,
      valid: parsed.valid,
      ...(parsed.reason ? { invalidReason: parsed.reason } : {}),
      usage: shareUsage(result.usage, k, i),
      maxTokens: req.maxTokens,
      ...(c.finishReason ? { finishReason: c.finishReason } : {}),
      ...(probs ? { probs } : {}),
      at,
      ...(job.projectId ? { projectId: job.projectId } : {}),
    };
  });
  return { responses, missing: task.repeats.slice(k) };
}

/**
 * The stored rows of a request that failed after all its retries, one per
 * repeat it asked for: a reload shows them as failed with the server's words,
 * and "Retry failed" finds them.
 */
export function failedResponses(
  job: TeacherJob,
  task: Task,
  req: CompletionRequest,
  error: string,
  attempts: number,
  at: number,
): TeacherResponse[] {
  return task.repeats.map((repeat) => ({
    ...answerOf(job, task, req, repeat),
    raw: null,
    label: null,
    valid: false,
    invalidReason: REQUEST_FAILED,
    error,
    attempts,
    usage: { prompt: 0, completion: 0 },
    maxTokens: req.maxTokens,
    at,
    ...(job.projectId ? { projectId: job.projectId } : {}),
  }));
}
