import { describe, expect, it } from 'vitest';
import { asProfile, capOf, guessProfile, isQuotaError, nDroppable, profileKey, rejectedParam, withoutParam } from './profile';
import { DEFAULT_CAPABILITIES, TeacherRequestError, type CompletionRequest } from './types';

const req = (over: Partial<CompletionRequest> = {}): CompletionRequest => ({
  model: 'm',
  messages: [],
  maxTokens: 32,
  structured: true,
  labels: ['a'],
  temperature: 0,
  n: 2,
  ...over,
});
const http = (status: number, message: string, param: string | null = null, code: string | null = null) =>
  new TeacherRequestError(message, 'http', status, param, null, code);

describe('guessProfile', () => {
  it('knows OpenAI reasoning models by name, and guesses them conservatively', () => {
    const openai = 'https://api.openai.com/v1';
    for (const m of [
      'o3',
      'o4-mini',
      'o3-mini-2025-01-31',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
      'gpt-5.1',
      'gpt-5.2-2025-12-11',
      'openai/gpt-5-mini',
    ]) {
      expect(guessProfile(openai, m), m).toMatchObject({
        reasoning: true,
        reasoningEffort: true,
        temperature: false,
        n: false,
        maxTokensParam: 'max_completion_tokens',
        probed: false,
      });
    }
    for (const m of ['gpt-4o-mini', 'gpt-4.1-nano', 'gpt-5-chat-latest', 'gpt-5.1-chat-latest']) {
      expect(guessProfile(openai, m), m).toMatchObject({
        reasoning: false,
        temperature: true,
        n: true,
        maxTokensParam: 'max_completion_tokens',
      });
    }
  });

  it('knows local thinking models, and that local servers want max_tokens', () => {
    expect(guessProfile('http://localhost:11434/v1', 'deepseek-r1:8b')).toEqual({
      ...DEFAULT_CAPABILITIES,
      reasoning: true,
      maxTokensParam: 'max_tokens',
    });
    expect(guessProfile('http://localhost:8080/v1', 'qwen3-8b-q4_k_m.gguf')).toMatchObject({ reasoning: true });
    expect(guessProfile('http://localhost:11434/v1', 'llama3.1:8b')).toEqual({ ...DEFAULT_CAPABILITIES, maxTokensParam: 'max_tokens' });
  });

  it('gives reasoning models the reasoning cap', () => {
    expect(capOf({ maxTokens: 20, reasoningMaxTokens: 4096 }, { reasoning: true })).toBe(4096);
    expect(capOf({ maxTokens: 20, reasoningMaxTokens: 4096 }, { reasoning: false })).toBe(20);
    expect(profileKey('HTTP://Localhost:8080/v1/', ' m ')).toBe('http://localhost:8080/v1|m');
  });
});

describe('what a 400 rejected', () => {
  it('names max_tokens, reasoning_effort and logprobs only when the request sent them', () => {
    const maxTokens = http(
      400,
      "400 Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      'max_tokens',
    );
    expect(rejectedParam(maxTokens, req())).toBe('max_tokens');
    expect(rejectedParam(maxTokens, req({ maxTokensParam: 'max_completion_tokens' }))).toBeNull();
    expect(withoutParam(DEFAULT_CAPABILITIES, 'max_tokens').maxTokensParam).toBe('max_completion_tokens');
    const effort = http(400, "400 Unrecognized request argument supplied: 'reasoning_effort'");
    expect(rejectedParam(effort, req({ reasoningEffort: 'low' }))).toBe('reasoning_effort');
    expect(rejectedParam(effort, req())).toBeNull();
    expect(rejectedParam(http(400, '400 logprobs is not supported with reasoning models'), req({ logprobs: true }))).toBe('logprobs');
    const temp = http(400, "400 Unsupported value: 'temperature' does not support 0 with this model.", 'temperature', 'unsupported_value');
    expect(rejectedParam(temp, req())).toBe('temperature');
  });

  it("reads llama.cpp's n errors, which name no parameter", () => {
    const slots = http(400, '400 n_cmpl cannot be greater than the number of slots, please increase -np');
    expect(rejectedParam(slots, req())).toBe('n');
    expect(rejectedParam(slots, req({ n: undefined }))).toBeNull();
    expect(nDroppable(http(500, '500 Only one completion choice is allowed'), req())).toBe(true);
    expect(nDroppable(http(500, '500 boom'), req({ n: undefined }))).toBe(false);
    for (const status of [401, 403, 404, 429]) expect(nDroppable(http(status, `${status} x`), req())).toBe(false);
    expect(nDroppable(new TeacherRequestError('timed out', 'timeout'), req())).toBe(false);
  });

  it('tells quota errors apart from rate limits', () => {
    expect(
      isQuotaError(
        http(429, '429 You exceeded your current quota, please check your plan and billing details.', null, 'insufficient_quota'),
      ),
    ).toBe(true);
    expect(isQuotaError(http(429, '429 whatever', null, 'insufficient_quota'))).toBe(true);
    expect(isQuotaError(http(400, '400 Billing hard limit has been reached'))).toBe(true);
    expect(isQuotaError(http(429, '429 Rate limit reached for gpt-4o-mini', null, 'rate_limit_exceeded'))).toBe(false);
    expect(rejectedParam(http(400, '400 Billing hard limit has been reached', null, 'billing_hard_limit_reached'), req())).toBeNull();
  });
});

describe('asProfile', () => {
  it('reads stored profiles field by field, older ones included', () => {
    expect(asProfile({ n: false, temperature: true, structured: true, logprobs: false })).toEqual({ ...DEFAULT_CAPABILITIES, n: false });
    expect(asProfile({ n: 'yes', reasoning: true, maxTokensParam: 'max_completion_tokens', probed: true })).toEqual({
      ...DEFAULT_CAPABILITIES,
      reasoning: true,
      maxTokensParam: 'max_completion_tokens',
      probed: true,
    });
    expect(asProfile(null)).toBeNull();
    expect(asProfile('x')).toBeNull();
  });
});
