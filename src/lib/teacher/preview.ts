// What a run would do before it starts: how many answers the cache already
// holds, the calls and tokens still needed, their cost, and the prompt exactly
// as it will be sent. cost.ts (gpt-tokenizer) is loaded on demand; the cache
// lookup is passed in, so this stays free of the store.

import { isRequestFailure } from './attempts';
import { chatBody } from './body';
import { planRequests } from './plan';
import { capOf, guessProfile } from './profile';
import { buildRequest, planTasks, promptOf, wantN, type TeacherJob } from './tasks';
import type { Capabilities, TeacherResponse } from './types';
import type { PriceInfo, RunEstimate } from './cost';

/** Texts tokenized for the estimate at most; bigger runs are extrapolated from a spread sample (cost.ts samplePlan). */
const ESTIMATE_SAMPLE = 2000;
/** The prompt preview shows this many characters of a message or body; a 10 MB text is not laid out on the page. */
const SHOWN_CHARS = 4000;

/** `s`, or its first SHOWN_CHARS characters and a note of how many more there are. */
export function clipForDisplay(s: string, max = SHOWN_CHARS): string {
  if (s.length <= max) return s;
  return `${s.slice(0, max)}… [${(s.length - max).toLocaleString('en')} more characters not shown]`;
}

export interface TeacherPreview {
  /** Distinct texts in the scope. */
  texts: number;
  /** texts × repeats */
  answers: number;
  /** Answers the cache already holds (free). */
  cachedAnswers: number;
  /** Of cachedAnswers, those imported with this project's file (not asked, nor paid for, in this browser). */
  importedAnswers: number;
  /** Failed attempts stored at this token cap (not asked again until the cap changes). */
  cachedFailures: number;
  /** Answers of requests that failed after all retries in an earlier run ("Retry failed" sends them). */
  failedRequests: number;
  /** Requests still to make (with `n`, one request can carry several repeats). */
  calls: number;
  /** Texts with at least one missing answer. */
  textsToSend: number;
  /** Tokens and cost of what is still missing (an upper bound: every answer uses the token cap). */
  estimate: RunEstimate;
  /** Same at Batch API prices; null when the price is unknown. */
  batchCost: number | null;
  /** True when the estimate is approximate: extrapolated from a sample of the texts, or long texts counted on windows. */
  sampled: boolean;
  /** The price the estimate used, and where it came from (null price: unknown). */
  priceInfo: PriceInfo;
  /** The token cap per answer a request is sent with (the reasoning cap for reasoning models). */
  maxTokens: number;
  /** The profile the preview assumed (the names' guess until a probe answered). */
  profile: Capabilities;
  system: string;
  /** The first text's user message, exactly as sent (clipped for display past a few thousand characters); null for an empty scope. */
  user: string | null;
  /** The JSON body of that request (model, messages, temperature, response_format…), clipped the same way. */
  body: string | null;
}

/** Preview of `job` under the known profile (the names' guess when none is known), at `priceInfo`; `getCached` reads stored answers by cache key. */
export async function buildPreview(
  job: TeacherJob,
  known: Capabilities | undefined,
  priceInfo: PriceInfo,
  getCached: (keys: string[]) => Promise<Map<string, TeacherResponse>>,
): Promise<TeacherPreview> {
  const { estimateSampledRun, samplePlan } = await import('./cost');
  const s = job.settings;
  const caps = { ...guessProfile(s.baseURL, s.model), ...known };
  const { tasks, cached, failed } = await planTasks(job, caps, getCached);
  const pending = [...new Map(tasks.map((t) => [t.item.textHash, t.item])).values()];
  const user = promptOf(job).user;
  // The user message is the template around the text: its length is the text's plus a constant.
  const wrap = (t: string) => (user ? user(t) : t);
  const extra = wrap('').length;
  const sample = samplePlan(
    pending.map((it) => it.text.length + extra),
    ESTIMATE_SAMPLE,
  ).map((i) => wrap(pending[i].text));
  const useN = wantN(s, caps);
  const requestsPerText = planRequests({ ...s, useN, temperatureAllowed: caps.temperature }).length;
  const maxTokens = capOf(s, caps);
  const base = await estimateSampledRun({
    systemPrompt: promptOf(job).system,
    sample,
    count: pending.length,
    chars: pending.reduce((n, it) => n + it.text.length + extra, 0),
    repeats: s.repeats,
    useN,
    maxOutputTokens: maxTokens,
    price: priceInfo.price,
    requestsPerText,
  });
  const estimate: RunEstimate = { ...base, calls: tasks.length };
  const first = job.items[0];
  const req = first ? buildRequest(job, { item: first, repeats: [0] }, caps) : null;
  return {
    texts: job.items.length,
    answers: job.items.length * s.repeats,
    cachedAnswers: cached.length,
    importedAnswers: cached.filter((r) => r.origin?.kind === 'imported').length,
    cachedFailures: failed.filter((r) => !isRequestFailure(r)).length,
    failedRequests: failed.filter(isRequestFailure).length,
    calls: tasks.length,
    textsToSend: pending.length,
    estimate,
    batchCost: estimate.batchCost,
    sampled: base.approximate === true,
    priceInfo,
    maxTokens,
    profile: caps,
    system: promptOf(job).system,
    user: req ? clipForDisplay(req.messages[1].content) : null,
    body: req ? clipForDisplay(JSON.stringify(chatBody(req), null, 2)) : null,
  };
}
