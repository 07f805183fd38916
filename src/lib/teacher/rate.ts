// How fast a run may send: the admission rule the queue asks before every
// request. Four things decide it, all pure and clocked by the caller:
// - AIMD concurrency: the number of requests in flight halves on a 429 (or
//   503) and grows by one after a run of successes, up to the user's
//   "requests at once" — sporadic rejections cost a little, a real limit
//   brings the pool down to what the server takes;
// - a burst of 429s (several within a second, most of the answers) pauses
//   everyone: that is a shared limit, not one unlucky request;
// - the server's x-ratelimit-* headers: the run spends what is left and then
//   waits for the allowance to refill, instead of walking into 429s;
// - optional RPM / TPM limits of the user's own, as token buckets, for
//   servers that send no headers.

import type { LimitState, RateLimitInfo } from './backoff';
import type { CompletionRequest } from './types';

export interface RateOptions {
  /** The user's "requests at once": where the concurrency starts and the most it grows back to. */
  maxConcurrency: number;
  /** The user's requests per minute; null or absent: none. */
  rpm?: number | null;
  /** The user's (estimated) tokens per minute; null or absent: none. */
  tpm?: number | null;
  /** Successes in a row before the concurrency grows by one. */
  growAfter?: number;
}

/** How one request ended, as far as pacing cares. */
export type RateOutcome =
  /** Answered; `tokens` = tokens it really used (prompt + completion), when the server said. */
  | { kind: 'ok'; limits?: RateLimitInfo | null; tokens?: number }
  /** 429 or 503: the server is over its limit; `waitMs` is this request's own retry delay. */
  | { kind: 'overload'; limits?: RateLimitInfo | null; waitMs: number }
  /** Anything else (timeout, 500, 400…): neither grows nor cuts the concurrency. */
  | { kind: 'other'; limits?: RateLimitInfo | null };

/** A started request, handed back to finish(). */
export interface Ticket {
  seq: number;
  at: number;
  tokens: number;
}

/** What the run shows live. */
export interface RateView {
  /** Requests allowed in flight now (AIMD). */
  concurrency: number;
  inFlight: number;
  /** Requests started in the last minute (or per minute since the start, before a minute has passed). */
  requestsPerMin: number;
  /** Why requests are being held back now, in plain words; null when they are not. */
  waiting: string | null;
}

/**
 * Successes in a row before one more request may be in flight. One, so a
 * sporadic 429 costs little: the pool is full again after about as many
 * answers as it was cut by (on a virtual clock, 5 % random 429s, 300 ms, 8 at
 * once: 0.92 of the ideal, against 0.85 with two and 0.74 with three). A shared
 * limit still brings the pool down, as each of its 429s halves it again.
 */
export const GROW_AFTER = 1;
/** A burst: at least this many 429s within BURST_MS, making up at least half of the answers then. */
const BURST_COUNT = 3;
const BURST_MS = 1000;
const MINUTE = 60_000;

/** A token bucket: `perMs` refill, `cap` full; may go below zero (a big request borrows from the future). */
class Bucket {
  level: number;
  constructor(
    readonly perMs: number,
    readonly cap: number,
    private at: number,
    start = cap,
  ) {
    this.level = start;
  }
  #fill(now: number) {
    this.level = Math.min(this.cap, this.level + (now - this.at) * this.perMs);
    this.at = now;
  }
  /** ms until `amount` (at most a full bucket) is there. */
  wait(amount: number, now: number): number {
    this.#fill(now);
    const need = Math.min(amount, this.cap) - this.level;
    return need <= 0 ? 0 : Math.ceil(need / this.perMs);
  }
  take(amount: number, now: number) {
    this.#fill(now);
    this.level -= amount;
  }
}

interface Snapshot extends LimitState {
  /** The request whose answer carried it: the server counted everything sent before it. */
  seq: number;
  /**
   * When the answer came: the reset time counts from when the server wrote
   * it, and starting the clock then (not when the request left) never
   * resumes before the server does.
   */
  at: number;
}

const seconds = (ms: number) => `${Math.max(1, Math.ceil(ms / 1000))} s`;

