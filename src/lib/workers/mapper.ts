// Main-thread façade for the mapping worker: one worker per parsed table.
// The table goes over and the rows come back in slices (SLICE_ROWS), so no
// single message holds the page for long.
import { WorkerClient } from './worker-client';
import { SLICE_ROWS, type MapOptions, type MappingReply, type MappingRequest } from '../data/mapping-protocol';
import type { ColumnMapping, DataRow, RawTable } from '../data/types';
import { yieldToPage } from '../store/yield';
import { LabelInterner } from '../data/intern';

export type MapResult = Extract<MappingReply, { type: 'result' }>;

export class Mapper {
  #client = new WorkerClient<MappingRequest, MappingReply>(
    new Worker(new URL('../data/mapping.worker.ts', import.meta.url), { type: 'module', name: 'mapping' }),
  );
  #loaded: Promise<unknown>;
  #latest = 0;

  constructor(table: RawTable) {
    this.#loaded = this.#load(table);
  }

  async #load(table: RawTable): Promise<void> {
    const n = table.rows.length;
    for (let at = 0; at === 0 || at < n; at += SLICE_ROWS) {
      const done = at + SLICE_ROWS >= n;
      const slice = { ...table, rows: table.rows.slice(at, at + SLICE_ROWS) };
      const msg = { type: 'load' as const, table: slice, append: at > 0, done };
      if (done) await this.#client.request(msg, ['loaded']).done;
      else {
        this.#client.post({ ...msg, id: 0 });
        await yieldToPage();
      }
    }
  }

  /** Maps the table; resolves null when a newer call has superseded this one. */
  async apply(mapping: ColumnMapping, opts: MapOptions): Promise<MapResult | null> {
    const mine = ++this.#latest;
    await this.#loaded;
    try {
      const slices: DataRow[][] = [];
      const labels = new LabelInterner();
      const r = await this.#client.request<MapResult>({ type: 'apply', mapping, opts }, ['result'], {
        onMessage: (m) => void (m.type === 'rows' && slices.push(labels.intern(m.rows))),
      }).done;
      if (mine !== this.#latest) return null;
      if (slices.length === 0) return { ...r, rows: labels.intern(r.rows) };
      slices.push(labels.intern(r.rows));
      return { ...r, rows: slices.flat() };
    } catch (e) {
      if (mine !== this.#latest) return null; // a stale failure must not hide a newer result
      throw e;
    }
  }

  dispose(): void {
    this.#client.terminate();
  }
}
