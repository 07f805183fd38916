// The fixed user-message format (the mock LLM server relies on it) and a
// fallback system prompt for when the caller does not pass the codebook
// stage's rendering.

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

/** Neutralise literal delimiters so a text cannot close its own `<text>` block. */
export function neutraliseDelimiters(text: string): string {
  return text.replace(/<(\/?)text>/gi, '<$1text_>');
}

/** `Classify the text between the <text> tags.\n<text>\n${TEXT}\n</text>` */
export function userMessage(text: string): string {
  return `Classify the text between the <text> tags.\n<text>\n${neutraliseDelimiters(text)}\n</text>`;
}

export const FALLBACK_TEMPLATE = 'teacher-fallback-v1';

/** A plain rendering of a codebook, used only when no PromptSpec is given. */
export function fallbackPrompt(codebook: TeacherCodebook): PromptSpec {
  const names = codebook.labels.map((l) => l.name);
  const lines = [
    codebook.task ? `Task: ${codebook.task}` : '',
    codebook.instructions ?? '',
    'Labels:',
    ...codebook.labels.map((l) => `- ${l.name}${l.definition ? `: ${l.definition}` : ''}`),
    ...(codebook.examples ?? []).flatMap((e) => [`Example:\n<text>\n${neutraliseDelimiters(e.text)}\n</text>\nAnswer: ${e.label}`]),
    `Answer with exactly one of these labels: ${names.join(', ')}.`,
  ];
  return { system: lines.filter((l) => l !== '').join('\n'), template: FALLBACK_TEMPLATE };
}
