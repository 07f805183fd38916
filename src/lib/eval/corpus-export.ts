// The labelled corpus as CSV or JSON Lines: each text with its human label,
// every LLM answer, the majority label, its consistency, and the student's
// prediction. CSV cells are RFC 4180-quoted and guarded against formula
// injection (see csv.ts); JSON Lines needs no guard, as it is never evaluated.
import { toCsv, type CsvValue } from './csv';

/** One text of the corpus, as the Export step sees it. Labels are names. */
export interface CorpusItem {
  id: string;
  text: string;
  human: string | null;
  /** The LLM's answer on each repeat; null where it gave no valid label. */
  answers: (string | null)[];
  majority: string | null;
  /** Share of answers agreeing with the majority, 0..1. */
  consistency: number | null;
  /** The student's probability for its predicted label (or the positive class). */
  studentProb: number | null;
  studentLabel: string | null;
}

export interface CorpusCsvOptions {
  /** Prepend a UTF-8 byte-order mark so Excel shows non-ASCII text correctly. */
  bom?: boolean;
}

// Enough digits for any consistency k/R and any probability a reader needs,
// without 17-digit float noise.
const round4 = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : Number(x.toFixed(4)));
// JSON has no NaN/Infinity; full precision otherwise.
const finite = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : x);

/**
 * CSV with columns id, text, human, answer_1..answer_R (R = the most answers
 * any item has), majority, consistency, student_prob, student_label.
 * Empty cells stand for null.
 */
export function labeledCorpusCsv(items: readonly CorpusItem[], opts: CorpusCsvOptions = {}): string {
  const repeats = items.reduce((m, it) => Math.max(m, it.answers.length), 0);
  const answerCols = Array.from({ length: repeats }, (_, i) => `answer_${i + 1}`);
  const header = ['id', 'text', 'human', ...answerCols, 'majority', 'consistency', 'student_prob', 'student_label'];
  const rows = items.map((it): CsvValue[] => [
    it.id,
    it.text,
    it.human,
    ...Array.from({ length: repeats }, (_, i) => it.answers[i] ?? null),
    it.majority,
    round4(it.consistency),
    round4(it.studentProb),
    it.studentLabel,
  ]);
  return toCsv(header, rows, opts.bom);
}

/**
 * JSON Lines: one object per text with keys id, text, human, answers (array),
 * majority, consistency, student_prob, student_label; '\n' after every line.
 */
export function labeledCorpusJsonl(items: readonly CorpusItem[]): string {
  return items
    .map(
      (it) =>
        `${JSON.stringify({
          id: it.id,
          text: it.text,
          human: it.human,
          answers: it.answers,
          majority: it.majority,
          consistency: finite(it.consistency),
          student_prob: finite(it.studentProb),
          student_label: it.studentLabel,
        })}\n`,
    )
    .join('');
}
