// The researcher's codebook: what the LLM teacher is told. Shared by the
// prompt builder, the teacher's cache keys and the evaluation (positive class).

export interface CodebookLabel {
  name: string;
  definition: string;
}

export interface CodebookExample {
  text: string;
  label: string;
}

export interface Codebook {
  /** One or two sentences: what is being annotated. */
  task: string;
  /** Coding rules, edge cases, what to do when unsure. */
  instructions: string;
  labels: CodebookLabel[];
  /** The positive class of a binary task (for precision/recall/F1), or null. */
  positive: string | null;
  /** Few-shot examples shown in the prompt. */
  examples: CodebookExample[];
}

/** A saved, immutable state of the codebook; LLM labels refer to a version. */
export interface CodebookVersion {
  version: number;
  createdAt: number;
  codebook: Codebook;
  /** codebookHash(codebook) */
  hash: string;
}
