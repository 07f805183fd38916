// The comparison table of the Compare step: every condition (the LLM teacher,
// students trained on LLM or human labels, baselines) scored on the same
// human-labelled test items, with bootstrap CIs and plain-language warnings.
import { metricsWithCI, type BootstrapOptions, type MetricCIs } from './bootstrap';
import { EvalInputError } from './counts';
import { warnings, type Metrics } from './metrics';

export { headlines, type Headline, type HeadlineKind, type HeadlineOptions } from './headlines';
export {
  learningCurve,
  thresholdSweep,
  predsAtThreshold,
  type CurveInput,
  type CurvePoint,
  type SweepPoint,
} from './curves';

export { PAPER_REFERENCE, PAPER_CITATION } from './paper';

/** One classifier's predictions on the test items, with what it was trained on. */
export interface Condition {
  id: string;
  /** Display name, e.g. 'Student on 1000 LLM labels', 'LLM few-shot (teacher)'. */
  name: string;
  kind: 'teacher' | 'student';
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
  /** Optional n x nClasses row-major class probabilities. */
  probs?: Float32Array;
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
      throw new EvalInputError(
        `"${cond.name}" has ${cond.preds.length} predictions but the test set has ${yTrue.length} items.`,
      );
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
      warnings: warnings(metrics, opts.labelNames),
    };
  });
}

/** The number a row is ranked by: positive-class F1 for binary tasks, else macro F1. */
export function headlineValue(row: ComparisonRow): number {
  return row.metrics.f1 ?? row.metrics.macroF1;
}
