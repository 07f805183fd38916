// The comparison table of the Compare step: every condition (the LLM teacher,
// students trained on LLM or human labels, baselines) scored on the same
// human-labelled test items, with bootstrap CIs and plain-language warnings.
import { aucOf } from './auc';
import { metricsWithCI, type BootstrapOptions, type CI, type MetricCIs } from './bootstrap';
import { EvalInputError } from './counts';
import { warnings, type Metrics } from './metrics';

export { headlines, type Headline, type HeadlineKind, type HeadlineOptions } from './headlines';
export { learningCurve, thresholdSweep, predsAtThreshold, type CurveInput, type CurvePoint, type SweepPoint } from './curves';

export { PAPER_REFERENCE, PAPER_CITATION } from './paper';

/** One classifier's predictions on the test items, with what it was trained on. */
export interface Condition {
  id: string;
  /** Display name, e.g. 'Student on 1000 LLM labels', 'LLM few-shot (teacher)'. */
  name: string;
  /** 'baseline': a constant labelling (always the majority label, always the positive class), no model. */
  kind: 'teacher' | 'student' | 'baseline';
  /** Labels the student was trained on; null for the teacher. */
  trainSource: 'llm' | 'human' | null;
  trainSize: number | null;
  /** Embedding model (or e.g. 'tfidf' for a baseline); null for the teacher. */
  encoder: string | null;
  backend: string | null;
  /** Trained only on LLM labels whose repeats all agreed (consistency = 1). */
  consistencyFilter?: boolean;
  /** Predicted class index per test item, aligned with yTrue; invalid = no answer. */
  preds: Int32Array | number[];
  /** Optional n x nClasses row-major class probabilities (for the AUC). */
  probs?: Float32Array;
  /** Warnings that the student is degenerate (no usable signal, near-constant), from its training; never a "better" finding. */
  degenerate?: string[];
  /** How its scores became labels, in words (the linear head's decision rule); absent for the others. */
  decision?: string;
}

/** A condition's metadata with its metrics, CIs and warnings. */
export interface ComparisonRow {
  id: string;
  name: string;
  kind: Condition['kind'];
  trainSource: Condition['trainSource'];
  trainSize: number | null;
  encoder: string | null;
  backend: string | null;
  consistencyFilter: boolean;
  metrics: Metrics;
  ci: MetricCIs;
  /** AUC from the condition's probabilities; null without them (the teacher, baselines) or when undefined. Absent in older records. */
  auc?: number | null;
  /** True when the condition is a degenerate student (see Condition.degenerate). */
  degenerate?: boolean;
  /** The condition's decision rule in words (Condition.decision); absent in older records and for the others. */
  decision?: string;
  warnings: string[];
}

export interface CompareOptions extends BootstrapOptions {
  /** Class names, index-aligned, for the warnings' wording. */
  labelNames?: readonly string[];
}

/**
 * Score every condition on the same test labels. All conditions share the
 * seed, hence the same bootstrap resamples, so their intervals are comparable.
 * @throws EvalInputError when a condition's predictions are not aligned with yTrue
 */
export function compareConditions(
  yTrue: ArrayLike<number>,
  conditions: readonly Condition[],
  nClasses: number,
  positive: number | null,
  opts: CompareOptions = {},
): ComparisonRow[] {
  return conditions.map((cond) => {
    if (cond.preds.length !== yTrue.length) {
      throw new EvalInputError(`"${cond.name}" has ${cond.preds.length} predictions but the test set has ${yTrue.length} items.`);
    }
    const { metrics, ci } = metricsWithCI(yTrue, cond.preds, nClasses, positive, opts);
    return {
      id: cond.id,
      name: cond.name,
      kind: cond.kind,
      trainSource: cond.trainSource,
      trainSize: cond.trainSize,
      encoder: cond.encoder,
      backend: cond.backend,
      consistencyFilter: cond.consistencyFilter === true,
      metrics,
      ci,
      auc: cond.probs ? aucOf(yTrue, cond.probs, nClasses, positive) : null,
      ...(cond.degenerate?.length ? { degenerate: true } : {}),
      ...(cond.decision ? { decision: cond.decision } : {}),
      warnings: [...(cond.degenerate ?? []), ...warnings(metrics, opts.labelNames), ...droppedWarnings(ci, opts.resamples ?? 1000)],
    };
  });
}

const UNDEFINED_WHEN = {
  precision: ['Precision', 'no positive prediction'],
  recall: ['Recall', 'no text of the positive class'],
  f1: ['F1', 'neither a positive prediction nor a text of the positive class'],
} as const;

/** One sentence per metric whose interval left out resamples where it was undefined. */
function droppedWarnings(ci: MetricCIs, resamples: number): string[] {
  return (Object.keys(UNDEFINED_WHEN) as (keyof typeof UNDEFINED_WHEN)[]).flatMap((key) => {
    const c: CI | null = ci[key];
    // An undefined estimate has its own warning (never predicted / absent class).
    if (!c?.dropped || c.defined === false) return [];
    const [name, why] = UNDEFINED_WHEN[key];
    return [
      `${name} was undefined in ${c.dropped} of ${resamples} bootstrap resamples (${why} in them); those resamples are left out of its interval.`,
    ];
  });
}

/** The number a row is ranked by: positive-class F1 for binary tasks, else macro F1. */
export function headlineValue(row: ComparisonRow): number {
  return row.metrics.f1 ?? row.metrics.macroF1;
}
