// Shapes of the teacher stage: endpoint settings, stored answers, aggregated
// labels and what an endpoint can do. Pure types plus defaults; no imports of
// the openai package here (only client.ts may import it).

import type { RateLimitInfo } from './backoff';
import type { CacheKeyParts } from './cache-key';
import type { Aggregate } from './consistency';

/** How the app talks to an OpenAI-compatible endpoint. */
export interface TeacherSettings {
  /** e.g. https://api.openai.com/v1 or http://localhost:11434/v1 */
  baseURL: string;
  model: string;
  /** May be empty for local servers; never stored in responses or logs. */
  apiKey: string;
  /** Temperature of repeat 0 (the "main" answer). */
  temperature: number;
  /** Temperature of repeats 1..N-1, used to measure consistency. */
  repeatTemperature: number;
  /** Output token cap per answer for ordinary models (max_tokens / max_completion_tokens). */
  maxTokens: number;
  /**
   * Cap for reasoning models: their hidden reasoning counts against it, so a
   * cap sized for `{"label":"x"}` leaves them no room to answer at all.
   */
  reasoningMaxTokens: number;
  /** reasoning_effort sent to reasoning models that accept it; low keeps labelling cheap. */
  reasoningEffort: ReasoningEffort;
  /** Answers per text; consistency needs at least 2. */
  repeats: number;
  /** Requests in flight at once: the most; the run halves it on a 429 and grows it back. */
  concurrency: number;
  /** Requests per minute to stay under, for servers that send no rate-limit headers; null/absent = none. */
  rpm?: number | null;
  /** Tokens per minute (estimated with gpt-tokenizer) to stay under; null/absent = none. */
  tpm?: number | null;
  /** Ask for label probabilities (logprobs) on the first answer when the model profile says the server gives them. */
  logprobs?: 'auto' | 'off';
  /** Per-request timeout. */
  timeoutMs: number;
  /** Retries per request after the first try (429, 5xx, timeouts, network). */
  maxRetries: number;
  /** JSON-schema structured output: 'auto' uses it when the endpoint accepts it. */
  structured: 'auto' | 'on' | 'off';
  /** Ask for the repeats in one request with `n`: 'auto' when the endpoint accepts it. */
  batchRepeats: 'auto' | 'on' | 'off';
  /** Stop (pause in state 'budget') once this run's tokens or cost reach a cap. */
  budget: { maxTokens?: number; maxCost?: number };
}

/** The fields of TeacherSettings a project keeps per run (the endpoint, model and key are the browser's). */
export type TeacherRunFields = Pick<
  TeacherSettings,
  'repeats' | 'temperature' | 'repeatTemperature' | 'maxTokens' | 'concurrency' | 'timeoutMs' | 'maxRetries' | 'structured' | 'batchRepeats'
>;

/** Run fields added later: absent in older projects, read with TeacherSettings' defaults. */
export type TeacherLaterFields = Partial<Pick<TeacherSettings, 'reasoningMaxTokens' | 'reasoningEffort' | 'rpm' | 'tpm' | 'logprobs'>>;

export const DEFAULT_TEACHER_SETTINGS: TeacherSettings = {
  baseURL: 'https://api.openai.com/v1',
  model: 'gpt-4o-mini',
  apiKey: '',
  temperature: 0,
  repeatTemperature: 0.7,
  // `{"label":"..."}` is ~6 tokens; headroom for chatty local models.
  maxTokens: 32,
  // Low effort on a one-label answer usually reasons for a few hundred tokens;
  // thousands leave headroom for the odd hard text.
  reasoningMaxTokens: 4096,
  reasoningEffort: 'low',
  repeats: 3,
  concurrency: 4,
  timeoutMs: 60_000,
  maxRetries: 6,
  structured: 'auto',
  batchRepeats: 'auto',
  budget: {},
};

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

/**
 * What one (endpoint, model) accepts and how it behaves: guessed from the
 * model name, then learned by a cheap probe request or by a 400 naming a
 * parameter. The live run, the estimate and the Batch export all build their
 * requests from it.
 */
export interface ModelProfile {
  /** Several answers per request with `n`. */
  n: boolean;
  /** A temperature other than the default. */
  temperature: boolean;
  /** response_format json_schema. */
  structured: boolean;
  logprobs: boolean;
  /** Hidden reasoning counts against the token cap (o-series, gpt-5, local "thinking" models). */
  reasoning: boolean;
  /** Accepts reasoning_effort (sent only when `reasoning`). */
  reasoningEffort: boolean;
  /** Newer OpenAI models reject max_tokens; many local servers only know it. */
  maxTokensParam: 'max_tokens' | 'max_completion_tokens';
  /** True once a probe answered; false for a guess from the name. */
  probed: boolean;
}

/** The profile's older name, kept for callers of the first version. */
export type Capabilities = ModelProfile;

/** Optimistic until the endpoint says otherwise. */
export const DEFAULT_CAPABILITIES: ModelProfile = {
  n: true,
  temperature: true,
  structured: true,
  logprobs: false,
  reasoning: false,
  reasoningEffort: false,
  maxTokensParam: 'max_tokens',
  probed: false,
};

