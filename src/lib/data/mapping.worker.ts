// Thin shell: applies a column mapping to the loaded table off the main thread.
import { applyMapping } from './mapping';
import { SLICE_ROWS, type MappingReply, type MappingRequest } from './mapping-protocol';
import type { RawTable } from './types';

let table: RawTable | null = null;
const reply = (r: MappingReply) => postMessage(r);

self.onmessage = (e: MessageEvent<MappingRequest>) => {
  const req = e.data;
  if (req.type === 'load') {
    if (req.append && table) for (const r of req.table.rows) table.rows.push(r);
    else table = req.table;
    if (req.done !== false) reply({ type: 'loaded', id: req.id });
    return;
  }
  try {
    if (!table) throw new Error('No file is loaded.');
    const { rows, report } = applyMapping(table, req.mapping, req.opts);
    // In slices: the page deserialises each message in its own task.
    let at = 0;
    for (; at + SLICE_ROWS < rows.length; at += SLICE_ROWS) reply({ type: 'rows', id: req.id, rows: rows.slice(at, at + SLICE_ROWS) });
    reply({ type: 'result', id: req.id, rows: rows.slice(at), report });
  } catch (err) {
    reply({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) });
  }
};