export class RateControl {
  #limit: number;
  readonly #max: number;
  readonly #growAfter: number;
  #successes = 0;
  /** The newest request started when the concurrency was last cut: older 429s were decided under the old limit. */
  #cutSeq = 0;
  #seq = 0;
  readonly #inFlight = new Map<number, Ticket>();
  /** Requests started, kept while a header snapshot may still need "sent after it". */
  #started: Ticket[] = [];
  readonly #snap: { requests?: Snapshot; tokens?: Snapshot } = {};
  #pausedUntil = 0;
  #pauseWhy = '';
  readonly #recent: { at: number; overload: boolean }[] = [];
  readonly #starts: number[] = [];
  readonly #firstAt: number;
  readonly #rpm: Bucket | null;
  readonly #tpm: Bucket | null;
  readonly #o: RateOptions;
  #why: string | null = null;

  constructor(
    o: RateOptions,
    private readonly now: () => number,
  ) {
    this.#o = o;
    this.#max = Math.max(1, Math.floor(o.maxConcurrency));
    this.#limit = this.#max;
    this.#growAfter = Math.max(1, o.growAfter ?? GROW_AFTER);
    const t = now();
    this.#firstAt = t;
    // One second's worth at most in the bucket, and one request at the start: the user's
    // limit is paced evenly (providers often enforce it per second), never spent in a burst.
    this.#rpm = o.rpm && o.rpm > 0 ? new Bucket(o.rpm / MINUTE, Math.max(1, o.rpm / 60), t, 1) : null;
    this.#tpm = o.tpm && o.tpm > 0 ? new Bucket(o.tpm / MINUTE, Math.max(1, o.tpm / 60), t) : null;
  }

  get concurrency(): number {
    return this.#limit;
  }

