// Reference numbers and citation of the paper this app implements.

/**
 * Results of Pangakis & Wolken (2024), "Knowledge Distillation in Automated
 * Annotation: Supervised Text Classification with LLM-Generated Training
 * Labels", NLP+CSS workshop at NAACL 2024, arXiv 2406.17633 — medians over
 * their 14 replicated classification tasks, to set a run's results beside:
 * - medianGapStudentLlmVsHuman: F1 of students fine-tuned on human labels
 *   minus F1 of students fine-tuned on GPT-4 labels;
 * - medianGapStudentVsLlm: F1 difference between students on GPT-4 labels and
 *   GPT-4 few-shot itself;
 * - bertF1 / gpt4F1: median F1 of the BERT student on GPT-4 labels and of
 *   GPT-4 few-shot;
 * - llmStudentRecall: median recall of students on GPT-4 labels (they gained
 *   recall and lost precision relative to human-label students).
 */
export const PAPER_REFERENCE = {
  medianGapStudentLlmVsHuman: 0.039,
  medianGapStudentVsLlm: 0.006,
  bertF1: 0.586,
  gpt4F1: 0.592,
  llmStudentRecall: 0.75,
} as const;

export const PAPER_CITATION =
  'Pangakis, N., & Wolken, S. (2024). Knowledge Distillation in Automated Annotation: Supervised Text Classification with LLM-Generated Training Labels. Proceedings of the Sixth Workshop on Natural Language Processing and Computational Social Science (NLP+CSS 2024), 113-131. arXiv:2406.17633.';
