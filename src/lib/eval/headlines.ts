// Findings sentences generated from the numbers, in the shape of the paper's:
// student on LLM labels vs on human labels, student vs its LLM teacher, the
// recall/precision trade-off, and the effect of the consistency filter.
//
// Each contrast names both tests for what they test: the paired bootstrap
// interval is about the F1 (or macro F1) difference; McNemar's test is about
// accuracy (which texts each classifier gets right). They can disagree, and
// the sentence then says so. On a small test set (isSmallTestSet) no sentence
// calls a difference "unlikely to be noise": a small-sample warning instead.
import { headlineStat, pairedDiffCI, type BootstrapOptions, type CI } from './bootstrap';
import type { ComparisonRow, Condition } from './compare';
import { mcnemar, type McNemarResult } from './mcnemar';
import { isDefined, smallSampleReason, type Metrics, type TestSetSize } from './metrics';
import { fmt3 } from './format';
import { PAPER_REFERENCE as P } from './paper';

const PAPER = {
  gapHuman: P.medianGapStudentLlmVsHuman,
  gapTeacher: P.medianGapStudentVsLlm,
  bertF1: P.bertF1,
  gpt4F1: P.gpt4F1,
  llmRecall: P.llmStudentRecall,
};

export type HeadlineKind = 'llm-vs-human' | 'student-vs-teacher' | 'precision-recall' | 'consistency-filter';

export interface Headline {
  kind: HeadlineKind;
  /** The finding as a sentence or two, numbers to 3 decimals. */
  text: string;
  /** Condition ids compared: the difference is a minus b. */
  a: string;
  b: string;
  /** Paired bootstrap CI of stat(a) - stat(b) (F1, or macro F1 without a positive class). */
  diff?: CI;
  /** McNemar's test of a against b: a test of accuracy, not of F1. */
  mcnemar?: McNemarResult;
  /** The matching paper median, when there is one. */
  paper?: number;
  /** True when the test set is too small for any "unlikely to be noise" claim. */
  smallSample?: boolean;
}

export interface HeadlineOptions extends BootstrapOptions {
  /** Class names, index-aligned, for the small-sample warning's wording. */
  labelNames?: readonly string[];
}

const f3 = fmt3;
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const pText = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);
const size = (c: Condition) => c.trainSize ?? 0;
const bySizeDesc = (a: Condition, b: Condition) => size(b) - size(a);
const precisionText = (m: Metrics) =>
  isDefined(m, 'precision') ? `precision ${f3(m.precision ?? 0)}` : 'precision undefined (it never predicts the positive class)';

/**
 * Headline findings for a comparison. `rows` must come from compareConditions
 * on the same yTrue and conditions (matched by id). Pairs:
 * - each student on human labels vs the student on LLM labels with the same
 *   encoder and training size (else the largest such LLM-label student);
 * - the largest LLM-label student per encoder vs the first teacher;
 * - recall and precision of the first equal-size LLM-vs-human pair, else the
 *   first pair (binary tasks only);
 * - each consistency-filtered student vs the unfiltered LLM-label student of
 *   the same encoder trained on the smallest pool at least as large.
 * Conditions missing a counterpart produce no sentence.
 */