  /**
   * ms before a request of `tokens` estimated tokens may start: 0 = now,
   * Infinity = when a request in flight finishes. `waiting` says why.
   */
  wait(tokens: number): number {
    const now = this.now();
    const holds: [number, string][] = [];
    if (this.#inFlight.size >= this.#limit) holds.push([Infinity, '']);
    if (this.#pausedUntil > now) holds.push([this.#pausedUntil - now, this.#pauseWhy]);
    const r = this.#snapWait('requests', 1, now);
    if (r > 0) holds.push([r, `The server’s request limit is used up (x-ratelimit-remaining-requests); more in ${seconds(r)}.`]);
    const t = this.#snapWait('tokens', tokens, now);
    if (t > 0) holds.push([t, `The server’s token limit is used up (x-ratelimit-remaining-tokens); more in ${seconds(t)}.`]);
    const rw = this.#rpm?.wait(1, now) ?? 0;
    if (rw > 0) holds.push([rw, `Paced to your limit of ${this.#o.rpm!.toLocaleString('en')} requests per minute.`]);
    const tw = this.#tpm?.wait(tokens, now) ?? 0;
    if (tw > 0) holds.push([tw, `Paced to your limit of ${this.#o.tpm!.toLocaleString('en')} tokens per minute.`]);
    if (holds.length === 0) {
      this.#why = null;
      return 0;
    }
    // The longest finite hold decides; "a slot frees up" only counts when nothing else holds.
    const finite = holds.filter(([ms]) => Number.isFinite(ms));
    const [ms, why] = finite.length > 0 ? finite.reduce((a, b) => (b[0] > a[0] ? b : a)) : holds[0];
    this.#why = why || null;
    return ms;
  }

  /** Record that a request of `tokens` estimated tokens starts now. */
  start(tokens: number): Ticket {
    const t: Ticket = { seq: ++this.#seq, at: this.now(), tokens };
    this.#inFlight.set(t.seq, t);
    this.#started.push(t);
    this.#rpm?.take(1, t.at);
    this.#tpm?.take(tokens, t.at);
    this.#starts.push(t.at);
    return t;
  }

  /** Record how a started request ended. */
  finish(t: Ticket, o: RateOutcome): void {
    const now = this.now();
    this.#inFlight.delete(t.seq);
    if (o.limits) this.#observe(t, o.limits, now);
    if (o.kind === 'ok' && o.tokens !== undefined && this.#tpm) this.#tpm.take(o.tokens - t.tokens, now);
    this.#recent.push({ at: now, overload: o.kind === 'overload' });
    while (this.#recent.length > 0 && this.#recent[0].at < now - BURST_MS) this.#recent.shift();
    if (o.kind === 'ok') {
      this.#successes += 1;
      if (this.#successes >= this.#growAfter && this.#limit < this.#max) {
        this.#limit += 1;
        this.#successes = 0;
      }
    } else if (o.kind === 'overload') {
      this.#successes = 0;
      if (t.seq > this.#cutSeq) {
        this.#limit = Math.max(1, Math.floor(this.#limit / 2));
        this.#cutSeq = this.#seq;
      }
      const overloads = this.#recent.filter((r) => r.overload).length;
      if (overloads >= BURST_COUNT && overloads * 2 >= this.#recent.length && now + o.waitMs > this.#pausedUntil) {
        this.#pausedUntil = now + o.waitMs;
        this.#pauseWhy = `The server turned down ${overloads} requests within a second (429): every request waits ${seconds(o.waitMs)}.`;
      }
    }
    this.#prune();
  }

  view(): RateView {
    const now = this.now();
    while (this.#starts.length > 0 && this.#starts[0] < now - MINUTE) this.#starts.shift();
    const span = Math.min(MINUTE, Math.max(1000, now - this.#firstAt));
    return {
      concurrency: this.#limit,
      inFlight: this.#inFlight.size,
      requestsPerMin: (this.#starts.length * MINUTE) / span,
      waiting: this.#why,
    };
  }

  #observe(t: Ticket, info: RateLimitInfo, now: number) {
    for (const kind of ['requests', 'tokens'] as const) {
      const s = info[kind];
      const prev = this.#snap[kind];
      if (s && (!prev || t.seq > prev.seq)) this.#snap[kind] = { ...s, seq: t.seq, at: now };
    }
  }

  /**
   * ms until the server's allowance of `kind` has `need` left, by its latest
   * header: what it said was left, minus what we sent after that request,
   * plus the refill since. With x-ratelimit-limit-* the refill is linear
   * ((limit − remaining) over the reset time, as a token bucket refills);
   * without it, nothing comes back before the reset. A header older than its
   * own reset time says nothing any more and is dropped.
   */
  #snapWait(kind: 'requests' | 'tokens', need: number, now: number): number {
    const s = this.#snap[kind];
    if (!s) return 0;
    const reset = s.resetMs ?? BURST_MS;
    if (now >= s.at + reset) {
      delete this.#snap[kind];
      return 0;
    }
    let sent = 0;
    for (const t of this.#started) if (t.seq > s.seq) sent += kind === 'requests' ? 1 : t.tokens;
    const want = s.limit !== null ? Math.min(need, s.limit) : need;
    const have = s.remaining - sent;
    if (have >= want) return 0;
    if (s.limit !== null && s.limit > s.remaining && reset > 0) {
      const perMs = (s.limit - s.remaining) / reset;
      return Math.min(s.at + reset - now, Math.max(0, Math.ceil(s.at + (want - have) / perMs - now)));
    }
    return s.at + reset - now;
  }

  #prune() {
    const seqs = [...this.#inFlight.keys()];
    for (const s of Object.values(this.#snap)) if (s) seqs.push(s.seq);
    const oldest = seqs.length > 0 ? Math.min(...seqs) : this.#seq;
    // Keep what a snapshot from a request still in flight may count; the rest is history.
    if (this.#started.length > 0 && this.#started[0].seq < oldest) this.#started = this.#started.filter((t) => t.seq >= oldest);
  }
}

/** Characters counted exactly; a longer message is counted on this prefix and scaled (linear, bounded time). */
const COUNT_PREFIX = 20_000;
const memo = new WeakMap<(t: string) => number, Map<string, number>>();

function countBounded(text: string, count: (t: string) => number): number {
  if (text.length <= COUNT_PREFIX) return count(text);
  return Math.ceil((count(text.slice(0, COUNT_PREFIX)) * text.length) / COUNT_PREFIX);
}

/**
 * Tokens a request may spend, as providers count them against a TPM limit:
 * the messages (with a few tokens of chat formatting each) plus the output
 * cap for every answer asked. The system prompt, the same in every request,
 * is counted once.
 */
export function requestTokens(req: CompletionRequest, count: (t: string) => number): number {
  let seen = memo.get(count);
  if (!seen) memo.set(count, (seen = new Map()));
  let n = 3;
  for (const m of req.messages) {
    let c = m.role === 'system' ? seen.get(m.content) : undefined;
    if (c === undefined) {
      c = countBounded(m.content, count);
      if (m.role === 'system') {
        if (seen.size > 8) seen.clear();
        seen.set(m.content, c);
      }
    }
    n += c + 3;
  }
  return n + req.maxTokens * Math.max(1, req.n ?? 1);
}
