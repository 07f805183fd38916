// The mapper and its worker in-process (a stand-in Worker that structured-
// clones each message, as the browser does): a big table crosses in slices
// both ways, and the rows come back whole and in order; a file is parsed in
// the worker and only its head comes back.
import { describe, expect, it, vi } from 'vitest';
import { applyMapping } from '../data/mapping';
import { HEAD_ROWS, SLICE_ROWS, type MappingReply, type MappingRequest } from '../data/mapping-protocol';
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
const { ImportError } = await import('../data/errors');
const store = await import('../store');

describe('Mapper', () => {
  it('sends a big table and gets its rows back in slices, whole and in order', async () => {
    const n = 2 * SLICE_ROWS + 123;
    const table: RawTable = {
      columns: ['id', 'text', 'label'],
      rows: Array.from({ length: n }, (_, i) => [`r${i}`, `text ${i % 997}`, i % 2 ? 'a' : 'b']),
    };
    const mapper = Mapper.fromTable(table);
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

  it('parses a file in the worker: the page gets the head, the size and the guess, then the mapped rows', async () => {
    const n = SLICE_ROWS + 7;
    const lines = ['id,text,label', ...Array.from({ length: n }, (_, i) => `r${i},text number ${i},${i % 3 ? 'pos' : 'neg'}`)];
    const fractions: number[] = [];
    received.length = 0;
    const mapper = await Mapper.open(new Blob([lines.join('\n')]), 'big.csv', (f) => fractions.push(f));
    expect(mapper.info.rowCount).toBe(n);
    expect(mapper.info.table.rows).toHaveLength(HEAD_ROWS);
    expect(mapper.info.table.rows[0]).toEqual(['r0', 'text number 0', 'neg']);
    expect(mapper.info.guess).toEqual({ text: 'text', id: 'id', label: 'label' });
    expect(fractions.at(-1)).toBe(1);
    expect(await mapper.labelValues('label')).toEqual(['neg', 'pos']);
    const r = await mapper.apply(mapper.info.guess, {});
    expect(r!.rows).toHaveLength(n);
    expect(r!.rows[n - 1]).toMatchObject({ id: `r${n - 1}`, text: `text number ${n - 1}`, human: 'pos' });
    expect(received.some((m) => m.type === 'parsed' && m.info.table.rows.length > HEAD_ROWS)).toBe(false);
    mapper.dispose();
  });

  it('rejects with the ImportError parsing raised, its kind and row kept', async () => {
    const bad = new Blob(['id,text\nr1,fine\nr2,"never closed\n']);
    const e = await Mapper.open(bad, 'bad.csv').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ImportError);
    expect((e as InstanceType<typeof ImportError>).kind).toBe('unbalanced-quotes');
    const empty = await Mapper.open(new Blob(['id,count\n1,2\n3,4\n']), 'numbers.csv').catch((x: unknown) => x);
    expect((empty as InstanceType<typeof ImportError>).kind).toBe('no-text-column');
  });

  it("stores the latest result's rows from the worker, and refuses a result a newer mapping replaced", async () => {
    await store.resetDbForTests();
    const project = await store.createProject('P');
    const table: RawTable = { columns: ['id', 'text'], rows: Array.from({ length: 2500 }, (_, i) => [`r${i}`, `text ${i}`]) };
    const mapper = Mapper.fromTable(table);
    const old = (await mapper.apply({ text: 'text', id: 'id', label: null }, {}))!;
    const r = (await mapper.apply({ text: 'text', id: null, label: null }, {}))!;
    await mapper.storeRows(project.id, r);
    expect(await store.getRows(project.id)).toEqual(r.rows);
    expect(await store.countRows(project.id)).toBe(2500);
    await expect(mapper.storeRows(project.id, old)).rejects.toThrow(/mapping changed/);
    mapper.dispose();
  });
});
