// A methods paragraph for a paper, filled in from a run's settings, citing
// Pangakis & Wolken (2024). Plain text; the researcher edits it from there.
import type { HeadConfig } from '../train/types';
import type { ComparisonRow } from './compare';
import { fmt3 } from './format';

/** The parts of the student head's configuration the paragraph describes. */
export type HeadDescription = Partial<
  Pick<HeadConfig, 'kind' | 'hidden' | 'dropout' | 'l2' | 'classWeights' | 'patience' | 'monitor'>
>;

/** Everything the paragraph states about a run. */
export interface RunDescription {
  teacherModel: string;
  /** Host of the OpenAI-compatible endpoint, e.g. 'api.openai.com'. */
  endpointHost: string;
  /** When the labels were collected (Date or ISO string). */
  date: string | Date;
  codebookVersion: string | number;
  /** A template name/version; long text is referred to as "in the appendix". */
  promptTemplate: string;
  /** LLM answers per text. */
  repeats: number;
  temperature: number;
  validationN: number;
  testN: number;
  trainN: number;
  encoder: string;
  dtype: string;
  head: HeadDescription;
  chosen: { lr: number; batchSize: number; epochs: number };
  backends: { embed: string; train: string };
  results?: readonly ComparisonRow[];
  /** Bootstrap settings used for the results (defaults 1000 and 0.95). */
  resamples?: number;
  confidence?: number;
}

const f3 = fmt3;
const thousands = (n: number) => n.toLocaleString('en-US');

function dateText(d: string | Date): string {
  if (d instanceof Date) return Number.isNaN(d.getTime()) ? 'an unrecorded date' : d.toISOString().slice(0, 10);
  return /^\d{4}-\d{2}-\d{2}T/.test(d) ? d.slice(0, 10) : d;
}

function headText(h: HeadDescription): string {
  let s =
    h.kind === 'mlp'
      ? `a feed-forward classifier with one hidden layer${h.hidden ? ` of ${h.hidden} ReLU units` : ''}${h.dropout ? ` and dropout ${h.dropout}` : ''}, followed by a softmax output layer`
      : 'a multinomial logistic-regression layer (one dense softmax layer)';
  if (h.l2) s += `, with an L2 penalty of ${h.l2} on the weights`;
  if (h.classWeights) s += ', with class-balanced loss weights';
  return s;
}

function stopText(h: HeadDescription): string {
  if (h.patience === undefined) return '';
  const watched = h.monitor === 'valF1' ? 'validation F1' : 'validation loss';
  return ` Training stopped early when ${watched} had not improved for ${h.patience} epochs.`;
}

function promptText(t: string): string {
  const short = t.length <= 80 && !/[\r\n]/.test(t);
  return short ? `prompt template "${t}"` : 'prompt reproduced in the appendix';
}

function resultsText(rows: readonly ComparisonRow[], level: number): string {
  if (rows.length === 0) return '';
  const parts = rows.map((r) => {
    const ci = r.ci.f1 ?? r.ci.macroF1;
    const name = r.ci.f1 ? 'F1' : 'macro F1';
    return `${r.name}: ${name} = ${f3(ci.estimate)} (${level}% CI ${f3(ci.lo)}-${f3(ci.hi)})`;
  });
  return ` On the test set, the results were as follows. ${parts.join('; ')}.`;
}

/**
 * The paragraph, e.g. "Following the knowledge-distillation workflow of
 * Pangakis and Wolken (2024), we used gpt-4o-mini ... as a teacher ...".
 */
export function methodsParagraph(run: RunDescription): string {
  const level = Math.round((run.confidence ?? 0.95) * 100);
  const resamples = thousands(run.resamples ?? 1000);
  const binary = run.results?.some((r) => r.ci.f1 !== null) ?? true;
  const labelling =
    run.repeats > 1
      ? `Each text was labelled ${run.repeats} times at temperature ${run.temperature}; the majority answer served as its training label, and the share of answers agreeing with the majority as its consistency score.`
      : `Each text was labelled once at temperature ${run.temperature}.`;
  const metrics = binary
    ? 'accuracy, precision, recall and F1 for the positive class, and macro-averaged F1'
    : 'accuracy and macro-averaged F1';
  const sentences = [
    `Following the knowledge-distillation workflow of Pangakis and Wolken (2024), we used ${run.teacherModel} (accessed through ${run.endpointHost} on ${dateText(run.date)}) as a teacher to label ${thousands(run.trainN)} training texts according to version ${run.codebookVersion} of our codebook.`,
    `The ${promptText(run.promptTemplate)} gave the model the codebook's task, instructions, label definitions and examples as a system message and each text as the user message, and a JSON schema restricted the answer to one of the codebook's labels.`,
    labelling,
    `As the student, we encoded each text with ${run.encoder} (${run.dtype} weights, ${run.backends.embed} backend) and trained ${headText(run.head)} on the frozen embeddings with the Adam optimiser (${run.backends.train} backend).`,
    `The learning rate (${run.chosen.lr}), batch size (${run.chosen.batchSize}) and number of epochs (${run.chosen.epochs}) were chosen by a grid search scored by validation F1 on a stratified 20% holdout of the training labels (the human test set was never used for selection); the final head was then retrained on all training labels.${stopText(run.head)}`,
    `All classifiers were evaluated on ${thousands(run.testN)} held-out human-labelled test texts; we report ${metrics} with ${level}% percentile bootstrap confidence intervals (${resamples} resamples of the test texts), and compare classifiers with paired bootstrap intervals of the difference and McNemar's test.${resultsText(run.results ?? [], level)}`,
  ];
  return sentences.join(' ');
}
