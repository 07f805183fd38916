// The model profile: what one (endpoint, model) accepts, guessed from its
// name, confirmed by one cheap probe request, and corrected whenever a 400
// names a parameter. Many OpenAI-compatible servers (and some OpenAI models)
// reject `n`, a non-default temperature, `response_format`, `max_tokens` or
// `reasoning_effort`; we drop what was rejected and ask again instead of
// failing the run. Pure: the network is passed in.

import { isRetryable } from './backoff';
import { normaliseEndpoint } from './cache-key';
import { topLogprobsFor } from './logprobs';
import { userMessage } from './prompt';
import {
  DEFAULT_CAPABILITIES,
  TeacherRequestError,
  type CompletionRequest,
  type CompletionResult,
  type ModelProfile,
  type TeacherSettings,
} from './types';

export type AdaptableParam =
  'n' | 'temperature' | 'response_format' | 'max_tokens' | 'max_completion_tokens' | 'reasoning_effort' | 'logprobs' | 'top_logprobs';

const PARAMS: AdaptableParam[] = [
  'n',
  'temperature',
  'response_format',
  'max_tokens',
  'max_completion_tokens',
  'reasoning_effort',
  'logprobs',
  'top_logprobs',
];

function sentParams(req: CompletionRequest): Record<AdaptableParam, boolean> {
  const cap = req.maxTokensParam ?? 'max_tokens';
  return {
    n: (req.n ?? 1) > 1,
    temperature: req.temperature !== undefined,
    response_format: req.structured,
    max_tokens: cap === 'max_tokens',
    max_completion_tokens: cap === 'max_completion_tokens',
    reasoning_effort: req.reasoningEffort !== undefined,
    logprobs: req.logprobs === true,
    top_logprobs: req.logprobs === true && (req.topLogprobs ?? 0) > 0,
  };
}

// llama.cpp's errors for n > 1 never name the parameter: "n_cmpl cannot be
// greater than the number of slots, please increase -np" (current) and
// "Only one completion choice is allowed" (older builds).
const N_MESSAGES = /n_cmpl|number of slots|completion choice|only one choice|\bn must be\b/i;

/** Which parameter of `req` a 400/422 rejected, if it is one we can drop; else null. */
export function rejectedParam(err: unknown, req: CompletionRequest): AdaptableParam | null {
  if (!(err instanceof TeacherRequestError) || err.kind !== 'http' || (err.status !== 400 && err.status !== 422)) {
    return null;
  }
  if (isQuotaError(err)) return null;
  const sent = sentParams(req);
  const named = err.param && (PARAMS as string[]).includes(err.param) ? (err.param as AdaptableParam) : null;
  if (named) return sent[named] ? named : null;
  // Servers that give no `param` usually quote the name in the message.
  const msg = err.message.toLowerCase();
  for (const p of PARAMS) {
    const quoted = [`'${p}'`, `"${p}"`, `\`${p}\``].some((q) => msg.includes(q));
    const bare = p !== 'n' && msg.includes(p);
    if (sent[p] && (quoted || bare)) return p;
  }
  if (sent.n && N_MESSAGES.test(err.message)) return 'n';
  return null;
}

// Statuses that say nothing about the request's parameters.
const NOT_ABOUT_PARAMS = new Set([401, 403, 404, 408, 409, 429]);

/**
 * Whether a failed request that asked for n > 1 should be asked again without
 * `n`: any HTTP error that could be about the request (400, 422, 5xx — local
 * servers answer an unsupported `n` in many ways), not auth, not-found, rate
 * limits, quota or network trouble.
 */
export function nDroppable(err: unknown, req: CompletionRequest): boolean {
  if ((req.n ?? 1) <= 1 || !(err instanceof TeacherRequestError) || err.kind !== 'http') return false;
  if (err.status === undefined || NOT_ABOUT_PARAMS.has(err.status)) return false;
  return !isQuotaError(err);
}

/** The profile after the endpoint rejected `param`. */
export function withoutParam(profile: ModelProfile, param: AdaptableParam): ModelProfile {
  switch (param) {
    case 'n':
      return { ...profile, n: false };
    case 'temperature':
      return { ...profile, temperature: false };
    case 'response_format':
      return { ...profile, structured: false };
    case 'max_tokens':
      return { ...profile, maxTokensParam: 'max_completion_tokens' };
    case 'max_completion_tokens':
      return { ...profile, maxTokensParam: 'max_tokens' };
    case 'reasoning_effort':
      return { ...profile, reasoningEffort: false };
    case 'logprobs':
    case 'top_logprobs':
      // Label probabilities need both; without them the run falls back to repeats.
      return { ...profile, logprobs: false };
  }
}