/** One stored answer of the teacher for one text and one repeat. */
export interface TeacherResponse extends CacheKeyParts {
  /** cacheKey(...) of the CacheKeyParts fields (endpoint normalised); the store's primary key. */
  key: string;
  /** The answer text as received (or the refusal text). */
  raw: string | null;
  /** Parsed label name, or null when the answer was not one of the labels. */
  label: string | null;
  valid: boolean;
  invalidReason?: string;
  /**
   * Tokens of the request this answer came from, shared out among its choices.
   * completion includes reasoning; cachedPrompt is the part of prompt billed at the cached-input price.
   */
  usage: TokenUsage;
  /** The token cap the request was sent with; decides whether a failed attempt is asked again. */
  maxTokens?: number;
  /** finish_reason of the choice ('stop', 'length', …), when the server gave one. */
  finishReason?: string | null;
  /**
   * Probability of each label from the answer's logprobs (label → p, not
   * renormalised: the rest went to tokens that are no label). Absent when the
   * request did not ask for logprobs or the server gave none.
   */
  probs?: Record<string, number>;
  /** invalidReason 'request-failed': what the last try said, in the server's words. */
  error?: string;
  /** invalidReason 'request-failed': HTTP tries made before giving up. */
  attempts?: number;
  /** Epoch ms when it arrived. */
  at: number;
  /** Present for the store's project index; for an imported answer, the one project that may use it. */
  projectId?: string;
  /** Absent for an answer this browser's own run asked for; see AnswerOrigin. */
  origin?: AnswerOrigin;
}

/**
 * Where a stored answer came from when this browser's live run did not ask
 * for it: read from a Batch output file (paid by this browser's account), or
 * from a project file someone sent (never paid for here).
 */
export type AnswerOrigin = { kind: 'imported'; file: string; project: string; at: number } | { kind: 'batch'; file: string; at: number };

/**
 * Whether project `projectId` may use a stored answer: an imported answer
 * belongs to the project it was imported into and to no other, so a file can
 * never make another project's run skip a request as "already stored".
 */
export function usableBy(projectId: string | null | undefined, r: Pick<TeacherResponse, 'origin' | 'projectId'>): boolean {
  return r.origin?.kind !== 'imported' || r.projectId === projectId;
}

/** The teacher's label for one row, aggregated over its repeats. */
export interface TeacherLabel extends Aggregate {
  rowId: string;
  /**
   * The teacher's probability of `label` from logprobs (mean over the answers
   * that carry probabilities, usually the first); null when none does.
   */
  probability?: number | null;
  /** Mean label probabilities over those answers (soft targets); absent when none carries them. */
  probs?: Record<string, number>;
}

/** Tokens of one request (or a share of it). */
export interface TokenUsage {
  prompt: number;
  completion: number;
  /** Of completion: hidden reasoning tokens (usage.completion_tokens_details.reasoning_tokens). */
  reasoning?: number;
  /** Of prompt: tokens served from the prompt cache (usage.prompt_tokens_details.cached_tokens). */
  cachedPrompt?: number;
}

/** A chat message as sent to the endpoint. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One request as the queue hands it to `send` (client.complete in the app). */
export interface CompletionRequest {
  model: string;
  messages: ChatMessage[];
  /** Omitted when the endpoint only allows its default. */
  temperature?: number;
  /** Omitted (or 1) for a single answer. */
  n?: number;
  maxTokens: number;
  /** Which name the cap travels under; max_tokens when absent. */
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens';
  /** Sent as reasoning_effort when set. */
  reasoningEffort?: ReasoningEffort;
  /** Ask for logprobs: the probe, and the first answer of a text when the profile allows. */
  logprobs?: boolean;
  /** top_logprobs: alternatives per token, to read every label's probability (with logprobs only). */
  topLogprobs?: number;
  structured: boolean;
  labels: string[];
}

export interface CompletionChoice {
  content: string | null;
  refusal: string | null;
  /** 'stop', 'length' (cut at the token cap), … ; null or absent when the server gave none. */
  finishReason?: string | null;
  /** True when the server returned reasoning text beside the answer (llama.cpp, vLLM, Ollama thinking models). */
  reasoningText?: boolean;
  /** True when the choice carried token logprobs (a non-empty logprobs.content). */
  logprobs?: boolean;
  /** The answer's tokens with their logprobs and alternatives, when the server sent them. */
  tokenLogprobs?: TokenLogprob[];
}

/** One answer token with its log probability and the top alternatives at that position. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  top: { token: string; logprob: number }[];
}

export interface CompletionResult {
  choices: CompletionChoice[];
  usage: TokenUsage;
  /** The response's x-ratelimit-* headers, when the server sent them and the page may read them. */
  limits?: RateLimitInfo | null;
}

/**
 * A failed request, normalised from whatever the HTTP layer threw.
 * kind: 'http' (status set), 'timeout', 'network' (CORS, DNS, refused), 'aborted' (cancelled by us).
 */
export class TeacherRequestError extends Error {
  override name = 'TeacherRequestError';
  constructor(
    message: string,
    readonly kind: 'http' | 'timeout' | 'network' | 'aborted',
    readonly status?: number,
    /** The request parameter the server complained about (e.g. 'n'), if it said. */
    readonly param?: string | null,
    /**
     * How long the server asked us to wait: a Retry-After header verbatim
     * (string), or milliseconds already read from retry-after-ms / x-ratelimit-reset-* (number).
     */
    readonly retryAfter?: string | number | null,
    /** The error's code or type ('insufficient_quota', 'unsupported_parameter', …), if the body had one. */
    readonly code?: string | null,
    /** The response's x-ratelimit-* headers, if readable: a 429 saying "0 left" paces everyone. */
    readonly limits?: RateLimitInfo | null,
  ) {
    super(message);
  }
}