export function headlines(
  rows: readonly ComparisonRow[],
  yTrue: ArrayLike<number>,
  conditions: readonly Condition[],
  nClasses: number,
  positive: number | null,
  opts: HeadlineOptions = {},
): Headline[] {
  const rowOf = new Map(rows.map((r) => [r.id, r]));
  const metric = positive === null ? 'macro F1' : 'F1';
  const alpha = opts.alpha ?? 0.05;
  const level = `${Math.round((1 - alpha) * 100)}%`;
  const stat = headlineStat(nClasses, positive);
  const valueOf = (c: Condition) => {
    const m = rowOf.get(c.id)?.metrics;
    return m ? (m.f1 ?? m.macroF1) : stat(yTrue, c.preds);
  };
  let positives = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === positive) positives++;
  const testSet: TestSetSize = { n: yTrue.length, positives: positive === null ? null : positives };
  // The table carries the full warning; each sentence here says what it means for that sentence.
  const reason = smallSampleReason(testSet, positive === null ? undefined : opts.labelNames?.[positive]);
  const small = reason !== null;
  // Why the two tests can disagree, in one clause.
  const weighs =
    positive === null
      ? 'macro F1 weighs every class equally, accuracy every text'
      : 'F1 looks only at the positive class, accuracy at every text';

  const contrast = (kind: HeadlineKind, a: Condition, b: Condition, paper: number | undefined, note: string): Headline => {
    const diff = pairedDiffCI(yTrue, a.preds, b.preds, stat, opts);
    const mc = mcnemar(yTrue, a.preds, b.preds);
    const d = diff.estimate;
    const head = !Number.isFinite(d)
      ? `${a.name} vs ${b.name}: ${metric} is undefined for at least one of them on this test set`
      : Math.abs(d) < 0.0005
        ? `${a.name} and ${b.name} score the same ${metric} to three decimals (${f3(valueOf(a))})`
        : `${a.name} is ${f3(Math.abs(d))} ${metric} ${d < 0 ? 'below' : 'above'} ${b.name} (${f3(valueOf(a))} vs ${f3(valueOf(b))})`;
    const interval = `paired ${level} bootstrap CI of the ${metric} difference ${f3(diff.lo)} to ${f3(diff.hi)}`;
    const dropped = diff.dropped ? ` (${diff.dropped} resamples where ${metric} was undefined left out)` : '';
    const test =
      `McNemar's test of whether the two disagree on which texts they get right (accuracy): ` +
      `${mc.b} text${mc.b === 1 ? '' : 's'} only ${a.name} gets right, ${mc.c} only ${b.name}, ${pText(mc.pValue)}.`;
    const text = `${head}; ${interval}${dropped}. ${test} ${small ? `${reason}: too few for either test to tell whether the two differ.` : evidence(a, b, diff, mc)}${note ? ` ${note}` : ''}`;
    return {
      kind,
      text,
      a: a.id,
      b: b.id,
      diff,
      mcnemar: mc,
      ...(paper === undefined ? {} : { paper }),
      ...(small ? { smallSample: true } : {}),
    };
  };

  /** What the two tests say together, for a test set large enough to say it. */
  const evidence = (a: Condition, b: Condition, diff: CI, mc: McNemarResult): string => {
    const f1Differs = diff.lo > 0 || diff.hi < 0;
    const accDiffers = mc.pValue < alpha && mc.b !== mc.c;
    if (f1Differs && accDiffers) {
      const [higher, lower] = diff.lo > 0 ? [a, b] : [b, a];
      return diff.lo > 0 === mc.b > mc.c
        ? `Both point the same way: the ${metric} interval excludes zero and McNemar's test finds a difference in accuracy, so the difference is unlikely to be resampling noise.`
        : `The two point different ways: ${higher.name} has the higher ${metric} (the interval excludes zero), but McNemar's test finds that ${lower.name} gets more texts right (${weighs}).`;
    }
    if (f1Differs) {
      return `The two point different ways: the ${metric} interval excludes zero, so the ${metric} difference is unlikely to be resampling noise, but McNemar's test finds no clear difference in accuracy (${weighs}).`;
    }
    if (accDiffers) {
      return `The two point different ways: the ${metric} interval includes zero, so this test set cannot tell their ${metric} apart, but McNemar's test finds they differ in accuracy (${weighs}).`;
    }
    return `Neither the ${metric} interval nor McNemar's test separates the two: this test set cannot tell them apart.`;
  };

  const students = conditions.filter((c) => c.kind === 'student');
  const llm = students.filter((c) => c.trainSource === 'llm' && !c.consistencyFilter).sort(bySizeDesc);
  const human = students.filter((c) => c.trainSource === 'human' && !c.consistencyFilter);
  const out: Headline[] = [];

  const pairs: [Condition, Condition][] = [];
  for (const h of human) {
    const same = llm.filter((l) => l.encoder === h.encoder);
    const l = same.find((c) => c.trainSize === h.trainSize) ?? same[0];
    if (l) pairs.push([l, h]);
  }
  for (const [l, h] of pairs) {
    out.push(
      contrast(
        'llm-vs-human',
        l,
        h,
        PAPER.gapHuman,
        `Pangakis & Wolken (2024) report a median gap of ${PAPER.gapHuman.toFixed(3)} F1 in favour of students trained on human labels across 14 tasks.`,
      ),
    );
  }

  const teacher = conditions.find((c) => c.kind === 'teacher');
  if (teacher) {
    const seen = new Set<string | null>();
    for (const l of llm) {
      if (seen.has(l.encoder)) continue;
      seen.add(l.encoder);
      const h = contrast(
        'student-vs-teacher',
        l,
        teacher,
        PAPER.gapTeacher,
        `Pangakis & Wolken (2024) report a median difference of only ${PAPER.gapTeacher.toFixed(3)} F1 between students trained on GPT-4 labels and GPT-4 few-shot (median F1 ${PAPER.bertF1.toFixed(3)} vs ${PAPER.gpt4F1.toFixed(3)}).`,
      );
      // Positive-class F1 alone rewards predicting the class more often: its companions beside it.
      const ms = rowOf.get(l.id)?.metrics;
      const mt = rowOf.get(teacher.id)?.metrics;
      const companions =
        ms && mt && positive !== null
          ? ` Beside it: macro F1 ${f3(ms.macroF1)} vs ${f3(mt.macroF1)}, κ ${ms.kappa === null ? 'undefined' : f3(ms.kappa)} vs ${mt.kappa === null ? 'undefined' : f3(mt.kappa)}, ` +
            `predicting the positive class for ${pct(ms.predictedPositiveRate)} vs ${pct(mt.predictedPositiveRate)} of test texts (true share ${pct(ms.truePositiveRate)}).`
          : '';
      // A degenerate student is never reported as better than its teacher, whatever its F1.
      const verdict = l.degenerate?.length
        ? `${l.name} is not a usable surrogate of ${teacher.name}, whatever its ${metric}: ${l.degenerate.join(' ')} `
        : '';
      out.push({ ...h, text: `${verdict}${h.text}${companions}` });
    }
  }

  // Prefer a pair trained on equally many labels for the trade-off sentence.
  const first = pairs.find(([l, h]) => l.trainSize === h.trainSize) ?? pairs[0];
  const rl = first && rowOf.get(first[0].id)?.metrics;
  const rh = first && rowOf.get(first[1].id)?.metrics;
  if (positive !== null && first && rl && rh && rl.recall !== null && rh.recall !== null) {
    // With an undefined precision the trade-off cannot be read off the numbers.
    const comparable = isDefined(rl, 'precision') && isDefined(rh, 'precision');
    const matches = comparable && rl.recall > rh.recall && (rl.precision ?? 0) < (rh.precision ?? 0);
    const text =
      `${first[0].name} has recall ${f3(rl.recall)} and ${precisionText(rl)}, predicting the positive class for ${pct(rl.predictedPositiveRate)} of test items (true share ${pct(rl.truePositiveRate)}); ` +
      `${first[1].name} has recall ${f3(rh.recall)} and ${precisionText(rh)} (predicts ${pct(rh.predictedPositiveRate)} positive). ` +
      (matches
        ? `This matches Pangakis & Wolken (2024), where students trained on LLM labels gained recall (median ${PAPER.llmRecall.toFixed(2)}) at the cost of precision.`
        : `Pangakis & Wolken (2024) found that students trained on LLM labels gained recall (median ${PAPER.llmRecall.toFixed(2)}) at the cost of precision; this run ${comparable ? 'does not show that pattern' : 'cannot show it, as one precision is undefined'}.`) +
      (small ? ` ${reason}: too few to read a pattern into.` : '');
    out.push({
      kind: 'precision-recall',
      text,
      a: first[0].id,
      b: first[1].id,
      paper: PAPER.llmRecall,
      ...(small ? { smallSample: true } : {}),
    });
  }

  for (const f of students.filter((c) => c.trainSource === 'llm' && c.consistencyFilter)) {
    const same = llm.filter((l) => l.encoder === f.encoder);
    const pool = [...same].reverse().find((l) => size(l) >= size(f)) ?? same[0];
    if (!pool) continue;
    const sizes =
      f.trainSize !== null && pool.trainSize !== null ? ` It was trained on ${f.trainSize} texts instead of ${pool.trainSize}.` : '';
    out.push(
      contrast(
        'consistency-filter',
        f,
        pool,
        undefined,
        `Filter: keep only texts whose repeated LLM answers all agreed (consistency = 1).${sizes}`,
      ),
    );
  }
  return out;
}
