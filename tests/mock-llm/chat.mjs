// The mock's chat-completion logic: a pure function from (config, request,
// fault, request count) to an HTTP answer, kept apart from the HTTP plumbing.

/**
 * @typedef {{ kind: '429' | '500' | 'hang' | 'malformed' | 'refusal' | 'offset' | 'quota' | 'length', times?: number,
 *   retryAfter?: number, retryAfterMs?: number, ms?: number, label?: string }} MockFault
 * @typedef {{
 *   models: string[], labels: string[],
 *   rules: { contains: string, label: string }[], replay: Record<string, string>,
 *   fallback: string | null, plainStyle: 'bare' | 'sentence', flip: number, seed: number,
 *   unsupported: ('n' | 'temperature' | 'response_format' | 'max_tokens' | 'reasoning_effort' | 'logprobs')[], faults: MockFault[],
 *   rate429: number, latencyMs: number, apiKey: string | null,
 *   reasoning: boolean, reasoningTokens: number, quota: boolean, slots: number | null,
 *   nError: 'slots' | 'legacy', exposeRateLimitHeaders: boolean,
 *   rateLimit: import('./limits.mjs').RateLimitConfig | null, logprobs: boolean,
 *   prose: string | null, proseReplay: Record<string, string>, hold: number }} MockConfig
 * @typedef {{ status: number, body: unknown, headers?: Record<string, string> }} MockAnswer
 */

/**
 * The config after a reset.
 * @returns {MockConfig}
 */
export function defaultConfig() {
  return {
    models: ['mock-teacher'],
    labels: ['positive', 'negative'],
    rules: [],
    replay: {},
    fallback: null,
    plainStyle: 'bare',
    flip: 0,
    seed: 1,
    unsupported: [],
    faults: [],
    rate429: 0,
    latencyMs: 0,
    apiKey: null,
    reasoning: false,
    reasoningTokens: 96,
    quota: false,
    slots: null,
    nError: 'slots',
    exposeRateLimitHeaders: false,
    rateLimit: null,
    logprobs: false,
    prose: null,
    proseReplay: {},
    hold: 0,
  };
}

const OPEN = '<text>\n';
const CLOSE = '\n</text>';

