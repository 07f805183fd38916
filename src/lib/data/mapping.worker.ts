// Thin shell: parses a file (or takes a table from the page) and applies a
// column mapping to it off the main thread.
import { applyMapping, guessMapping, rawLabelValues } from './mapping';
import { HEAD_ROWS, SLICE_ROWS, type MappingReply, type MappingRequest } from './mapping-protocol';
import { parseFile } from './parse';
import { requireTextColumns } from './columns';
import { ImportError } from './errors';
import type { DataRow, RawTable } from './types';
import { putRows } from '../store/rows';

let table: RawTable | null = null;
/** The rows of the latest apply, kept for 'store'. */
let mapped: { of: number; rows: DataRow[] } | null = null;
const reply = (r: MappingReply) => postMessage(r);

async function store(req: Extract<MappingRequest, { type: 'store' }>): Promise<void> {
  try {
    if (!mapped || mapped.of !== req.of) throw new Error('The column mapping changed meanwhile: import again.');
    await putRows(req.projectId, mapped.rows);
    reply({ type: 'stored', id: req.id, rows: mapped.rows.length });
  } catch (err) {
    reply({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) });
  }
}

async function parse(req: Extract<MappingRequest, { type: 'parse' }>): Promise<void> {
  table = null;
  mapped = null;
  try {
    const t = await parseFile(req.file, req.name, (frac) => reply({ type: 'progress', id: req.id, frac }), req.opts);
    requireTextColumns(t);
    const guess = guessMapping(t);
    table = t;
    reply({ type: 'parsed', id: req.id, info: { table: { ...t, rows: t.rows.slice(0, HEAD_ROWS) }, rowCount: t.rows.length, guess } });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    reply(
      err instanceof ImportError
        ? { type: 'parse-failed', id: req.id, message, kind: err.kind, row: err.row }
        : { type: 'parse-failed', id: req.id, message },
    );
  }
}

self.onmessage = (e: MessageEvent<MappingRequest>) => {
  const req = e.data;
  if (req.type === 'parse') return void parse(req);
  if (req.type === 'store') return void store(req);
  if (req.type === 'load') {
    if (req.append && table) for (const r of req.table.rows) table.rows.push(r);
    else table = req.table;
    mapped = null;
    if (req.done !== false) reply({ type: 'loaded', id: req.id });
    return;
  }
  try {
    if (!table) throw new Error('No file is loaded.');
    if (req.type === 'labels') return reply({ type: 'labels', id: req.id, values: rawLabelValues(table, req.column).slice(0, req.cap) });
    mapped = null;
    const { rows, report } = applyMapping(table, req.mapping, req.opts);
    mapped = { of: req.id, rows };
    // In slices: the page deserialises each message in its own task.
    let at = 0;
    for (; at + SLICE_ROWS < rows.length; at += SLICE_ROWS) reply({ type: 'rows', id: req.id, rows: rows.slice(at, at + SLICE_ROWS) });
    reply({ type: 'result', id: req.id, rows: rows.slice(at), report });
  } catch (err) {
    reply({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) });
  }
};
