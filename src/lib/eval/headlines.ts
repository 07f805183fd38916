// Findings sentences generated from the numbers, in the shape of the paper's:
// student on LLM labels vs on human labels, student vs its LLM teacher, the
// recall/precision trade-off, and the effect of the consistency filter.
import { headlineStat, pairedDiffCI, type BootstrapOptions, type CI } from './bootstrap';
import type { ComparisonRow, Condition } from './compare';
import { mcnemar, type McNemarResult } from './mcnemar';
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
  mcnemar?: McNemarResult;
  /** The matching paper median, when there is one. */
  paper?: number;
}

export type HeadlineOptions = BootstrapOptions;

const f3 = fmt3;
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const pText = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);
const size = (c: Condition) => c.trainSize ?? 0;
const bySizeDesc = (a: Condition, b: Condition) => size(b) - size(a);

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
  const level = `${Math.round((1 - (opts.alpha ?? 0.05)) * 100)}%`;
  const stat = headlineStat(nClasses, positive);
  const valueOf = (c: Condition) => {
    const m = rowOf.get(c.id)?.metrics;
    return m ? (m.f1 ?? m.macroF1) : stat(yTrue, c.preds);
  };

  const contrast = (kind: HeadlineKind, a: Condition, b: Condition, paper: number | undefined, note: string): Headline => {
    const diff = pairedDiffCI(yTrue, a.preds, b.preds, stat, opts);
    const mc = mcnemar(yTrue, a.preds, b.preds);
    const d = diff.estimate;
    const head =
      Math.abs(d) < 0.0005
        ? `${a.name} and ${b.name} score the same ${metric} to three decimals (${f3(valueOf(a))})`
        : `${a.name} is ${f3(Math.abs(d))} ${metric} ${d < 0 ? 'below' : 'above'} ${b.name} (${f3(valueOf(a))} vs ${f3(valueOf(b))})`;
    const excludesZero = diff.lo > 0 || diff.hi < 0;
    const evidence = excludesZero
      ? 'The interval excludes zero, so the difference is unlikely to be resampling noise.'
      : 'The interval includes zero: this test set cannot tell the two apart.';
    const text = `${head}; paired ${level} CI of the difference ${f3(diff.lo)} to ${f3(diff.hi)}, McNemar ${pText(mc.pValue)}. ${evidence}${note ? ` ${note}` : ''}`;
    return { kind, text, a: a.id, b: b.id, diff, mcnemar: mc, ...(paper === undefined ? {} : { paper }) };
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
      out.push(
        contrast(
          'student-vs-teacher',
          l,
          teacher,
          PAPER.gapTeacher,
          `Pangakis & Wolken (2024) report a median difference of only ${PAPER.gapTeacher.toFixed(3)} F1 between students trained on GPT-4 labels and GPT-4 few-shot (median F1 ${PAPER.bertF1.toFixed(3)} vs ${PAPER.gpt4F1.toFixed(3)}).`,
        ),
      );
    }
  }

  // Prefer a pair trained on equally many labels for the trade-off sentence.
  const first = pairs.find(([l, h]) => l.trainSize === h.trainSize) ?? pairs[0];
  const rl = first && rowOf.get(first[0].id)?.metrics;
  const rh = first && rowOf.get(first[1].id)?.metrics;
  if (positive !== null && first && rl && rh && rl.recall !== null && rl.precision !== null && rh.recall !== null && rh.precision !== null) {
    const matches = rl.recall > rh.recall && rl.precision < rh.precision;
    const text =
      `${first[0].name} has recall ${f3(rl.recall)} and precision ${f3(rl.precision)}, predicting the positive class for ${pct(rl.predictedPositiveRate)} of test items (true share ${pct(rl.truePositiveRate)}); ` +
      `${first[1].name} has recall ${f3(rh.recall)} and precision ${f3(rh.precision)} (predicts ${pct(rh.predictedPositiveRate)} positive). ` +
      (matches
        ? `This matches Pangakis & Wolken (2024), where students trained on LLM labels gained recall (median ${PAPER.llmRecall.toFixed(2)}) at the cost of precision.`
        : `Pangakis & Wolken (2024) found that students trained on LLM labels gained recall (median ${PAPER.llmRecall.toFixed(2)}) at the cost of precision; this run does not show that pattern.`);
    out.push({ kind: 'precision-recall', text, a: first[0].id, b: first[1].id, paper: PAPER.llmRecall });
  }

  for (const f of students.filter((c) => c.trainSource === 'llm' && c.consistencyFilter)) {
    const same = llm.filter((l) => l.encoder === f.encoder);
    const pool = [...same].reverse().find((l) => size(l) >= size(f)) ?? same[0];
    if (!pool) continue;
    const sizes =
      f.trainSize !== null && pool.trainSize !== null ? ` It was trained on ${f.trainSize} texts instead of ${pool.trainSize}.` : '';
    out.push(contrast('consistency-filter', f, pool, undefined, `Filter: keep only texts whose repeated LLM answers all agreed (consistency = 1).${sizes}`));
  }
  return out;
}