const QUOTA_CODES = new Set(['insufficient_quota', 'billing_hard_limit_reached', 'billing_not_active', 'quota_exceeded']);
const QUOTA_TEXT = /exceeded your current quota|insufficient[_ ]quota|billing hard limit|check your plan and billing/i;

/**
 * An account out of credit or over its billing limit. Retrying cannot help
 * (OpenAI sends these as 429, like a rate limit), so the run stops at once.
 */
export function isQuotaError(err: unknown): boolean {
  if (!(err instanceof TeacherRequestError) || err.kind !== 'http') return false;
  if (err.code && QUOTA_CODES.has(String(err.code))) return true;
  return (err.status === 429 || err.status === 400 || err.status === 403) && QUOTA_TEXT.test(err.message);
}

/** The plain-words message a quota error stops the run with. */
export function quotaMessage(err: TeacherRequestError): string {
  const said = err.message.replace(/^\d{3}\s+/, '');
  return (
    'The run stopped: the account behind this API key has no quota left or reached its billing limit ' +
    `(the server said: “${said}”). Add credit or raise the limit in the provider’s billing settings ` +
    '(platform.openai.com → Billing for OpenAI), then start again. Nothing was retried; every answer received so far is stored.'
  );
}

/** The model name without a provider prefix ("openai/…") or an Ollama tag (":8b"). */
function bareName(model: string): string {
  const last = model.trim().toLowerCase().split('/').at(-1) ?? '';
  return last.replace(/:[^:]*$/, '');
}

const OPENAI_REASONING = /^(o\d+|gpt-(5|[6-9]))([-.]|$)/;
const LOCAL_THINKING = /deepseek-r1|r1-distill|qwq|qwen3|gpt-oss|magistral|reasoning|thinking|exaone-deep/;

export function isOpenAIEndpoint(baseURL: string): boolean {
  try {
    return new URL(baseURL.trim()).hostname.toLowerCase() === 'api.openai.com';
  } catch {
    return false;
  }
}

/**
 * A profile from the names alone, used until a probe answers (and by a Batch
 * export that cannot probe). OpenAI reasoning models are guessed
 * conservatively — no temperature, no `n`, no logprobs — because a Batch line
 * that sends them fails only hours later; local thinking models only get the
 * reasoning cap (their servers take a temperature).
 */
export function guessProfile(baseURL: string, model: string): ModelProfile {
  const name = bareName(model);
  const base: ModelProfile = {
    ...DEFAULT_CAPABILITIES,
    // Every current OpenAI chat model takes max_completion_tokens; local servers often only max_tokens.
    maxTokensParam: isOpenAIEndpoint(baseURL) ? 'max_completion_tokens' : 'max_tokens',
  };
  if (OPENAI_REASONING.test(name) && !name.includes('chat')) {
    return { ...base, reasoning: true, reasoningEffort: true, temperature: false, n: false, logprobs: false };
  }
  return LOCAL_THINKING.test(name) ? { ...base, reasoning: true } : base;
}

/** A stored profile, checked field by field (older rows lack the newer fields). */
export function asProfile(raw: unknown): ModelProfile | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const bool = (k: keyof ModelProfile) => (typeof r[k] === 'boolean' ? (r[k] as boolean) : (DEFAULT_CAPABILITIES[k] as boolean));
  return {
    n: bool('n'),
    temperature: bool('temperature'),
    structured: bool('structured'),
    logprobs: bool('logprobs'),
    reasoning: bool('reasoning'),
    reasoningEffort: bool('reasoningEffort'),
    maxTokensParam: r.maxTokensParam === 'max_completion_tokens' ? 'max_completion_tokens' : 'max_tokens',
    probed: bool('probed'),
  };
}

/** The memo/store key of a profile: normalised endpoint and model. */
export function profileKey(baseURL: string, model: string): string {
  return `${normaliseEndpoint(baseURL)}|${model.trim()}`;
}

/** The token cap of a request under this profile: reasoning models get the (larger) reasoning cap. */
export function capOf(s: Pick<TeacherSettings, 'maxTokens' | 'reasoningMaxTokens'>, profile: Pick<ModelProfile, 'reasoning'>): number {
  return profile.reasoning ? Math.max(s.maxTokens, s.reasoningMaxTokens) : s.maxTokens;
}

