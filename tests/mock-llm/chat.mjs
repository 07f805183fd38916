// The mock's chat-completion logic: a pure function from (config, request,
// fault, request count) to an HTTP answer, kept apart from the HTTP plumbing.

/**
 * @typedef {{ kind: '429' | '500' | 'hang' | 'malformed' | 'refusal' | 'offset', times?: number,
 *   retryAfter?: number, ms?: number, label?: string }} MockFault
 * @typedef {{
 *   models: string[], labels: string[],
 *   rules: { contains: string, label: string }[], replay: Record<string, string>,
 *   fallback: string | null, plainStyle: 'bare' | 'sentence', flip: number, seed: number,
 *   unsupported: ('n' | 'temperature' | 'response_format' | 'max_tokens')[], faults: MockFault[],
 *   rate429: number, latencyMs: number, apiKey: string | null }} MockConfig
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
  if (fault?.kind === '429') {
    const after = String(fault.retryAfter ?? 1);
    return err(429, 'Rate limit reached (mock).', 'requests', null, 'rate_limit_exceeded', { 'Retry-After': after });
  }
  if (fault?.kind === '500') return err(500, 'The server had an error (mock).', 'server_error', null, null);
  if (config.rate429 > 0 && unit(config.seed, 'rate429', count) < config.rate429) {
    return err(429, 'Rate limit reached (mock, random).', 'requests', null, 'rate_limit_exceeded', { 'Retry-After': '1' });
  }
  const off = new Set(config.unsupported ?? []);
  if (off.has('n') && body.n !== undefined && body.n !== 1) return unsupported('n', body.n);
  if (off.has('temperature') && body.temperature !== undefined && body.temperature !== 1) {
    return unsupported('temperature', body.temperature);
  }
  if (off.has('response_format') && body.response_format !== undefined) {
    return unsupported('response_format', body.response_format?.type);
  }
  if (off.has('max_tokens') && body.max_tokens !== undefined) return unsupported('max_tokens', body.max_tokens);

  const structured = body.response_format?.type === 'json_schema';
  const labels = schemaLabels(body) ?? config.labels ?? [];
  const text = extractText(body.messages);
  const base = decideLabel(config, text, labels);
  const n = Number.isInteger(body.n) && body.n > 0 ? body.n : 1;
  const format = (label) =>
    structured ? JSON.stringify({ label }) : config.plainStyle === 'sentence' ? `The answer is: ${label}.` : label;

  const choices = [];
  for (let i = 0; i < n; i++) {
    let label = base;
    const others = labels.filter((l) => l !== base);
    if (config.flip > 0 && others.length > 0 && unit(config.seed, text, i, count) < config.flip) {
      label = others[Math.floor(unit(config.seed, 'other', text, i, count) * others.length)];
    }
    let content = format(label);
    let refusal = null;
    if (fault?.kind === 'malformed') content = structured ? '{"label": ' : 'Hmm, hard to say.';
    if (fault?.kind === 'offset') content = format(fault.label ?? 'banana');
    if (fault?.kind === 'refusal') {
      content = null;
      refusal = "I'm sorry, but I can't help with that request.";
    }
    choices.push({ index: i, message: { role: 'assistant', content, refusal }, logprobs: null, finish_reason: 'stop' });
  }

  const promptChars = (Array.isArray(body.messages) ? body.messages : []).map((m) => contentText(m?.content)).join('');
  const prompt_tokens = tokens(promptChars);
  const completion_tokens = choices.reduce((s, c) => s + tokens(c.message.content ?? c.message.refusal), 0);
  return {
    status: 200,
    headers: { 'x-request-id': `req_mock_${count}` },
    body: {
      id: `chatcmpl-mock-${count}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? config.models[0],
      choices,
      usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens },
    },
  };
}
