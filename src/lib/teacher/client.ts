// The only importer of `openai`. Wraps the SDK for the browser: our own queue
// does the retries, errors come back as TeacherRequestError, and connection
// problems are explained in words a researcher can act on.

import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { rateLimitInfo, retryDelayFromHeaders } from './backoff';
import { wireTokens } from './logprobs';
import { normaliseEndpoint } from './cache-key';
import { chatBody } from './body';
import { isQuotaError, probeProfile, quotaMessage, type ProbeResult } from './profile';
import { knownCapabilities, rememberCapabilities } from './known-profiles';
import { TeacherRequestError, type Capabilities, type CompletionRequest, type CompletionResult, type TeacherSettings } from './types';

export type TeacherClient = OpenAI;

/** A client for one endpoint. An empty key becomes a placeholder: local servers need none. */
export function createClient(settings: Pick<TeacherSettings, 'baseURL' | 'apiKey' | 'timeoutMs'>): TeacherClient {
  return new OpenAI({
    baseURL: settings.baseURL.trim(),
    apiKey: settings.apiKey.trim() || 'not-needed',
    dangerouslyAllowBrowser: true, // the key is the user's own, typed into their own browser
    maxRetries: 0, // queue.ts retries, honouring Retry-After
    timeout: settings.timeoutMs,
  });
}

