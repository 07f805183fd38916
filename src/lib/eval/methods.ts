// A methods paragraph for a paper, filled in from a run's settings, citing
// Pangakis & Wolken (2024). Plain text; the researcher edits it from there.
import type { HeadConfig } from '../train/types';
import type { CI } from './bootstrap';
import type { ComparisonRow } from './compare';
import { fmt3 } from './format';
import { FEW_POSITIVES, isSmallTestSet, MIN_TEST_FOR_CLAIMS, testSetSize, type TestSetSize } from './metrics';

/** The parts of the student head's configuration the paragraph describes (kind 'linear', 'logreg' or 'mlp'). */
export type HeadDescription = Partial<Pick<HeadConfig, 'kind' | 'hidden' | 'dropout' | 'l2' | 'classWeights' | 'patience' | 'monitor'>>;

/** train/decision.ts' DecisionRule, spelled out so eval needs nothing from train. */
type Rule = 'shares' | 'prior' | 'f1' | 'argmax';

/** How the head's settings were chosen, on the training labels only. */
export type SelectionDescription =
  /** The linear head: C × class weighting by stratified k-fold CV, then a refit on all training labels. */
  | {
      kind: 'cv-linear';
      folds: number;
      /** The C grid searched (log-spaced). */
      Cs: number[];
      classWeights: ('none' | 'balanced')[];
      chosen: { C: number; classWeight: 'none' | 'balanced' };
      /** The same cross-validation preferred decisions recalibrated on out-of-fold logits (Platt scaling). */
      calibrated?: boolean;
      /** The selection score (issue 26); absent in records from before it: positive-class F1 then. */
      score?: 'logloss' | 'macroF1';
      /** The decision rule asked for and the one deployed, with the reason when they differ. */
      decision?: { rule: Rule; applied: Rule; fallback: string | null };
      /** 'bagged': the k fold models' mean was deployed; absent or 'refit': one refit on all training labels. */
      deploy?: 'bagged' | 'refit';
      /** A sentence on a departure, e.g. fewer folds because a class is small. */
      note?: string;
    }
  /** The paper's grid (Adam heads) scored on a stratified holdout of this fraction. */
  | { kind: 'holdout'; fraction: number }
  /** The paper's grid (Adam heads) scored by stratified k-fold cross-validation. */
  | { kind: 'kfold'; k: number };

