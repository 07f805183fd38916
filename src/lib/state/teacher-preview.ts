// What a run would do before it starts: how many answers the cache already
// holds, the calls and tokens still needed, their cost, and the prompt exactly
// as it will be sent. cost.ts (gpt-tokenizer) is loaded on demand.

import * as store from '../store';
import { chatBody } from '../teacher/body';
import { planRequests } from '../teacher/plan';
import { buildRequest, planTasks, promptOf, wantN, type TeacherJob } from '../teacher/tasks';
import { DEFAULT_CAPABILITIES, type Capabilities, type TeacherResponse } from '../teacher/types';
import type { Price, RunEstimate } from '../teacher/cost';

/** Texts tokenized for the estimate; bigger runs are extrapolated from a spread sample. */
const ESTIMATE_SAMPLE = 2000;

export interface TeacherPreview {
  /** Distinct texts in the scope. */
  texts: number;
  /** texts × repeats */
  answers: number;
  /** Answers the cache already holds (free). */
  cachedAnswers: number;
  /** Requests still to make (with `n`, one request can carry several repeats). */
  calls: number;
  /** Texts with at least one missing answer. */
  textsToSend: number;
  /** Tokens and cost of what is still missing (an upper bound: every answer uses the token cap). */
  estimate: RunEstimate;
  /** Same at Batch API prices. */
  batchCost: number;
  /** True when the estimate was extrapolated from a sample of the texts. */
  sampled: boolean;
  price: Price;
  system: string;
  /** The first text's user message, exactly as sent; null for an empty scope. */
  user: string | null;
  /** The JSON body of that request (model, messages, temperature, response_format…). */
  body: string | null;
}

/** Preview of `job` under the known capabilities (optimistic when none are known). */
export async function buildPreview(job: TeacherJob, known: Capabilities | undefined): Promise<TeacherPreview> {
  const { estimateRun, priceFor, BATCH_DISCOUNT } = await import('../teacher/cost');
  const caps = { ...DEFAULT_CAPABILITIES, ...known };
  const s = job.settings;
  const { tasks, cached } = await planTasks(job, caps, (keys) => store.getResponses<TeacherResponse>(keys));
  const pending = [...new Map(tasks.map((t) => [t.item.textHash, t.item])).values()];
  const user = promptOf(job).user;
  const step = Math.max(1, Math.ceil(pending.length / ESTIMATE_SAMPLE));
  const sample = pending.filter((_, i) => i % step === 0);
  const useN = wantN(s, caps);
  const requestsPerText = planRequests({ ...s, useN, temperatureAllowed: caps.temperature }).length;
  const price = job.price ?? priceFor(s.model);
  const base = estimateRun({
    systemPrompt: promptOf(job).system,
    userPrompts: sample.map((it) => (user ? user(it.text) : it.text)),
    repeats: s.repeats, useN, maxOutputTokens: s.maxTokens, price, requestsPerText,
  });
  const scale = sample.length > 0 ? pending.length / sample.length : 0;
  const estimate: RunEstimate = {
    inputTokens: Math.round(base.inputTokens * scale),
    outputTokens: Math.round(base.outputTokens * scale),
    calls: tasks.length,
    cost: base.cost * scale,
  };
  const first = job.items[0];
  const req = first ? buildRequest(job, { item: first, repeats: [0] }, caps) : null;
  return {
    texts: job.items.length,
    answers: job.items.length * s.repeats,
    cachedAnswers: cached.length,
    calls: tasks.length,
    textsToSend: pending.length,
    estimate,
    batchCost: estimate.cost * BATCH_DISCOUNT,
    sampled: step > 1,
    price,
    system: promptOf(job).system,
    user: req ? req.messages[1].content : null,
    body: req ? JSON.stringify(chatBody(req), null, 2) : null,
  };
}