/** Convert anything the SDK throws into a TeacherRequestError. */
export function toRequestError(err: unknown, signal?: AbortSignal): TeacherRequestError {
  if (err instanceof TeacherRequestError) return err;
  if (err instanceof APIUserAbortError || signal?.aborted) return new TeacherRequestError('The request was cancelled.', 'aborted');
  if (err instanceof APIConnectionTimeoutError) return new TeacherRequestError('The request timed out.', 'timeout');
  if (err instanceof APIConnectionError) {
    const cause = (err as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? ` (${cause.message})` : '';
    return new TeacherRequestError(`Could not reach the server${detail}.`, 'network');
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    // Only headers the server exposes through CORS are visible here; many hide them.
    const get = (h: string) => err.headers?.get(h);
    const wait = err.headers ? retryDelayFromHeaders(get) : null;
    const code = err.code ?? err.type ?? null;
    const limits = err.headers ? rateLimitInfo(get) : null;
    return new TeacherRequestError(err.message, 'http', err.status, err.param ?? null, wait, code === null ? null : String(code), limits);
  }
  if (err instanceof TypeError) return new TeacherRequestError(`Could not reach the server (${err.message}).`, 'network');
  return new TeacherRequestError(err instanceof Error ? err.message : String(err), 'network');
}

interface WireChoice {
  index: number;
  finish_reason?: string | null;
  logprobs?: unknown;
  message: { content?: string | null; refusal?: string | null; reasoning_content?: unknown; reasoning?: unknown };
}

/**
 * One chat completion, exactly as `req` says (cap name, n, temperature,
 * reasoning_effort, schema): adapting to what the server rejects is the
 * caller's job (queue.ts, probeProfile), per request. Rejects with TeacherRequestError.
 */
export async function complete(client: TeacherClient, req: CompletionRequest & { signal?: AbortSignal }): Promise<CompletionResult> {
  const { signal, ...request } = req;
  try {
    // withResponse: the headers too, so the run can pace to x-ratelimit-* before any 429.
    const { data: res, response } = await client.chat.completions.create(chatBody(request), { signal }).withResponse();
    const choices = ([...res.choices] as unknown as WireChoice[])
      .sort((a, b) => a.index - b.index)
      .map((c) => {
        // llama.cpp and vLLM return thinking as reasoning_content, Ollama as reasoning.
        const thought = c.message.reasoning_content ?? c.message.reasoning;
        return {
          content: c.message.content ?? null,
          refusal: c.message.refusal ?? null,
          finishReason: c.finish_reason ?? null,
          ...(typeof thought === 'string' && thought.trim() !== '' ? { reasoningText: true } : {}),
          ...tokensOf(c.logprobs),
        };
      });
    const u = res.usage;
    return {
      choices,
      limits: rateLimitInfo((h) => response.headers.get(h)),
      usage: {
        prompt: u?.prompt_tokens ?? 0,
        completion: u?.completion_tokens ?? 0,
        ...(u?.completion_tokens_details?.reasoning_tokens ? { reasoning: u.completion_tokens_details.reasoning_tokens } : {}),
        ...(u?.prompt_tokens_details?.cached_tokens ? { cachedPrompt: u.prompt_tokens_details.cached_tokens } : {}),
      },
    };
  } catch (e) {
    throw toRequestError(e, signal);
  }
}

/** A choice's token logprobs, when it carries some: `{}` otherwise (an empty `content` is no support). */
function tokensOf(raw: unknown): { logprobs?: true; tokenLogprobs?: ReturnType<typeof wireTokens> & object } {
  const tokens = wireTokens(raw);
  return tokens ? { logprobs: true, tokenLogprobs: tokens } : {};
}

/** `send` for runTeacher: complete() bound to a client. */
export function sendWith(client: TeacherClient) {
  return (req: CompletionRequest, signal: AbortSignal) => complete(client, { ...req, signal });
}

function pageOrigin(): string {
  const loc = (globalThis as { location?: { origin?: string } }).location;
  return loc?.origin && loc.origin !== 'null' ? loc.origin : 'this page’s address';
}

/** A plain-words explanation of a failed connection test. */
export function explainFailure(err: TeacherRequestError, baseURL: string): string {
  const url = normaliseEndpoint(baseURL);
  if (err.kind === 'network') {
    return (
      `The browser could not reach ${url}. Check the address and that the server is running. ` +
      `If this is a local server, it must allow requests from ${pageOrigin()} (CORS): for Ollama start it with ` +
      `OLLAMA_ORIGINS=${pageOrigin()}; for LM Studio turn on "Enable CORS".`
    );
  }
  if (err.kind === 'timeout') return `${url} did not answer in time. The server may be overloaded or the address wrong.`;
  if (err.kind === 'aborted') return 'The test was cancelled.';
  if (err.status === 401 || err.status === 403) {
    return `The server refused the API key (${err.status}). Check that the key is correct and allowed to use this model.`;
  }
  if (err.status === 404) {
    return `Nothing answered at ${url}/models (404). The base URL is probably wrong: it usually ends in /v1, e.g. https://api.openai.com/v1 or http://localhost:11434/v1.`;
  }
  if (isQuotaError(err)) return quotaMessage(err).replace('The run stopped: the', 'The');
  if (err.status === 429) {
    return 'The server says too many requests (429). Wait a minute, or lower “Requests at once”.';
  }
  return `The server answered with an error (${err.status}): ${err.message}`;
}

/** List the endpoint's models, or say in plain words why that failed. */
export async function testConnection(
  settings: Pick<TeacherSettings, 'baseURL' | 'apiKey' | 'timeoutMs'>,
): Promise<{ ok: true; models: string[] } | { ok: false; message: string }> {
  let client: TeacherClient;
  try {
    client = createClient(settings);
  } catch (e) {
    return { ok: false, message: `The settings are not usable: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    const page = await client.models.list();
    return { ok: true, models: page.data.map((m) => m.id) };
  } catch (e) {
    return { ok: false, message: explainFailure(toRequestError(e), settings.baseURL) };
  }
}

// The profiles live in known-profiles.ts (no SDK import); re-exported for callers of this module.
export { forgetCapabilities, knownCapabilities, rememberCapabilities } from './known-profiles';

export type ProbeOutcome =
  | { ok: true; capabilities: Capabilities; requests: number }
  | { ok: false; kind: Exclude<ProbeResult, { ok: true }>['kind']; message: string; requests: number };

/**
 * The model profile of (endpoint, model): remembered, or probed with one
 * cheap request (see probeProfile) and then remembered until
 * forgetCapabilities(); `force` probes again. A failure says in plain words
 * why, and its kind: 'quota' and 'auth' mean a run cannot work at all,
 * 'transient' (429, 5xx, timeout) that the names' guess has to do for now.
 */
export async function probeCapabilities(
  client: TeacherClient,
  settings: Pick<TeacherSettings, 'baseURL' | 'model' | 'maxTokens' | 'reasoningMaxTokens' | 'reasoningEffort'>,
  opts: { force?: boolean; signal?: AbortSignal } = {},
): Promise<ProbeOutcome> {
  const known = opts.force ? undefined : knownCapabilities(settings.baseURL, settings.model);
  if (known?.probed) return { ok: true, capabilities: known, requests: 0 };
  const res = await probeProfile((req, signal) => complete(client, { ...req, signal }), settings, { signal: opts.signal });
  if (!res.ok) {
    const message =
      res.kind === 'quota'
        ? quotaMessage(res.error)
        : res.error.status === 404
          ? `The server does not know model “${settings.model}” at ${normaliseEndpoint(settings.baseURL)} (404): ${res.error.message}. Check the model name in Settings.`
          : explainFailure(res.error, settings.baseURL);
    return { ok: false, kind: res.kind, message, requests: res.requests };
  }
  rememberCapabilities(settings.baseURL, settings.model, res.profile);
  return { ok: true, capabilities: res.profile, requests: res.requests };
}
