// The mapper and its worker in-process (a stand-in Worker that structured-
// clones each message, as the browser does): a big table crosses in slices
// both ways, and the rows come back whole and in order.
import { describe, expect, it, vi } from 'vitest';
import { applyMapping } from '../data/mapping';
import { SLICE_ROWS, type MappingReply, type MappingRequest } from '../data/mapping-protocol';
import type { RawTable } from '../data/types';

const sent: { type: string; rows?: number }[] = [];
const received: MappingReply[] = [];
let toWorker: ((e: { data: MappingRequest }) => void) | null = null;
let toPage: ((e: { data: MappingReply }) => void) | null = null;

class FakeWorker {
  onmessage: ((e: { data: MappingReply }) => void) | null = null;
  onerror: unknown = null;
  constructor() {
    toPage = (e) => this.onmessage?.(e);
  }
  postMessage(msg: MappingRequest) {
    const data = structuredClone(msg);
    sent.push({ type: data.type, rows: data.type === 'load' ? data.table.rows.length : undefined });
    setTimeout(() => toWorker?.({ data }), 0);
  }
  terminate() {}
}
vi.stubGlobal('Worker', FakeWorker);
vi.stubGlobal('self', globalThis);
vi.stubGlobal('postMessage', (r: MappingReply) => {
  const data = structuredClone(r);
  received.push(data);
  setTimeout(() => toPage?.({ data }), 0);
});
await import('../data/mapping.worker');
toWorker = (globalThis as unknown as { onmessage: (e: { data: MappingRequest }) => void }).onmessage;
const { Mapper } = await import('./mapper');

describe('Mapper', () => {
  it('sends a big table and gets its rows back in slices, whole and in order', async () => {
    const n = 2 * SLICE_ROWS + 123;
    const table: RawTable = {
      columns: ['id', 'text', 'label'],
      rows: Array.from({ length: n }, (_, i) => [`r${i}`, `text ${i % 997}`, i % 2 ? 'a' : 'b']),
    };
    const mapper = new Mapper(table);
    const mapping = { text: 'text', id: 'id', label: 'label' };
    const r = await mapper.apply(mapping, {});
    const want = applyMapping(table, mapping);
    expect(r!.rows).toEqual(want.rows);
    expect(r!.report).toEqual(want.report);
    expect(sent.filter((m) => m.type === 'load').map((m) => m.rows)).toEqual([SLICE_ROWS, SLICE_ROWS, 123]);
    expect(received.filter((m) => m.type === 'rows').map((m) => m.type === 'rows' && m.rows.length)).toEqual([SLICE_ROWS, SLICE_ROWS]);
    expect(received.filter((m) => m.type === 'loaded')).toHaveLength(1);
    mapper.dispose();
  });
});
