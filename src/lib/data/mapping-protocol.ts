// Messages for mapping.worker.ts, declared once. The table is sent once and
// kept in the worker; each mapping change only sends the mapping, so a
// 100,000-row file is neither re-cloned nor mapped on the page's thread.
// Big tables cross in slices of rows (SLICE_ROWS) both ways: cloning a
// million rows in one message would hold the page for seconds. A file is
// better still parsed here ('parse'): the Blob crosses by reference and the
// page never holds the parsed table, only its head (TableInfo) and, later,
// the mapped rows.
import type { ImportErrorKind } from './errors';
import type { ParseOptions } from './parse';
import type { ColumnMapping, DataRow, ImportReport, RawTable } from './types';

/** Rows per message, each way. */
export const SLICE_ROWS = 20_000;

/** Parsed rows the page gets back with a table's description. */
export const HEAD_ROWS = 20;

/** A table the worker holds, as the page sees it: its first HEAD_ROWS rows, its size and the guessed mapping. */
export interface TableInfo {
  table: RawTable;
  rowCount: number;
  guess: ColumnMapping;
}

export interface MapOptions {
  labelMap?: Record<string, string | null>;
  maxChars?: number;
}

export type MappingRequest =
  /** The table, its rows in slices: `append` adds `table.rows` to the rows sent before; the last slice has `done`. */
  | { type: 'load'; id: number; table: RawTable; append?: boolean; done?: boolean }
  | { type: 'apply'; id: number; mapping: ColumnMapping; opts: MapOptions }
  /** Parse a file in the worker and keep its table (replaces any table loaded before). */
  | { type: 'parse'; id: number; file: Blob; name: string; opts: ParseOptions }
  /** The distinct raw values of a column, sorted, at most `cap`. */
  | { type: 'labels'; id: number; column: string; cap: number }
  /**
   * Store the rows of apply request `of` as project `projectId`'s dataset
   * (store.putRows, from the worker: the page never clones them into IndexedDB).
   */
  | { type: 'store'; id: number; projectId: string; of: number };

export type MappingReply =
  | { type: 'loaded'; id: number }
  /** A slice of the result's rows, in order, before 'result' (which carries the last slice). */
  | { type: 'rows'; id: number; rows: DataRow[] }
  | { type: 'result'; id: number; rows: DataRow[]; report: ImportReport }
  | { type: 'error'; id: number; message: string }
  | { type: 'progress'; id: number; frac: number }
  | { type: 'parsed'; id: number; info: TableInfo }
  /** The file could not be read: an ImportError's kind and row cross with its message. */
  | { type: 'parse-failed'; id: number; message: string; kind?: ImportErrorKind; row?: number }
  | { type: 'labels'; id: number; values: string[] }
  | { type: 'stored'; id: number; rows: number };
