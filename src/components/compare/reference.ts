// The paper's reference numbers beside this run's, row by row. Pure.
import { PAPER_REFERENCE as P } from '$lib/eval/paper';
import type { ResultRow } from '$lib/experiment/experiment';
import { capitalised, headlineMetric } from './chart-text';

export interface ReferenceLine {
  what: string;
  paper: number;
  ours: number | null;
  /** A difference (shown with its sign) rather than a score. */
  difference: boolean;
  /** Which conditions "ours" comes from, or why it is missing. */
  note: string;
}

const f1 = (r: ResultRow) => r.metrics.f1 ?? r.metrics.macroF1;
const has = (r: ResultRow, kind: string) => r.roles.some((x) => x.kind === kind);

/**
 * Pangakis & Wolken's medians (14 tasks, GPT-4 teacher, fine-tuned BERT-family
 * students) beside this run's single-task numbers. Without a positive class
 * this run's numbers are macro F1, and the lines say so beside the paper's F1.
 */
export function referenceLines(rows: readonly ResultRow[]): ReferenceLine[] {
  const metric = headlineMetric(rows);
  const M = capitalised(metric);
  const paperToo = metric === 'F1' ? '' : ' (paper: F1)';
  const main = rows.find((r) => has(r, 'main'));
  const teacher = rows.find((r) => r.kind === 'teacher');
  const humans = rows.filter((r) => has(r, 'human'));
  const human = humans.find((h) => h.trainSize === main?.trainSize) ?? humans.at(-1);
  const missing = (what: string) => `no ${what} in this run`;
  return [
    {
      what: `${M} of the student on LLM labels${paperToo}`,
      paper: P.bertF1,
      difference: false,
      ours: main ? f1(main) : null,
      note: main ? main.name : missing('student on LLM labels'),
    },
    {
      what: `${M} of the LLM few-shot (teacher)${paperToo}`,
      paper: P.gpt4F1,
      difference: false,
      ours: teacher ? f1(teacher) : null,
      note: teacher ? teacher.name : missing('teacher on the test set'),
    },
    {
      what: `LLM few-shot minus student on LLM labels (${metric}${paperToo ? '; paper: F1' : ''})`,
      paper: P.medianGapStudentVsLlm,
      difference: true,
      ours: main && teacher ? f1(teacher) - f1(main) : null,
      note: main && teacher ? `${teacher.name} − ${main.name}` : missing('pair'),
    },
    {
      what: `Student on human labels minus student on LLM labels (${metric}${paperToo ? '; paper: F1' : ''})`,
      paper: P.medianGapStudentLlmVsHuman,
      difference: true,
      ours: main && human ? f1(human) - f1(main) : null,
      note: main && human ? `${human.name} − ${main.name}` : missing('student on human labels'),
    },
    {
      what: 'Recall of the student on LLM labels',
      paper: P.llmStudentRecall,
      difference: false,
      ours: main?.metrics.recall ?? null,
      note: main ? main.name : missing('student on LLM labels'),
    },
  ];
}
