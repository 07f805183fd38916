// Messages for mapping.worker.ts, declared once. The table is sent once and
// kept in the worker; each mapping change only sends the mapping, so a
// 100,000-row file is neither re-cloned nor mapped on the page's thread.
// Big tables cross in slices of rows (SLICE_ROWS) both ways: cloning a
// million rows in one message would hold the page for seconds.
import type { ColumnMapping, DataRow, ImportReport, RawTable } from './types';

/** Rows per message, each way. */
export const SLICE_ROWS = 20_000;

export interface MapOptions {
  labelMap?: Record<string, string | null>;
  maxChars?: number;
}

export type MappingRequest =
  /** The table, its rows in slices: `append` adds `table.rows` to the rows sent before; the last slice has `done`. */
  | { type: 'load'; id: number; table: RawTable; append?: boolean; done?: boolean }
  | { type: 'apply'; id: number; mapping: ColumnMapping; opts: MapOptions };

export type MappingReply =
  | { type: 'loaded'; id: number }
  /** A slice of the result's rows, in order, before 'result' (which carries the last slice). */
  | { type: 'rows'; id: number; rows: DataRow[] }
  | { type: 'result'; id: number; rows: DataRow[]; report: ImportReport }
  | { type: 'error'; id: number; message: string };