/** Everything the paragraph states about a run. */
export interface RunDescription {
  teacherModel: string;
  /** Host of the OpenAI-compatible endpoint, e.g. 'api.openai.com'; `local:<model>@<revision>` for a model run in the browser. */
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
  /** Adam heads: the grid's chosen configuration (absent for the linear head, or when unknown). */
  chosen?: { lr: number; batchSize: number; epochs: number };
  /** How the configuration was chosen; absent: the paper's grid on a stratified 20% holdout (the app's default). */
  selection?: SelectionDescription;
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

/** "positive-class F1" when known binary, "macro F1" when known multi-class, else both named. */
function scoreText(binary: boolean | null): string {
  if (binary === null) return 'F1 of the positive class (macro F1 for a task without one)';
  return binary ? 'F1 of the positive class' : 'macro-averaged F1';
}

const sentence = (t: string) => (/[.!?]$/.test(t.trim()) ? t.trim() : `${t.trim()}.`);

/** The student sentences for the linear head (L-BFGS, C × class weighting by stratified k-fold CV). */
function linearText(run: RunDescription, binary: boolean | null): string {
  const sel = run.selection?.kind === 'cv-linear' ? run.selection : null;
  const fit = `As the student, we encoded each text with ${run.encoder} (${run.dtype} weights, ${run.backends.embed} backend) and trained an L2-regularised logistic regression on the frozen embeddings, fitted to convergence with L-BFGS.`;
  if (!sel) {
    return `${fit} The inverse regularisation strength C and the class weighting were chosen by stratified cross-validation on the training labels, scored by ${scoreText(binary)}; the chosen model was refit on all training labels. The human test set was never used for selection.`;
  }
  const lo = Math.min(...sel.Cs);
  const hi = Math.max(...sel.Cs);
  const grid = sel.Cs.length > 1 ? `${sel.Cs.length} values on a log grid from ${lo} to ${hi}` : `fixed at ${lo}`;
  const weights =
    sel.classWeights.length > 1
      ? 'and the class weighting (none or balanced) were'
      : `was, with class weighting fixed at ${sel.classWeights[0] ?? 'none'},`;
  const cw = sel.chosen.classWeight === 'balanced' ? 'balanced class weights' : 'no class weighting';
  const note = sel.note ? ` ${sentence(sel.note)}` : '';
  if (sel.score && sel.decision) {
    const scoreName = sel.score === 'logloss' ? 'log loss' : 'macro-averaged F1';
    return (
      `${fit} The inverse regularisation strength C (${grid}) ${weights} chosen by stratified ${sel.folds}-fold cross-validation on the training labels, ` +
      `scored by the out-of-fold ${scoreName} of the student as deployed (recalibration and decision threshold fitted within the training folds); ` +
      `of the settings within one standard error of the best, the one with the smallest C was taken (the one-standard-error rule), and ` +
      (sel.deploy === 'bagged'
        ? `the ${sel.folds} models of the chosen setting (C = ${sel.chosen.C}, ${cw}), each fitted on ${sel.folds - 1} of the ${sel.folds} folds, were averaged into the deployed model (cross-validation bagging), so its scores are on the scale of the out-of-fold scores its calibration and threshold were fitted on (each fold's out-of-fold logits shifted by the difference between its model's and the averaged model's mean logit over the training texts). `
        : `the chosen model (C = ${sel.chosen.C}, ${cw}) was refit on all training labels. `) +
      `${decisionSentence(sel.decision, binary)} The human test set was never used for selection, calibration or the threshold.${note}`
    );
  }
  return (
    `${fit} The inverse regularisation strength C (${grid}) ${weights} chosen by stratified ${sel.folds}-fold cross-validation on the training labels, scored by ${scoreText(binary)}; ` +
    `the chosen model (C = ${sel.chosen.C}, ${cw}) was refit on all training labels. ` +
    (sel.calibrated === undefined
      ? ''
      : sel.calibrated
        ? 'Its logits were then recalibrated (a slope and intercept fitted on the out-of-fold logits, as Platt scaling), which the same cross-validation scored higher than the uncalibrated decisions. '
        : 'The same cross-validation compared its decisions with ones recalibrated on out-of-fold logits (Platt scaling) and kept the uncalibrated ones. ') +
    `The human test set was never used for selection.${note}`
  );
}

/** How the calibrated scores became labels, in one or two sentences. */
function decisionSentence(
  d: NonNullable<Extract<SelectionDescription, { kind: 'cv-linear' }>['decision']>,
  binary: boolean | null,
): string {
  const cal = 'Its logits were recalibrated by a slope and intercept fitted on the out-of-fold logits (Platt scaling, unweighted)';
  const target =
    d.applied === 'prior'
      ? 'the share of texts the human-labelled validation sample gives it (a prior-shift correction: the validation labels set these shares and nothing else)'
      : 'the same share of texts as its training labels ("label like the teacher")';
  const matched = `${cal}, and the decision threshold was set so that, out of fold, the student assigns each label to ${target}.`;
  const rule = {
    shares: matched,
    prior: matched,
    f1: `${cal}, and the decision threshold was the one maximising the out-of-fold ${binary === false ? 'macro-averaged F1' : 'F1 of the positive class'} (which predicts the positive class more often than the training labels do).`,
    argmax: "Texts were labelled by the model's most probable class (plain argmax, no recalibration).",
  }[d.applied];
  if ((d.applied === 'shares' || d.applied === 'prior') && d.fallback)
    return `The out-of-fold recalibration slope was not positive (the scores rank unseen texts no better than chance), so it was not used; the decision threshold was set on the uncalibrated scores so that, out of fold, the student assigns each label to ${target}. Its labels of single texts carry no usable signal.`;
  return d.applied === d.rule ? rule : `${rule} (${d.fallback ?? `The rule asked for, ${d.rule}, could not be applied.`})`;
}

/** The student sentences for the Adam heads ('logreg' / 'mlp', the paper's grid). */
function adamText(run: RunDescription): string {
  const c = run.chosen;
  const known = c && [c.lr, c.batchSize, c.epochs].every(Number.isFinite);
  const what = known
    ? `The learning rate (${c.lr}), batch size (${c.batchSize}) and number of epochs (${c.epochs}) were`
    : 'The learning rate, batch size and number of epochs were';
  const sel =
    run.selection?.kind === 'kfold' || run.selection?.kind === 'holdout' ? run.selection : { kind: 'holdout' as const, fraction: 0.2 };
  const how =
    sel.kind === 'kfold'
      ? `scored by mean validation F1 over stratified ${sel.k}-fold cross-validation on the training labels`
      : `scored by validation F1 on a stratified ${Math.round(sel.fraction * 100)}% holdout of the training labels`;
  return (
    `As the student, we encoded each text with ${run.encoder} (${run.dtype} weights, ${run.backends.embed} backend) and trained ${headText(run.head)} on the frozen embeddings with the Adam optimiser (${run.backends.train} backend).` +
    ` ${what} chosen by a grid search ${how} (the human test set was never used for selection); the final head was then retrained on all training labels.${stopText(run.head)}`
  );
}

// "not defined" rather than "undefined", which in generated text reads like a bug.
const ciText = (ci: CI, level: number) =>
  ci.defined === false ? 'not defined' : `${f3(ci.estimate)} (${level}% CI ${f3(ci.lo)}-${f3(ci.hi)})`;

function promptText(t: string): string {
  const short = t.length <= 80 && !/[\r\n]/.test(t);
  return short ? `prompt template "${t}"` : 'prompt reproduced in the appendix';
}

function resultsText(rows: readonly ComparisonRow[], level: number): string {
  if (rows.length === 0) return '';
  const parts = rows.map((r) => {
    const ci = r.ci.f1 ?? r.ci.macroF1;
    const name = r.ci.f1 ? 'F1' : 'macro F1';
    return `${r.name}: ${name} = ${ciText(ci, level)}`;
  });
  return ` On the test set, the results were as follows. ${parts.join('; ')}.`;
}

/**
 * The paragraph, e.g. "Following the knowledge-distillation workflow of
 * Pangakis and Wolken (2024), we used gpt-4o-mini ... as a teacher ...".
 * The student part follows the head: the linear head's cross-validated C and
 * class weighting, or the Adam heads' grid on a holdout or k folds.
 */
export function methodsParagraph(run: RunDescription): string {
  const level = Math.round((run.confidence ?? 0.95) * 100);
  const resamples = thousands(run.resamples ?? 1000);
  const binary = run.results?.length ? run.results.some((r) => r.ci.f1 !== null) : null;
  const metric = binary === false ? 'macro F1' : 'F1';
  // A model run in the browser scores each label instead of generating (teacher/local), once per text.
  const inBrowser = run.endpointHost.startsWith('local:');
  const labelling = inBrowser
    ? 'Each text was scored once, since the scoring is deterministic; the probability of the chosen label served as its confidence score in place of consistency.'
    : run.repeats > 1
      ? `Each text was labelled ${run.repeats} times at temperature ${run.temperature}; the majority answer served as its training label, and the share of answers agreeing with the majority as its consistency score.`
      : `Each text was labelled once at temperature ${run.temperature}.`;
  const source = inBrowser
    ? `${run.endpointHost.slice('local:'.length)}, on ${dateText(run.date)}`
    : `accessed through ${run.endpointHost} on ${dateText(run.date)}`;
  const metrics =
    binary !== false
      ? 'accuracy, precision, recall and F1 for the positive class, and macro-averaged F1'
      : 'accuracy and macro-averaged F1';
  const linear = run.selection?.kind === 'cv-linear' || run.head.kind === 'linear';
  // The test set the results were scored on (all rows share it), else the stated size.
  const first = run.results?.[0];
  const size: TestSetSize = first ? testSetSize(first.metrics) : { n: run.testN, positives: null };
  const few =
    size.n < MIN_TEST_FOR_CLAIMS
      ? `With only ${thousands(size.n)} test texts${size.positives === null ? '' : ` (${size.positives} of the positive class)`}`
      : `With only ${size.positives} test texts of the positive class (of ${thousands(size.n)})`;
  const small = isSmallTestSet(size)
    ? `${few}, these intervals and tests are unreliable (we would need at least ${MIN_TEST_FOR_CLAIMS} test texts and ${FEW_POSITIVES} of the positive class), so we draw no conclusions from differences between classifiers.`
    : null;
  const sentences = [
    `Following the knowledge-distillation workflow of Pangakis and Wolken (2024), we used ${run.teacherModel} (${source}) as a teacher to label ${thousands(run.trainN)} training texts according to version ${run.codebookVersion} of our codebook.`,
    inBrowser
      ? `The ${promptText(run.promptTemplate)} gave the model the codebook's task, instructions, label definitions and examples as a system message and each text as the user message, in the model's own chat template; instead of generating an answer, the model scored each label's answer as the continuation of that prompt, and these sequence probabilities, normalised over the codebook's labels, gave the label and its probability.`
      : `The ${promptText(run.promptTemplate)} gave the model the codebook's task, instructions, label definitions and examples as a system message and each text as the user message, and a JSON schema restricted the answer to one of the codebook's labels.`,
    labelling,
    linear ? linearText(run, binary) : adamText(run),
    `All classifiers were evaluated on ${thousands(run.testN)} held-out human-labelled test texts; we report ${metrics} with ${level}% percentile bootstrap confidence intervals (${resamples} resamples of the test texts). Resamples in which a statistic is not defined, such as precision without a positive prediction, are left out of its interval.`,
    `We compare two classifiers in two ways: a paired bootstrap interval of the difference in ${metric} (both scored on the same resamples), and McNemar's test, which asks whether the two disagree on which texts they get right and so compares accuracy, not ${metric}; the two can point different ways.${resultsText(run.results ?? [], level)}`,
    ...(small ? [small] : []),
  ];
  return sentences.join(' ');
}
