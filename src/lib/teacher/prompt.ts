// What the teacher needs of a prompt. The fixed user-message format (the mock
// LLM server relies on it) lives in codebook/prompt.ts.
import { PROMPT_TEMPLATE_VERSION, systemPrompt } from '../codebook/prompt';

/** The structural part of a Codebook the teacher needs (the real Codebook satisfies it). */
export interface TeacherCodebook {
  task?: string;
  instructions?: string;
  labels: { name: string; definition?: string }[];
  examples?: { text: string; label: string }[];
}

/** A rendered prompt: the system prefix, its template version (part of cache keys), and the user message. */
export interface PromptSpec {
  system: string;
  /** Changing the wording must change this, so old answers are not reused. */
  template: string;
  /** Defaults to userMessage. */
  user?: (text: string) => string;
}

// The user message and the system prompt are the codebook stage's, so the
// teacher and the prompt preview can never drift apart.
export { neutraliseDelimiters, userPrompt as userMessage } from '../codebook/prompt';

/** The codebook stage's rendering, for callers that pass no PromptSpec. */
export function fallbackPrompt(codebook: TeacherCodebook): PromptSpec {
  const cb = {
    task: codebook.task ?? '',
    instructions: codebook.instructions ?? '',
    labels: codebook.labels.map((l) => ({ name: l.name, definition: l.definition ?? '' })),
    positive: null,
    examples: codebook.examples ?? [],
  };
  return { system: systemPrompt(cb), template: PROMPT_TEMPLATE_VERSION };
}
