// The JSON body of a chat-completion request, shared by the live client and
// the Batch API export so both ask exactly the same thing.

import type { CompletionRequest } from './types';

/** The fixed structured-output format: `{"label": <one of labels>}`. */
export function labelResponseFormat(labels: string[]) {
  return {
    type: 'json_schema' as const,
    json_schema: {
      name: 'label',
      strict: true,
      schema: {
        type: 'object',
        properties: { label: { type: 'string', enum: labels } },
        required: ['label'],
        additionalProperties: false,
      },
    },
  };
}

/**
 * OpenAI chat-completions body. The cap travels as req.maxTokensParam unless
 * `maxTokensParam` overrides it (the Batch API runs OpenAI models, which all
 * take max_completion_tokens; many local servers only know max_tokens).
 */
export function chatBody(req: CompletionRequest, maxTokensParam?: 'max_tokens' | 'max_completion_tokens') {
  const cap = maxTokensParam ?? req.maxTokensParam ?? 'max_tokens';
  return {
    model: req.model,
    messages: req.messages,
    ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
    ...(req.n !== undefined && req.n > 1 ? { n: req.n } : {}),
    [cap]: req.maxTokens,
    ...(req.reasoningEffort ? { reasoning_effort: req.reasoningEffort } : {}),
    ...(req.logprobs ? { logprobs: true, ...(req.topLogprobs ? { top_logprobs: req.topLogprobs } : {}) } : {}),
    ...(req.structured ? { response_format: labelResponseFormat(req.labels) } : {}),
  };
}
