// Shapes of the teacher stage: endpoint settings, stored answers, aggregated
// labels and what an endpoint can do. Pure types plus defaults; no imports of
// the openai package here (only client.ts may import it).

import type { CacheKeyParts } from './cache-key';

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
  /** Output token cap per answer (max_tokens). */
  maxTokens: number;
  /** Answers per text; consistency needs at least 2. */
  repeats: number;
  /** Requests in flight at once. */
  concurrency: number;
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

export const DEFAULT_TEACHER_SETTINGS: TeacherSettings = {
  baseURL: 'https://api.openai.com/v1',
  model: 'gpt-4o-mini',
  apiKey: '',
  temperature: 0,
  repeatTemperature: 0.7,
  // `{"label":"..."}` is ~6 tokens; headroom for chatty local models.
  maxTokens: 32,
  repeats: 3,
  concurrency: 4,
  timeoutMs: 60_000,
  maxRetries: 6,
  structured: 'auto',
  batchRepeats: 'auto',
  budget: {},
};

/** What an endpoint/model accepts; learned by probing or by a 400 naming the parameter. */
export interface Capabilities {
  n: boolean;
  temperature: boolean;
  structured: boolean;
  logprobs: boolean;
}

/** Optimistic until the endpoint says otherwise. */
export const DEFAULT_CAPABILITIES: Capabilities = { n: true, temperature: true, structured: true, logprobs: false };

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
  /** Tokens of the request this answer came from, shared out among its choices. */
  usage: { prompt: number; completion: number };
  /** Epoch ms when it arrived. */
  at: number;
  /** Present for the store's project index; the teacher does not read it. */
  projectId?: string;
}

/** The teacher's label for one row, aggregated over its repeats. */
export interface TeacherLabel {
  rowId: string;
  /** Majority label, or null when no repeat gave a valid label. */
  label: string | null;
  /** Share of all repeats (invalid ones included) that agree with `label`. */
  consistency: number;
  votes: Record<string, number>;
  /** Repeats found. */
  n: number;
  /** Repeats whose answer was invalid. */
  invalid: number;
  /** True when the majority was a tie broken by the rule in consistency.ts. */
  tie: boolean;
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
  structured: boolean;
  labels: string[];
}

export interface CompletionChoice {
  content: string | null;
  refusal: string | null;
}

export interface CompletionResult {
  choices: CompletionChoice[];
  usage: { prompt: number; completion: number };
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
    /** The Retry-After header, verbatim. */
    readonly retryAfter?: string | null,
  ) {
    super(message);
  }
}
