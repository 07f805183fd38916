// The mock's rate limit: token buckets of requests (and optionally tokens)
// per minute, answering 429 once a bucket is empty, and x-ratelimit-* headers
// on every chat answer as OpenAI sends them. Pure apart from the clock passed in.

/**
 * @typedef {{ requestsPerMinute: number, burst?: number, tokensPerMinute?: number, tokenBurst?: number }} RateLimitConfig
 *   burst: the bucket's size in requests (default requestsPerMinute: "R per minute");
 *   tokenBurst likewise for tokens (default tokensPerMinute).
 */

/** A duration as Go (and so OpenAI's reset headers) writes it: "20ms", "1s", "1.5s", "6m0s", "1h2m3s". */
export function goDuration(ms) {
  const t = Math.max(0, Math.ceil(ms));
  if (t < 1000) return `${t}ms`;
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const s = Number(((t % 60_000) / 1000).toFixed(3));
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}

function bucket(perMinute, size, now) {
  return { perMs: perMinute / 60_000, size, level: size, at: now };
}

function fill(b, now) {
  b.level = Math.min(b.size, b.level + (now - b.at) * b.perMs);
  b.at = now;
}

function headersOf(kind, b) {
  return {
    [`x-ratelimit-limit-${kind}`]: String(Math.round(b.size)),
    [`x-ratelimit-remaining-${kind}`]: String(Math.max(0, Math.floor(b.level))),
    [`x-ratelimit-reset-${kind}`]: goDuration((b.size - Math.max(0, b.level)) / b.perMs),
  };
}

/**
 * A limiter for `config` (null: none). take(now, tokens) counts one request of
 * `tokens` estimated tokens at its arrival and says whether it may pass, with
 * the headers to send either way (and, when not, how long until it could).
 * @param {RateLimitConfig | null | undefined} config
 * @param {number} now
 */
export function createLimiter(config, now) {
  const rpm = Number(config?.requestsPerMinute) || 0;
  const tpm = Number(config?.tokensPerMinute) || 0;
  if (rpm <= 0 && tpm <= 0) return null;
  const req = rpm > 0 ? bucket(rpm, Math.max(1, Number(config.burst) || rpm), now) : null;
  const tok = tpm > 0 ? bucket(tpm, Math.max(1, Number(config.tokenBurst) || tpm), now) : null;
  const counts = { passed: 0, rejected: 0 };
  return {
    counts,
    /** @returns {{ ok: boolean, headers: Record<string, string>, waitMs: number }} */
    take(at, tokens) {
      if (req) fill(req, at);
      if (tok) fill(tok, at);
      const needReq = req && req.level < 1 ? (1 - req.level) / req.perMs : 0;
      const needTok = tok && tok.level < Math.min(tokens, tok.size) ? (Math.min(tokens, tok.size) - tok.level) / tok.perMs : 0;
      const ok = needReq === 0 && needTok === 0;
      if (ok) {
        if (req) req.level -= 1;
        if (tok) tok.level -= tokens;
        counts.passed += 1;
      } else counts.rejected += 1;
      return {
        ok,
        waitMs: Math.ceil(Math.max(needReq, needTok)),
        headers: { ...(req ? headersOf('requests', req) : {}), ...(tok ? headersOf('tokens', tok) : {}) },
      };
    },
  };
}
