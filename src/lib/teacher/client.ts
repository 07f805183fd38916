// The only importer of `openai`. Wraps the SDK for the browser: our own queue
// does the retries, errors come back as TeacherRequestError, and connection
// problems are explained in words a researcher can act on.

import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { normaliseEndpoint } from './cache-key';
import { chatBody } from './body';
import { rejectedParam, withoutParam } from './capabilities';
import { userMessage } from './prompt';
import {
  DEFAULT_CAPABILITIES,
  TeacherRequestError,
  type Capabilities,
  type CompletionRequest,
  type CompletionResult,
  type TeacherSettings,
} from './types';

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
    return new TeacherRequestError(err.message, 'http', err.status, err.param ?? null, err.headers?.get('retry-after') ?? null);
  }
  if (err instanceof TypeError) return new TeacherRequestError(`Could not reach the server (${err.message}).`, 'network');
  return new TeacherRequestError(err instanceof Error ? err.message : String(err), 'network');
}

// Newer OpenAI models reject `max_tokens` and want `max_completion_tokens`;
// many local servers only know `max_tokens`. Remember per (endpoint, model).
const wantsCompletionTokens = new Set<string>();
const capsMemo = new Map<string, Capabilities>();
const memoKey = (c: TeacherClient, model: string) => `${normaliseEndpoint(c.baseURL)}|${model}`;

/**
 * One chat completion. `structured` sends the fixed JSON schema with the
 * label enum; `n` asks for several choices. Rejects with TeacherRequestError.
 */
export async function complete(
  client: TeacherClient,
  req: CompletionRequest & { signal?: AbortSignal },
): Promise<CompletionResult> {
  const mk = memoKey(client, req.model);
  const body = chatBody(req, wantsCompletionTokens.has(mk) ? 'max_completion_tokens' : 'max_tokens');
  try {
    const res = await client.chat.completions.create(body, { signal: req.signal });
    const choices = [...res.choices]
      .sort((a, b) => a.index - b.index)
      .map((c) => ({ content: c.message.content ?? null, refusal: c.message.refusal ?? null }));
    return { choices, usage: { prompt: res.usage?.prompt_tokens ?? 0, completion: res.usage?.completion_tokens ?? 0 } };
  } catch (e) {
    const err = toRequestError(e, req.signal);
    if (err.status === 400 && err.param === 'max_tokens' && !wantsCompletionTokens.has(mk)) {
      wantsCompletionTokens.add(mk);
      return complete(client, req);
    }
    throw err;
  }
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
  if (err.status === 429) {
    return 'The server says too many requests, or the account’s quota is used up (429). Check your plan and billing, or wait a minute.';
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

/** What this session learned about (endpoint, model), if anything. */
export function knownCapabilities(baseURL: string, model: string): Capabilities | undefined {
  const c = capsMemo.get(`${normaliseEndpoint(baseURL)}|${model}`);
  return c ? { ...c } : undefined;
}

export function rememberCapabilities(baseURL: string, model: string, caps: Capabilities): void {
  capsMemo.set(`${normaliseEndpoint(baseURL)}|${model}`, { ...caps });
}

/** Forget everything learned (settings changed, or tests). */
export function forgetCapabilities(): void {
  capsMemo.clear();
  wantsCompletionTokens.clear();
}

/**
 * Find out, with one tiny request (plus one per rejected parameter), whether
 * the endpoint accepts `n`, a temperature and JSON-schema output. A 400
 * naming one of them drops it and tries again; a server that silently
 * ignores `n` (returns one choice) counts as not supporting it. The answer is
 * remembered per (endpoint, model) until forgetCapabilities(); `force` probes again.
 * logprobs is not probed (nothing uses it yet) and reported false.
 */
export async function probeCapabilities(
  client: TeacherClient,
  settings: Pick<TeacherSettings, 'baseURL' | 'model' | 'maxTokens'>,
  opts: { force?: boolean; signal?: AbortSignal } = {},
): Promise<{ ok: true; capabilities: Capabilities } | { ok: false; message: string }> {
  const known = opts.force ? undefined : knownCapabilities(settings.baseURL, settings.model);
  if (known) return { ok: true, capabilities: known };
  let caps: Capabilities = { ...DEFAULT_CAPABILITIES, logprobs: false };
  for (let tries = 0; tries < 4; tries++) {
    const req: CompletionRequest = {
      model: settings.model,
      messages: [
        { role: 'system', content: 'Answer with exactly one label: yes or no.' },
        { role: 'user', content: userMessage('Is this a test?') },
      ],
      ...(caps.temperature ? { temperature: 0.7 } : {}),
      ...(caps.n ? { n: 2 } : {}),
      maxTokens: settings.maxTokens,
      structured: caps.structured,
      labels: ['yes', 'no'],
    };
    try {
      const res = await complete(client, { ...req, signal: opts.signal });
      if (caps.n && res.choices.length < 2) caps = { ...caps, n: false };
      rememberCapabilities(settings.baseURL, settings.model, caps);
      return { ok: true, capabilities: caps };
    } catch (e) {
      const err = toRequestError(e, opts.signal);
      const param = rejectedParam(err, req);
      if (!param) return { ok: false, message: explainFailure(err, settings.baseURL) };
      caps = withoutParam(caps, param);
    }
  }
  return { ok: false, message: 'The server rejected every request format we tried.' };
}
