// Test harness for queue-rate.spec.ts: a virtual clock (sleep and timers
// fire in time order, instantly) and a simulated server with latency, a
// token-bucket rate limit with x-ratelimit-* headers, and scripted 429s, so
// pacing and per-request back-off are tested by when each request went out.

import type { RateLimitInfo } from './backoff';
import type { TeacherDeps } from './queue';
import { answer } from './queue.fixture';
import { TeacherRequestError, type CompletionRequest, type CompletionResult, type TeacherResponse } from './types';

export function virtualClock() {
  let t = 0;
  let seq = 0;
  const timers: { at: number; seq: number; fn: () => void }[] = [];
  const add = (ms: number, fn: () => void) => {
    const timer = { at: t + Math.max(0, ms), seq: seq++, fn };
    timers.push(timer);
    return timer;
  };
  const remove = (timer: unknown) => {
    const i = timers.indexOf(timer as (typeof timers)[number]);
    if (i >= 0) timers.splice(i, 1);
  };
  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const timer = add(ms, resolve);
      signal?.addEventListener('abort', () => (remove(timer), resolve()), { once: true });
    });
  const turn = () => new Promise((r) => setImmediate(r));
  /** Runs until `done` settles: lets every pending callback run, then jumps to the next timer. */
  async function run<T>(done: Promise<T>): Promise<T> {
    let settled = false;
    void done.finally(() => (settled = true));
    for (let idle = 0; !settled;) {
      await turn();
      if (settled) break;
      if (timers.length === 0) {
        if (++idle > 20) throw new Error(`Nothing left to wait for at t=${t}, but the run has not ended.`);
        continue;
      }
      idle = 0;
      timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = timers.shift()!;
      t = Math.max(t, next.at);
      next.fn();
    }
    return done;
  }
  return { now: () => t, sleep, setTimer: (fn: () => void, ms: number) => add(ms, fn), clearTimer: remove, run };
}

export interface SimOptions {
  latencyMs: number;
  /** A token bucket of requests: `limit` full, `perSec` back per second. */
  bucket?: { limit: number; perSec: number };
  /** Whether the page may read the x-ratelimit-* headers (CORS). */
  headers?: boolean;
  /** Answer call number `call` (1-based) with a 429 waiting this many seconds (Retry-After), or not. */
  reject429?: (call: number, at: number) => number | null;
}

/** A simulated endpoint on the virtual clock, and what it saw. */
export function simServer(clock: ReturnType<typeof virtualClock>, o: SimOptions) {
  const sim = { calls: [] as { at: number; status: number; text: string }[], level: o.bucket?.limit ?? 0, filled: 0 };
  const fill = () => {
    if (!o.bucket) return;
    const now = clock.now();
    sim.level = Math.min(o.bucket.limit, sim.level + ((now - sim.filled) * o.bucket.perSec) / 1000);
    sim.filled = now;
  };
  const limits = (): RateLimitInfo | null => {
    if (!o.bucket || !o.headers) return null;
    const remaining = Math.floor(sim.level);
    const resetMs = Math.ceil(((o.bucket.limit - sim.level) / o.bucket.perSec) * 1000);
    return { requests: { remaining, limit: o.bucket.limit, resetMs } };
  };
  const send = async (req: CompletionRequest, signal: AbortSignal): Promise<CompletionResult> => {
    const call = sim.calls.length + 1;
    const text = /<text>\n([\s\S]*)\n<\/text>/.exec(req.messages[1].content)?.[1] ?? '';
    // The server decides at arrival, as real ones do; the answer comes after the latency.
    fill();
    const scripted = o.reject429?.(call, clock.now()) ?? null;
    const over = o.bucket ? sim.level < 1 : false;
    if (!over && scripted === null && o.bucket) sim.level -= 1;
    const seen = limits();
    sim.calls.push({ at: clock.now(), status: over || scripted !== null ? 429 : 200, text });
    await clock.sleep(o.latencyMs, signal);
    if (signal.aborted) throw new TeacherRequestError('The request was cancelled.', 'aborted');
    if (scripted !== null) throw new TeacherRequestError('429 Slow down', 'http', 429, null, String(scripted), 'rate_limit_exceeded', seen);
    if (over) throw new TeacherRequestError('429 Rate limit reached', 'http', 429, null, null, 'rate_limit_exceeded', seen);
    return { ...answer(req), limits: seen };
  };
  return { sim, send };
}

/** TeacherDeps on the virtual clock, with an in-memory store. */
export function simDeps(clock: ReturnType<typeof virtualClock>, send: TeacherDeps['send']) {
  const store = new Map<string, TeacherResponse>();
  const progress: Parameters<TeacherDeps['onProgress']>[0][] = [];
  const deps: TeacherDeps = {
    send,
    getCached: async (keys) => new Map(keys.filter((k) => store.has(k)).map((k) => [k, store.get(k)!])),
    put: async (rs) => rs.forEach((r) => store.set(r.key, { ...r, at: clock.now() })),
    onProgress: (p) => progress.push(p),
    now: clock.now,
    sleep: clock.sleep,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
    rand: () => 0.5,
  };
  return { store, progress, deps };
}
