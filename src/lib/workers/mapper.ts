// Main-thread façade for the mapping worker: one worker per imported table.
// A file is parsed in the worker (Mapper.open), so the page holds only the
// table's head and then the mapped rows, never the parsed cells beside them
// (at a million rows the two together were 600 MiB). A table made on the page
// (pasted text, an example) goes over and the rows come back in slices
// (SLICE_ROWS), so no single message holds the page for long.
import { WorkerClient } from './worker-client';
import { HEAD_ROWS, SLICE_ROWS, type MapOptions, type MappingReply, type MappingRequest, type TableInfo } from '../data/mapping-protocol';
import type { ColumnMapping, DataRow, RawTable } from '../data/types';
import type { ParseOptions } from '../data/parse';
import { guessMapping } from '../data/mapping';
import { ImportError } from '../data/errors';
import { yieldToPage } from '../store/yield';
import { LabelInterner } from '../data/intern';

export type MapResult = Extract<MappingReply, { type: 'result' }>;
type Parsed = Extract<MappingReply, { type: 'parsed' | 'parse-failed' }>;

export class Mapper {
  #client = new WorkerClient<MappingRequest, MappingReply>(
    new Worker(new URL('../data/mapping.worker.ts', import.meta.url), { type: 'module', name: 'mapping' }),
  );
  #loaded: Promise<unknown> = Promise.resolve();
  #latest = 0;
  /** The table's head, size and guessed mapping. */
  info: TableInfo = { table: { columns: [], rows: [] }, rowCount: 0, guess: { text: '', id: null, label: null } };

  /** A table already parsed on the page; throws (before starting a worker) when it has no text column. */
  static fromTable(table: RawTable): Mapper {
    const guess = guessMapping(table);
    const m = new Mapper();
    m.info = { table: { ...table, rows: table.rows.slice(0, HEAD_ROWS) }, rowCount: table.rows.length, guess };
    m.#loaded = m.#load(table);
    return m;
  }

  /** Parses `file` in the worker; rejects with the ImportError parsing raised (its kind and row kept). */
  static async open(file: Blob, name: string, onProgress?: (frac: number) => void, opts: ParseOptions = {}): Promise<Mapper> {
    const m = new Mapper();
    try {
      const r = await m.#client.request<Parsed>({ type: 'parse', file, name, opts }, ['parsed', 'parse-failed'], {
        onMessage: (p) => void (p.type === 'progress' && onProgress?.(p.frac)),
      }).done;
      if (r.type === 'parse-failed') throw r.kind ? new ImportError(r.kind, r.message, r.row) : new Error(r.message);
      m.info = r.info;
      return m;
    } catch (e) {
      m.dispose();
      throw e;
    }
  }

  private constructor() {}

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

  /** The distinct raw values of `column` (empty cells skipped), sorted, at most `cap`. */
  async labelValues(column: string, cap = 50): Promise<string[]> {
    await this.#loaded;
    const r = await this.#client.request<Extract<MappingReply, { type: 'labels' }>>({ type: 'labels', column, cap }, ['labels']).done;
    return r.values;
  }

  /** Maps the table; resolves null when a newer call has superseded this one. */
  async apply(mapping: ColumnMapping, opts: MapOptions): Promise<MapResult | null> {
    const mine = ++this.#latest;
    await this.#loaded;
    try {
      const slices: DataRow[][] = [];
      const labels = new LabelInterner();
      const r = await this.#client.request<MapResult>({ type: 'apply', mapping, opts }, ['result'], {
        onMessage: (m) => {
          if (m.type !== 'rows') return;
          // A newer call superseded this one: its rows are not wanted, so none are kept (a million rows each).
          if (mine !== this.#latest) slices.length = 0;
          else slices.push(labels.intern(m.rows));
        },
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

  /**
   * Writes the rows of `result` (this mapper's latest) as project `projectId`'s
   * dataset from the worker, which holds them too: the page never clones a
   * corpus into IndexedDB (at a million rows that held it for half a second).
   */
  async storeRows(projectId: string, result: MapResult): Promise<void> {
    const write = this.#client.request({ type: 'store', projectId, of: result.id }, ['stored']).done;
    this.#storing.add(write);
    try {
      await write;
    } finally {
      this.#storing.delete(write);
    }
  }

  /** Writes in flight: disposing waits for them (leaving the step mid-import must not lose the import). */
  #storing = new Set<Promise<unknown>>();

  dispose(): void {
    if (this.#storing.size === 0) return this.#client.terminate();
    void Promise.allSettled([...this.#storing]).then(() => this.#client.terminate());
  }
}
