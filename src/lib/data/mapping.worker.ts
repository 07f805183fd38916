// Thin shell: applies a column mapping to the loaded table off the main thread.
import { applyMapping } from './mapping';
import type { MappingReply, MappingRequest } from './mapping-protocol';
import type { RawTable } from './types';

let table: RawTable | null = null;
const reply = (r: MappingReply) => postMessage(r);

self.onmessage = (e: MessageEvent<MappingRequest>) => {
  const req = e.data;
  if (req.type === 'load') {
    table = req.table;
    return reply({ type: 'loaded', id: req.id });
  }
  try {
    if (!table) throw new Error('No file is loaded.');
    reply({ type: 'result', id: req.id, ...applyMapping(table, req.mapping, req.opts) });
  } catch (err) {
    reply({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) });
  }
};