/** FNV-1a over a string, then a murmur-style finaliser: a stable 32-bit hash. */
export function hash32(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A deterministic number in [0, 1) from any list of parts. */
export function unit(...parts) {
  return hash32(parts.join('\u241f')) / 4294967296;
}

function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

/** The text between the last `<text>\n` and the following `\n</text>` of the last user message. */
export function extractText(messages) {
  const users = (Array.isArray(messages) ? messages : []).filter((m) => m?.role === 'user');
  const content = contentText(users.at(-1)?.content);
  const start = content.lastIndexOf(OPEN);
  if (start < 0) return content;
  const end = content.indexOf(CLOSE, start + OPEN.length);
  return content.slice(start + OPEN.length, end < 0 ? undefined : end);
}

function schemaLabels(body) {
  const e = body?.response_format?.json_schema?.schema?.properties?.label?.enum;
  return Array.isArray(e) && e.length > 0 ? e.map(String) : null;
}

/** The label the config's rules/replay/fallback give a text. */
export function decideLabel(config, text, labels) {
  const lower = text.toLowerCase();
  for (const r of config.rules ?? []) {
    if (lower.includes(String(r.contains).toLowerCase())) return r.label;
  }
  const replayed = config.replay?.[text];
  if (replayed !== undefined) return replayed;
  return config.fallback ?? labels[0] ?? 'unknown';
}

function err(status, message, type, param, code, headers) {
  return { status, body: { error: { message, type, param, code } }, headers };
}

function unsupported(param, value) {
  return err(
    400,
    `Unsupported parameter: '${param}' is not supported with this model (got ${JSON.stringify(value)}).`,
    'invalid_request_error',
    param,
    'unsupported_parameter',
  );
}

// OpenAI's wording for a reasoning model sent a value other than the default.
function unsupportedValue(param, value) {
  return err(
    400,
    `Unsupported value: '${param}' does not support ${JSON.stringify(value)} with this model. Only the default (1) value is supported.`,
    'invalid_request_error',
    param,
    'unsupported_value',
  );
}

/** A 429 with every wait header OpenAI sends (whether the browser may read them is the server's CORS business). */
function rateLimited(message, seconds, ms) {
  const wait = ms ?? Math.round(seconds * 1000);
  return err(429, message, 'requests', null, 'rate_limit_exceeded', {
    'Retry-After': String(seconds),
    'retry-after-ms': String(wait),
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': `${wait}ms`,
  });
}

/**
 * A sporadic 429 (rate429): this one request is turned down, the limit is not
 * used up, so it says only when to retry — no x-ratelimit-remaining of 0.
 */
function sporadic429(message, seconds) {
  return err(429, message, 'requests', null, 'rate_limit_exceeded', {
    'Retry-After': String(seconds),
    'retry-after-ms': String(Math.round(seconds * 1000)),
  });
}

/** The 429 of the rateLimit mode: the bucket is empty; its headers say when it refills. */
export function limitExceeded(waitMs, headers) {
  return err(429, 'Rate limit reached for requests (mock).', 'requests', null, 'rate_limit_exceeded', {
    ...headers,
    'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))),
    'retry-after-ms': String(Math.max(1, waitMs)),
  });
}

/** Tokens a request counts against a TPM limit, as OpenAI estimates them: the prompt plus the output cap of every answer. */
export function requestTokenEstimate(body) {
  const prompt = tokens((Array.isArray(body?.messages) ? body.messages : []).map((m) => contentText(m?.content)).join(''));
  const cap = Number(body?.max_completion_tokens ?? body?.max_tokens ?? 0) || 0;
  const n = Number.isInteger(body?.n) && body.n > 0 ? body.n : 1;
  return prompt + cap * n;
}

/** The token the logprobs mode puts beside the labels: some probability always goes to no label. */
export const NOT_A_LABEL_TOKEN = 'maybe';

/**
 * The probability the logprobs mode gives each label for `text` when the
 * answer is `chosen`: the chosen label 0.55–0.99, the others share 80 % of
 * the rest, NOT_A_LABEL_TOKEN the last 20 %. Seeded by (seed, text).
 * @returns {{ probs: Record<string, number>, other: number }}
 */
export function mockLabelProbs(config, text, labels, chosen) {
  const main = 0.55 + 0.44 * unit(config.seed, 'logprob', text);
  const others = labels.filter((l) => l !== chosen);
  const weights = others.map((l) => 0.05 + unit(config.seed, 'logprob-other', text, l));
  const total = weights.reduce((a, b) => a + b, 0);
  const rest = 1 - main;
  const probs = { [chosen]: main };
  others.forEach((l, i) => (probs[l] = (rest * (others.length > 0 ? 0.8 : 0) * weights[i]) / total));
  return { probs, other: others.length > 0 ? rest * 0.2 : rest };
}

/** OpenAI's logprobs.content for an answer: one token per piece, the label's position listing every label. */
function logprobsContent(config, text, labels, chosen, pieces, top) {
  const { probs, other } = mockLabelProbs(config, text, labels, chosen);
  const ranked = [...Object.entries(probs), [NOT_A_LABEL_TOKEN, other]].sort((a, b) => b[1] - a[1]);
  return pieces.map((piece) => {
    const isLabel = piece === chosen;
    const alts = isLabel ? ranked.map(([token, p]) => ({ token, logprob: Math.log(p) })) : [{ token: piece, logprob: 0 }];
    return { token: piece, logprob: isLabel ? Math.log(probs[chosen]) : 0, bytes: null, top_logprobs: alts.slice(0, top) };
  });
}

const QUOTA_MESSAGE =
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.';

/** llama.cpp's answers to n > 1 with too few slots: current builds (400) and older ones (500). */
function llamaCppNError(style) {
  return style === 'legacy'
    ? { status: 500, body: { error: { code: 500, message: 'Only one completion choice is allowed', type: 'server_error' } } }
    : {
        status: 400,
        body: {
          error: {
            code: 400,
            message: 'n_cmpl cannot be greater than the number of slots, please increase -np',
            type: 'invalid_request_error',
          },
        },
      };
}

const EFFORT = { minimal: 0.25, low: 0.5, medium: 1, high: 2 };

/**
 * A server that answers in prose whatever was asked (a JSON schema too):
 * `proseReplay[text]` verbatim, else the `prose` template with {label} (the
 * label the rules give) and {other} (another label) filled in; null = no prose.
 */
function proseAnswer(config, text, label, labels) {
  const replayed = config.proseReplay?.[text];
  if (typeof replayed === 'string') return replayed;
  if (typeof config.prose !== 'string') return null;
  const other = labels.find((l) => l !== label) ?? label;
  return config.prose.replaceAll('{label}', label).replaceAll('{other}', other);
}

const tokens = (s) => Math.ceil((s ?? '').length / 4);

/**
 * Answer one chat-completion request.
 * @param {MockConfig} config
 * @param {any} body the parsed request body
 * @param {MockFault | undefined} fault the fault consumed by this request, if any
 * @param {number} count 1-based count of chat requests since the last reset
 * @returns {MockAnswer}
 */
export function answerChat(config, body, fault, count) {
  if (fault?.kind === '429') return rateLimited('Rate limit reached (mock).', fault.retryAfter ?? 1, fault.retryAfterMs);
  if (fault?.kind === 'quota' || config.quota) return err(429, QUOTA_MESSAGE, 'insufficient_quota', null, 'insufficient_quota');
  if (fault?.kind === '500') return err(500, 'The server had an error (mock).', 'server_error', null, null);
  if (config.rate429 > 0 && unit(config.seed, 'rate429', count) < config.rate429) {
    return sporadic429('Rate limit reached (mock, random).', 1);
  }
  const reasoning = config.reasoning === true;
  if (reasoning) {
    // As OpenAI's reasoning models: only the default temperature and one choice, no max_tokens, no logprobs.
    if (body.temperature !== undefined && body.temperature !== 1) return unsupportedValue('temperature', body.temperature);
    if (body.max_tokens !== undefined) {
      return err(
        400,
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        'invalid_request_error',
        'max_tokens',
        'unsupported_parameter',
      );
    }
    if (body.n !== undefined && body.n !== 1) return unsupportedValue('n', body.n);
    if (body.logprobs) return unsupported('logprobs', body.logprobs);
  }
  if (config.slots !== null && config.slots !== undefined && Number(body.n ?? 1) > config.slots) return llamaCppNError(config.nError);
  const off = new Set(config.unsupported ?? []);
  if (off.has('n') && body.n !== undefined && body.n !== 1) return unsupported('n', body.n);
  if (off.has('temperature') && body.temperature !== undefined && body.temperature !== 1) {
    return unsupported('temperature', body.temperature);
  }
  if (off.has('response_format') && body.response_format !== undefined) {
    return unsupported('response_format', body.response_format?.type);
  }
  if (off.has('max_tokens') && body.max_tokens !== undefined) return unsupported('max_tokens', body.max_tokens);
  if (off.has('reasoning_effort') && body.reasoning_effort !== undefined) return unsupported('reasoning_effort', body.reasoning_effort);
  if (off.has('logprobs') && body.logprobs) return unsupported('logprobs', body.logprobs);

  const structured = body.response_format?.type === 'json_schema';
  const labels = schemaLabels(body) ?? config.labels ?? [];
  const text = extractText(body.messages);
  const base = decideLabel(config, text, labels);
  const n = Number.isInteger(body.n) && body.n > 0 ? body.n : 1;
  const format = (label) =>
    structured ? JSON.stringify({ label }) : config.plainStyle === 'sentence' ? `The answer is: ${label}.` : label;
  // The same answer as tokens, for the logprobs mode.
  const piecesOf = (label) =>
    structured
      ? ['{"', 'label', '":"', label, '"}']
      : config.plainStyle === 'sentence'
        ? ['The', ' answer', ' is', ': ', label, '.']
        : [label];

  // The cap covers hidden reasoning too: a reasoning model spends its
  // reasoning first, so a small cap leaves an empty answer cut at 'length'.
  const cap = Number(body.max_completion_tokens ?? body.max_tokens ?? Infinity);
  const think = reasoning ? Math.round((Number(config.reasoningTokens) || 0) * (EFFORT[body.reasoning_effort] ?? 1)) : 0;
  let completionTokens = 0;
  let reasoningTokens = 0;
  const choices = [];
  for (let i = 0; i < n; i++) {
    let label = base;
    const others = labels.filter((l) => l !== base);
    if (config.flip > 0 && others.length > 0 && unit(config.seed, text, i, count) < config.flip) {
      label = others[Math.floor(unit(config.seed, 'other', text, i, count) * others.length)];
    }
    let content = proseAnswer(config, text, label, labels) ?? format(label);
    let refusal = null;
    if (fault?.kind === 'malformed') content = structured ? '{"label": ' : 'Hmm, hard to say.';
    if (fault?.kind === 'offset') content = format(fault.label ?? 'banana');
    if (fault?.kind === 'refusal') {
      content = null;
      refusal = "I'm sorry, but I can't help with that request.";
    }
    let finish = 'stop';
    if (fault?.kind === 'length') {
      content = '';
      finish = 'length';
    }
    const spent = Math.min(think, cap);
    const room = cap - spent;
    const said = tokens(content ?? refusal);
    if (content !== null && said > room) {
      content = content.slice(0, Math.max(0, room) * 4);
      finish = 'length';
    }
    reasoningTokens += spent;
    completionTokens += spent + Math.min(said, Math.max(0, room));
    // Without the logprobs mode the mock accepts the parameter but gives no tokens, as some servers do.
    const real = config.logprobs && body.logprobs && content === format(label) && labels.includes(label);
    const top = Number.isInteger(body.top_logprobs) ? body.top_logprobs : 0;
    const logprobs = body.logprobs ? { content: real ? logprobsContent(config, text, labels, label, piecesOf(label), top) : [] } : null;
    choices.push({ index: i, message: { role: 'assistant', content, refusal }, logprobs, finish_reason: finish });
  }

  const promptChars = (Array.isArray(body.messages) ? body.messages : []).map((m) => contentText(m?.content)).join('');
  const prompt_tokens = tokens(promptChars);
  const completion_tokens = completionTokens;
  return {
    status: 200,
    headers: { 'x-request-id': `req_mock_${count}` },
    body: {
      id: `chatcmpl-mock-${count}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? config.models[0],
      choices,
      usage: {
        prompt_tokens,
        completion_tokens,
        total_tokens: prompt_tokens + completion_tokens,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: reasoningTokens },
      },
    },
  };
}
