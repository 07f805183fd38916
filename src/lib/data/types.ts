// Shapes shared by the import, mapping and split steps. Other stages import
// DataRow from here; changing it touches the whole app.
import type { LabelFlag } from './labels';

/** One imported text. `human` is a codebook label name, or null when unlabeled. */
export interface DataRow {
  id: string;
  text: string;
  human: string | null;
  /** hashText(text): stable key for caches (LLM labels, embeddings). */
  hash: string;
  /** Set when the import cut the text to its character limit: the length it had before. */
  truncatedFrom?: number;
}

/** A parsed file before column mapping: every cell is a string, rows align with columns. */
export interface RawTable {
  columns: string[];
  rows: string[][];
  /** Rows (1-based data rows; 0 = the header) whose stray control characters were taken out; set only when there were any. */
  cleaned?: RowList;
  /** How many such characters. */
  strayChars?: number;
  /** How the bytes were decoded, when it was not plain UTF-8 ("Read as UTF-16LE text …"). */
  encodingNote?: string;
  /** Lines (1-based, in the file) that repeated the header row and were skipped: files pasted together. */
  repeatedHeaders?: RowList;
}

/** Which columns hold the text, the row id and the human label. */
export interface ColumnMapping {
  text: string;
  id: string | null;
  label: string | null;
}

/** A count plus the first few 1-based data-row numbers (header not counted). */
export interface RowList {
  count: number;
  /** Capped at ROW_LIST_CAP entries; `count` is the full number. */
  rows: number[];
}

export const ROW_LIST_CAP = 50;

/** What applyMapping did, for the import preview. */
export interface ImportReport {
  /** Data rows in the file. */
  rows: number;
  /** Rows that became DataRows (rows minus empty texts). */
  imported: number;
  /** Rows left out because the text cell was empty or whitespace. */
  emptyTexts: RowList;
  /** Rows whose text (after trimming, NFC) repeats an earlier row; they are kept. */
  duplicateTexts: RowList;
  /** Raw (unmapped) label values among imported rows and how often each occurs. */
  labelValues: Record<string, number>;
  /** Imported rows without a human label (empty cell or mapped to null). */
  unlabeled: number;
  /** Imported rows whose raw label was mapped to null by the label map. */
  excludedLabels: number;
  /** Texts longer than the caller's maxChars (0 when none was given). */
  tooLong: number;
  /** Those rows with their length in characters (before any cut). */
  longTexts: LongRowList;
  /** Rows whose text was cut to the character limit, with their length before. */
  truncated: LongRowList;
  /** Human label values outside the codebook, or stray-looking ones without a codebook (see labels.ts). */
  labelFlags: LabelFlag[];
}

/** Like RowList, with each row's length in characters. */
export interface LongRowList {
  count: number;
  /** Capped at ROW_LIST_CAP entries, in row order. */
  rows: { row: number; chars: number }[];
}

/** Row ids per split. Validation and test hold only human-labeled rows. */
export interface Splits {
  seed: number;
  validation: string[];
  test: string[];
  pool: string[];
}

export interface SplitSizes {
  validation: number;
  test: number;
}
