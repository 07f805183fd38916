// The teacher run: every text × repeat, cache first, then requests paced by
// rate.ts (adaptive concurrency, rate-limit headers, the user's RPM/TPM),
// per-request retries, pause/cancel and a budget cap. Pure: the network, the
// store, the clock and randomness are injected, so the whole behaviour is
// testable in Node with fakes.

import { attemptMessage, isFailedAttempt } from './attempts';
import { backoffDelay, DEFAULT_BACKOFF, isRetryable } from './backoff';
import { normaliseEndpoint } from './cache-key';
import { billedOutput, priceFor, usageCost } from './prices';
import { guessProfile, isQuotaError, nDroppable, quotaMessage, rejectedParam, withoutParam, type AdaptableParam } from './profile';
import { RunControls, startProgress } from './run-controls';
import { pace } from '../ui/eta';
import { RateControl, requestTokens, type RateOutcome, type Ticket } from './rate';
import { buildRequest, failedResponses, makeResponses, planTasks, type Task, type TeacherJob } from './tasks';
import {
  TeacherRequestError,
  type Capabilities,
  type CompletionRequest,
  type CompletionResult,
  type TeacherResponse,
  type TeacherSettings,
} from './types';

export type { TeacherJob, TeacherItem } from './tasks';

export type RunState = 'running' | 'paused' | 'waiting-retry' | 'done' | 'cancelled' | 'budget' | 'error';

export interface TeacherProgress {
  /** Answers settled: cached + received + failed. */
  done: number;
  /** texts × repeats */
  total: number;
  /** Answers found in the cache (no request). */
  cached: number;
  /** HTTP requests started, retries included. */
  sent: number;
  /**
   * Answers that failed: the request failed after all retries (a re-run asks
   * again), or came back empty / cut at the token cap (asked again once the cap changes).
   */
  failed: number;
  /** Answers that arrived (or were cached) but are not a valid label. */
  invalid: number;
  tokensIn: number;
  /** Output tokens billed, reasoning included. */
  tokensOut: number;
  /** Of tokensOut: hidden reasoning tokens reported by the server. */
  tokensReasoning: number;
  /** Of tokensIn: prompt tokens served from the provider's prompt cache (billed lower). */
  tokensCached: number;
  /** USD for this run's tokens at the job's price (0 while the price is unknown). */
  cost: number;
  /** False when the model's price is unknown: cost means nothing and a US$ budget cannot stop the run. */
  costKnown: boolean;
  /** Answers received per minute in this run. */
  ratePerMin: number;
  /** Requests allowed in flight now: halved on a 429, grown back after successes, at most "requests at once". */
  concurrency: number;
  /** Requests in flight now. */
  inFlight: number;
  /** Requests sent in the last minute. */
  requestsPerMin: number;
  /** Why requests are held back now (a rate limit, a burst of 429s), in plain words; null when they are not. */
  pacing: string | null;
  /** Remaining time at the current rate; null before the first answer. */
  etaMs: number | null;
  state: RunState;
}

/** The privacy log: which text went to which endpoint, and when. */
export interface SendLogEntry {
  at: number;
  endpoint: string;
  model: string;
  rowId: string;
  textHash: string;
}

export interface TeacherDeps {
  /** client.complete bound to a client; must reject with TeacherRequestError. */
  send: (req: CompletionRequest, signal: AbortSignal) => Promise<CompletionResult>;
  getCached: (keys: string[]) => Promise<Map<string, TeacherResponse>>;
  /**
   * Called with each request's answers as they arrive, so a closed tab loses
   * nothing; the answers of one request (its `n` choices) must land together.
   */
  put: (rs: TeacherResponse[]) => Promise<void>;
  onProgress: (p: TeacherProgress) => void;
  onLog?: (entry: SendLogEntry) => void;
  /** Told when the model profile changed (a rejected parameter, an ignored n), to remember per (endpoint, model). */
  onCapabilities?: (caps: Capabilities) => void;
  now?: () => number;
  /** Resolves after ms, or early when signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  rand?: () => number;
  /** Tokens of a text, for TPM pacing (gpt-tokenizer in the app); about chars / 4 by default. */
  countTokens?: (text: string) => number;
  /** Timer for the per-request timeout (setTimeout by default). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface TeacherSummary extends TeacherProgress {
  failures: { rowId: string; repeats: number[]; message: string }[];
  capabilities: Capabilities;
  /** Set when the run stopped on an error it cannot retry (quota used up, the store failed). */
  error?: string;
}

