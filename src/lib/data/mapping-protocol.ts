// Messages for mapping.worker.ts, declared once. The table is sent once
// ('load') and kept in the worker; each mapping change only sends the mapping,
// so a 100,000-row file is neither re-cloned nor mapped on the page's thread.
import type { ColumnMapping, DataRow, ImportReport, RawTable } from './types';

export interface MapOptions {
  labelMap?: Record<string, string | null>;
  maxChars?: number;
}

export type MappingRequest =
  | { type: 'load'; id: number; table: RawTable }
  | { type: 'apply'; id: number; mapping: ColumnMapping; opts: MapOptions };

export type MappingReply =
  | { type: 'loaded'; id: number }
  | { type: 'result'; id: number; rows: DataRow[]; report: ImportReport }
  | { type: 'error'; id: number; message: string };