/** The system message of a probe request, so logs and tests can tell probes from labelling. */
export const PROBE_SYSTEM = 'Capability check. Answer with exactly one label: yes or no.';

export type ProbeResult =
  | { ok: true; profile: ModelProfile; requests: number }
  | { ok: false; kind: 'quota' | 'auth' | 'transient' | 'rejected'; error: TeacherRequestError; requests: number };

type ProbeSettings = Pick<TeacherSettings, 'baseURL' | 'model' | 'maxTokens' | 'reasoningMaxTokens' | 'reasoningEffort'>;

function probeRequest(p: ModelProfile, s: ProbeSettings): CompletionRequest {
  return {
    model: s.model,
    messages: [
      { role: 'system', content: PROBE_SYSTEM },
      { role: 'user', content: userMessage('Is this a test?') },
    ],
    ...(p.temperature ? { temperature: 0 } : {}),
    ...(p.n ? { n: 2 } : {}),
    // A small cap for ordinary models; reasoning ones need room to reason before answering.
    maxTokens: p.reasoning ? capOf(s, p) : Math.max(16, s.maxTokens),
    maxTokensParam: p.maxTokensParam,
    ...(p.reasoning && p.reasoningEffort ? { reasoningEffort: s.reasoningEffort } : {}),
    ...(p.logprobs ? { logprobs: true, topLogprobs: topLogprobsFor(['yes', 'no']) } : {}),
    structured: p.structured,
    labels: ['yes', 'no'],
  };
}

function asRequestError(e: unknown): TeacherRequestError {
  if (e instanceof TeacherRequestError) return e;
  return new TeacherRequestError(e instanceof Error ? e.message : String(e), 'network');
}

/**
 * Learn the profile with one tiny request, plus one per rejected parameter
 * (rejected requests are not billed), plus one when the answer reveals a
 * reasoning model the name did not (to try reasoning_effort). It asks for
 * n = 2, temperature 0, a JSON schema and logprobs; a server that silently
 * ignores `n` (one choice back) counts as not supporting it. Reasoning shows
 * as usage reasoning tokens, reasoning text beside the answer, or an empty
 * answer cut at the cap. Quota and auth errors come back as such, so a run
 * can stop before it starts.
 */
export async function probeProfile(
  send: (req: CompletionRequest, signal?: AbortSignal) => Promise<CompletionResult>,
  s: ProbeSettings,
  opts: { signal?: AbortSignal } = {},
): Promise<ProbeResult> {
  // Everything is tried, whatever the name suggests: a rejected parameter costs one unbilled 400.
  let p: ModelProfile = { ...guessProfile(s.baseURL, s.model), n: true, temperature: true, structured: true, logprobs: true };
  let requests = 0;
  let last: TeacherRequestError | null = null;
  for (let tries = 0; tries < 9; tries++) {
    const req = probeRequest(p, s);
    requests += 1;
    let res: CompletionResult;
    try {
      res = await send(req, opts.signal);
    } catch (e) {
      const err = (last = asRequestError(e));
      if (isQuotaError(err)) return { ok: false, kind: 'quota', error: err, requests };
      if (err.status === 401 || err.status === 403) return { ok: false, kind: 'auth', error: err, requests };
      const param = rejectedParam(err, req) ?? (nDroppable(err, req) ? 'n' : null);
      if (param) {
        p = withoutParam(p, param);
        continue;
      }
      return { ok: false, kind: isRetryable(err) ? 'transient' : 'rejected', error: err, requests };
    }
    const empty = (c: CompletionResult['choices'][number]) => (c.content ?? '').trim() === '' && !c.refusal;
    const signals =
      (res.usage.reasoning ?? 0) > 0 ||
      res.choices.some((c) => c.reasoningText) ||
      (res.choices.length > 0 && res.choices.every((c) => empty(c) && c.finishReason === 'length'));
    if (signals && !p.reasoning) {
      // Found out only now: ask once more with reasoning_effort and the reasoning cap.
      p = { ...p, reasoning: true, reasoningEffort: true };
      continue;
    }
    return {
      ok: true,
      requests,
      profile: {
        ...p,
        n: p.n && res.choices.length >= 2,
        logprobs: p.logprobs && res.choices.some((c) => c.logprobs),
        reasoningEffort: p.reasoning && p.reasoningEffort,
        probed: true,
      },
    };
  }
  return {
    ok: false,
    kind: 'rejected',
    error: last ?? new TeacherRequestError('The server rejected every request format we tried.', 'http', 400),
    requests,
  };
}
