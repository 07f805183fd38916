// The labelled corpus as CSV or JSON Lines: each text with its human label,
// every LLM answer, the majority label, its consistency, and the student's
// prediction. CSV cells are RFC 4180-quoted and guarded against formula
// injection (see csv.ts); JSON Lines needs no guard, as it is never evaluated.
import { csvCell, toCsv, type CsvValue } from './csv';
import { argmaxRow } from '../train/metrics';
import { positionsOf } from '../store/packed-ids';
import type { PredictionsView } from './validation';
import { eachSliced, Slicer } from '../store/yield';

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

/** The header: id, text, human, answer_1..answer_R, majority, consistency, student_prob, student_label. */
function csvHeader(repeats: number): string[] {
  const answerCols = Array.from({ length: repeats }, (_, i) => `answer_${i + 1}`);
  return ['id', 'text', 'human', ...answerCols, 'majority', 'consistency', 'student_prob', 'student_label'];
}

function csvValues(it: CorpusItem, repeats: number): CsvValue[] {
  return [
    it.id,
    it.text,
    it.human,
    ...Array.from({ length: repeats }, (_, i) => it.answers[i] ?? null),
    it.majority,
    round4(it.consistency),
    round4(it.studentProb),
    it.studentLabel,
  ];
}

function jsonLine(it: CorpusItem): string {
  return `${JSON.stringify({
    id: it.id,
    text: it.text,
    human: it.human,
    answers: it.answers,
    majority: it.majority,
    consistency: finite(it.consistency),
    student_prob: finite(it.studentProb),
    student_label: it.studentLabel,
  })}\n`;
}

const mostAnswers = (items: readonly CorpusItem[]) => items.reduce((m, it) => Math.max(m, it.answers.length), 0);

/**
 * CSV with columns id, text, human, answer_1..answer_R (R = the most answers
 * any item has), majority, consistency, student_prob, student_label.
 * Empty cells stand for null.
 */
export function labeledCorpusCsv(items: readonly CorpusItem[], opts: CorpusCsvOptions = {}): string {
  const repeats = mostAnswers(items);
  return toCsv(
    csvHeader(repeats),
    items.map((it) => csvValues(it, repeats)),
    opts.bom,
  );
}

/**
 * JSON Lines: one object per text with keys id, text, human, answers (array),
 * majority, consistency, student_prob, student_label; '\n' after every line.
 */
export function labeledCorpusJsonl(items: readonly CorpusItem[]): string {
  return items.map(jsonLine).join('');
}

/**
 * A corpus read one item at a time, so a million texts never stand on the
 * page as a million objects at once. `repeats` is the number of answer columns
 * (the most answers any item has).
 */
export interface CorpusSource {
  length: number;
  repeats: number;
  /** Work done once, in slices, before the first item is read (labeledCorpusFile calls it). */
  prepare?(slicer?: Slicer): Promise<void>;
  item(i: number): CorpusItem;
}

/** The student's columns of each row of a corpus file. */
export interface StudentColumns {
  /** Finds each row's prediction; once, before `of`. */
  prepare(slicer?: Slicer): Promise<void>;
  /** Row `r`'s predicted label and the probability it gave that label (nulls where it has not labelled the row). */
  of(r: number): { label: string | null; prob: number | null };
}

const NO_STUDENT = { label: null, prob: null };

/**
 * The student's columns for `rows` from its predictions. Each row's
 * prediction is found by position when the stored ids are the rows' ids in
 * order (labelCorpus stores them so; checked in slices without building an
 * id string), through a map of the ids otherwise (rows added or reordered
 * since): the page never holds the ids as a list unless it must.
 */
export function studentColumns(p: PredictionsView, rows: readonly { id: string }[]): StudentColumns {
  const k = p.labels.length;
  let positions: Int32Array | null | undefined; // null: row r is prediction r
  return {
    async prepare(slicer) {
      positions = await positionsOf(p.ids, rows.length, (r) => rows[r].id, slicer);
    },
    of(r) {
      if (positions === undefined) throw new Error('studentColumns: prepare() before of().');
      const i = positions === null ? r : positions[r];
      if (i < 0) return NO_STUDENT;
      const best = argmaxRow(p.probs, k, i);
      return { label: p.labels[best], prob: p.probs[i * k + best] };
    },
  };
}

export interface CorpusFileOptions extends CorpusCsvOptions {
  format: 'csv' | 'jsonl';
  pause?: () => Promise<void>;
  sliceMs?: number;
  /** Rows written so far, after each slice. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The labelled corpus as a file (the same bytes as labeledCorpusCsv /
 * labeledCorpusJsonl), written in slices that yield: each slice's text is
 * turned into its own Blob at once, so neither the page's heap nor one task
 * ever holds the whole file (the final Blob only references the parts).
 */
export async function labeledCorpusFile(src: CorpusSource, opts: CorpusFileOptions): Promise<Blob> {
  await src.prepare?.(new Slicer(opts.pause, opts.sliceMs));
  const csv = opts.format === 'csv';
  const parts: Blob[] = [];
  let lines: string[] = [];
  if (csv) lines.push(`${opts.bom ? '\uFEFF' : ''}${csvHeader(src.repeats).map(csvCell).join(',')}\r\n`);
  const flush = () => {
    if (lines.length > 0) parts.push(new Blob([lines.join('')]));
    lines = [];
  };
  await eachSliced(
    src.length,
    (i) => {
      const it = src.item(i);
      lines.push(csv ? `${csvValues(it, src.repeats).map(csvCell).join(',')}\r\n` : jsonLine(it));
    },
    {
      pause: opts.pause,
      sliceMs: opts.sliceMs,
      onSlice: (done) => {
        flush();
        opts.onProgress?.(done, src.length);
      },
    },
  );
  flush();
  return new Blob(parts, { type: csv ? 'text/csv;charset=utf-8' : 'application/jsonl' });
}