export interface TeacherController {
  /** Start no new requests (in-flight ones finish). */
  pause(): void;
  resume(): void;
  /** Abort in-flight requests and send nothing more. */
  cancel(): void;
  /** Replace the budget (e.g. raise it, then resume from state 'budget'). */
  setBudget(budget: TeacherSettings['budget']): void;
  readonly done: Promise<TeacherSummary>;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    // Remove the abort listener when the timer fires, or long runs with many
    // retries pile listeners up on the run's signal.
    const onAbort = () => (clearTimeout(t), resolve());
    const t = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** How a request ended, for rate.ts: 429 and 503 say "too much", other failures say nothing about pace. */
function outcomeOf(result: CompletionResult | undefined, failure: TeacherRequestError | null, delay: number): RateOutcome {
  if (result) return { kind: 'ok', limits: result.limits, tokens: result.usage.prompt + result.usage.completion };
  const limits = failure?.limits;
  if (failure && (failure.status === 429 || failure.status === 503) && !isQuotaError(failure))
    return { kind: 'overload', limits, waitMs: delay };
  return { kind: 'other', limits };
}

function normalise(err: unknown, timedOut: boolean): TeacherRequestError {
  if (timedOut) return new TeacherRequestError('The request timed out.', 'timeout');
  if (err instanceof TeacherRequestError) return err;
  if (err instanceof TypeError) return new TeacherRequestError(err.message, 'network');
  return new TeacherRequestError(err instanceof Error ? err.message : String(err), 'network');
}

/**
 * Run the teacher over `job.items` × `job.settings.repeats`. Returns at once
 * with a controller; `done` resolves when everything is settled, cancelled, or
 * stopped by an error. A run paused (by the user or the budget) stays pending
 * until resumed or cancelled.
 */
export function runTeacher(job: TeacherJob, deps: TeacherDeps): TeacherController {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const rand = deps.rand ?? Math.random;
  const setTimer = deps.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const s = job.settings;
  const price = job.price !== undefined ? job.price : priceFor(s.model);
  const endpoint = normaliseEndpoint(s.baseURL);
  let caps: Capabilities = { ...guessProfile(s.baseURL, s.model), ...job.capabilities };
  // 'on' overrides what was remembered; a 400 can still turn it off (else we would loop).
  if (s.structured === 'on') caps.structured = true;
  if (s.batchRepeats === 'on') caps.n = true;

  const p = startProgress(job.items.length * s.repeats, price !== null, Math.max(1, s.concurrency));
  const rate = new RateControl({ maxConcurrency: s.concurrency, rpm: s.rpm, tpm: s.tpm }, now);
  const count = deps.countTokens ?? ((t: string) => Math.ceil(t.length / 4));
  const failures: TeacherSummary['failures'] = [];
  const runAbort = new AbortController();
  const inflight = new Set<AbortController>();
  let finished = false;
  let fatal: string | undefined;
  let retrying = 0;
  /** Of those, requests that stepped aside after a 429/503: their worker's place is taken by another. */
  let aside = 0;
  let received = 0;
  let started = now();

  const emit = () => {
    p.state = ctl.state(fatal, finished) ?? (retrying > 0 && inflight.size === 0 ? 'waiting-retry' : 'running');
    Object.assign(p, pace(received, started, now(), p.total - p.done));
    const v = rate.view();
    p.concurrency = v.concurrency;
    p.inFlight = v.inFlight;
    p.requestsPerMin = v.requestsPerMin;
    p.pacing = v.waiting;
    deps.onProgress({ ...p });
  };
  const ctl = new RunControls(s.budget, {
    over: (b) =>
      (b.maxTokens !== undefined && p.tokensIn + p.tokensOut >= b.maxTokens) ||
      (b.maxCost !== undefined && price !== null && p.cost >= b.maxCost),
    emit,
    abort: () => {
      runAbort.abort();
      for (const ac of inflight) ac.abort();
    },
  });

  /**
   * Wait until rate.ts lets a request of `tokens` start (a slot, the
   * server's headers, the user's RPM/TPM, a burst pause), and take the slot in
   * the same step (an await in between would let another worker take it too);
   * null once cancelled.
   */
  const admit = async (tokens: number): Promise<Ticket | null> => {
    for (;;) {
      if (!(await ctl.gate())) return null;
      const wait = rate.wait(tokens);
      if (wait <= 0) return rate.start(tokens);
      emit();
      // Infinity: every slot is taken; a finishing request rouses us.
      if (wait === Infinity) await ctl.woken;
      else await sleep(wait, runAbort.signal);
    }
  };

  const record = async (task: Task, req: CompletionRequest, result: CompletionResult) => {
    const u = result.usage;
    p.tokensIn += u.prompt;
    p.tokensOut += billedOutput(u);
    p.tokensReasoning += u.reasoning ?? 0;
    p.tokensCached += Math.min(u.cachedPrompt ?? 0, u.prompt);
    if (price) p.cost += usageCost(u, price);
    const { responses, missing } = makeResponses(job, task, req, result, now());
    // One write per request: a tab closed mid-write never keeps half of an n-choice answer.
    // Failed attempts are stored too (with their cap), so the same cap does not pay for them twice.
    if (responses.length > 0) await deps.put(responses);
    const empty: number[] = [];
    for (const r of responses) {
      received += 1;
      p.done += 1;
      if (isFailedAttempt(r)) {
        p.failed += 1;
        empty.push(r.repeat);
      } else if (!r.valid) p.invalid += 1;
    }
    if (empty.length > 0) {
      const first = responses.find((r) => isFailedAttempt(r))!;
      failures.push({ rowId: task.item.rowId, repeats: empty, message: attemptMessage(first) });
    }
    if (missing.length > 0) {
      // The server ignored `n` (some local servers do): ask for the rest one by one.
      if (caps.n) {
        caps = { ...caps, n: false };
        deps.onCapabilities?.(caps);
      }
      queue.unshift(...missing.map((r) => ({ ...task, repeats: [r] })));
      spawn();
    }
    emit();
  };

  const runTask = async (first: Task) => {
    let task = first;
    let attempt = 0;
    // Each request adapts for itself: one that sent a rejected parameter is
    // asked once more without it, whatever other requests learned meanwhile.
    const adapted = new Set<AdaptableParam>();
    for (;;) {
      const ticket = await admit(requestTokens(buildRequest(job, task, caps), count));
      if (!ticket) return;
      const req = buildRequest(job, task, caps);
      if (req.n === undefined && task.repeats.length > 1) {
        queue.unshift(...task.repeats.slice(1).map((r) => ({ ...task, repeats: [r] })));
        spawn();
        task = { ...task, repeats: [task.repeats[0]] };
      }
      const ac = new AbortController();
      let timedOut = false;
      const timer = setTimer(() => ((timedOut = true), ac.abort()), s.timeoutMs);
      inflight.add(ac);
      p.sent += 1;
      deps.onLog?.({ at: now(), endpoint, model: s.model, rowId: task.item.rowId, textHash: task.item.textHash });
      emit();
      let result: CompletionResult | undefined;
      let error: unknown;
      try {
        result = await deps.send(req, ac.signal);
      } catch (e) {
        error = e;
      } finally {
        clearTimer(timer);
        inflight.delete(ac);
      }
      if (result) {
        // The slot is held until the answers are stored: a tab closed now loses at most
        // "requests at once" answers, as before pacing existed.
        try {
          return await record(task, req, result);
        } finally {
          rate.finish(ticket, outcomeOf(result, null, 0));
          ctl.rouse();
        }
      }
      const failure = normalise(error, timedOut);
      // This request's own wait before its retry: Retry-After when the server said, else jittered exponential.
      const delay = backoffDelay(attempt, { ...DEFAULT_BACKOFF, rand, now }, failure.retryAfter);
      rate.finish(ticket, outcomeOf(undefined, failure, delay));
      ctl.rouse(); // a slot is free
      if (ctl.cancelled) return;
      if (isQuotaError(failure)) {
        // No credit left: every retry would fail the same way, so stop everything now.
        fatal ??= quotaMessage(failure);
        p.failed += task.repeats.length;
        p.done += task.repeats.length;
        failures.push({ rowId: task.item.rowId, repeats: task.repeats, message: failure.message });
        controller.cancel();
        return;
      }
      // Any error on a request with n > 1 (llama.cpp's "n_cmpl cannot be
      // greater than the number of slots" names no parameter) drops n once.
      const param = rejectedParam(failure, req) ?? (nDroppable(failure, req) ? 'n' : null);
      if (param && !adapted.has(param)) {
        adapted.add(param);
        caps = withoutParam(caps, param);
        deps.onCapabilities?.(caps);
        continue; // adapting is not a retry
      }
      if (isRetryable(failure) && attempt < s.maxRetries) {
        // A 429 or 503 delays only this request (rate.ts pauses everyone on a burst or a
        // used-up limit): another worker takes its place meanwhile. Other failures (network
        // down, timeouts, 500s) keep their place: a dead connection must not run the queue
        // through at full speed, failing every text.
        const stepAside = failure.status === 429 || failure.status === 503;
        attempt += 1;
        retrying += 1;
        if (stepAside) {
          aside += 1;
          spawn();
        }
        emit();
        await sleep(delay, runAbort.signal);
        retrying -= 1;
        if (stepAside) aside -= 1;
        continue;
      }
      // Stored with its words, so a reload shows it failed and "Retry failed" can find it.
      if (failure.kind !== 'aborted') await deps.put(failedResponses(job, task, req, failure.message, attempt + 1, now()));
      p.failed += task.repeats.length;
      p.done += task.repeats.length;
      failures.push({ rowId: task.item.rowId, repeats: task.repeats, message: failure.message });
      emit();
      return;
    }
  };

  const worker = async () => {
    for (;;) {
      if (ctl.cancelled || !(await ctl.gate())) return;
      const task = queue.shift();
      if (!task) return;
      try {
        await runTask(task);
      } catch (e) {
        // Only deps.put (the store) can throw here: stop rather than lose answers silently.
        fatal = `Could not save a teacher answer: ${e instanceof Error ? e.message : String(e)}`;
        controller.cancel();
      }
    }
  };

  // Workers exit when the queue is empty; spawn() tops the pool up again when
  // tasks are re-queued (split after `n` was rejected or ignored).
  const queue: Task[] = [];
  const pool = new Set<Promise<void>>();
  // Requests that stepped aside after a 429/503 do not count: rate.ts bounds what is in flight.
  const spawn = () => {
    while (pool.size < Math.max(1, s.concurrency) + aside && queue.length > 0 && !ctl.cancelled) {
      const w: Promise<void> = worker().finally(() => pool.delete(w));
      pool.add(w);
    }
  };

  const controller: TeacherController = {
    ...ctl.verbs(),
    done: (async (): Promise<TeacherSummary> => {
      try {
        const { tasks, cached, failed, skipped } = await planTasks(job, caps, deps.getCached);
        p.total -= skipped; // "Retry failed" leaves the never-asked answers alone
        for (const r of cached) {
          p.cached += 1;
          p.done += 1;
          if (!r.valid) p.invalid += 1;
        }
        // Failed attempts at this very cap: not asked again (it would fail the same way), but shown.
        const rowOf = new Map(job.items.map((it) => [it.textHash, it.rowId]));
        for (const r of failed) {
          p.failed += 1;
          p.done += 1;
          failures.push({
            rowId: rowOf.get(r.textHash) ?? r.textHash,
            repeats: [r.repeat],
            message: `${attemptMessage(r)} (Stored from an earlier run.)`,
          });
        }
        started = now();
        emit();
        queue.push(...tasks);
        spawn();
        while (pool.size > 0) await Promise.all([...pool]);
      } catch (e) {
        fatal = `Could not read the answer cache: ${e instanceof Error ? e.message : String(e)}`;
      }
      finished = true;
      emit();
      return { ...p, failures, capabilities: caps, ...(fatal ? { error: fatal } : {}) };
    })(),
  };
  return controller;
}
