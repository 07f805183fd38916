// Main-thread façade for the mapping worker: one worker per parsed table.
import { WorkerClient } from './worker-client';
import type { MapOptions, MappingReply, MappingRequest } from '../data/mapping-protocol';
import type { ColumnMapping, RawTable } from '../data/types';

export type MapResult = Extract<MappingReply, { type: 'result' }>;

export class Mapper {
  #client = new WorkerClient<MappingRequest, MappingReply>(
    new Worker(new URL('../data/mapping.worker.ts', import.meta.url), { type: 'module', name: 'mapping' }),
  );
  #loaded: Promise<unknown>;
  #latest = 0;

  constructor(table: RawTable) {
    this.#loaded = this.#client.request({ type: 'load', table }, ['loaded']).done;
  }

  /** Maps the table; resolves null when a newer call has superseded this one. */
  async apply(mapping: ColumnMapping, opts: MapOptions): Promise<MapResult | null> {
    const mine = ++this.#latest;
    await this.#loaded;
    try {
      const r = await this.#client.request<MapResult>({ type: 'apply', mapping, opts }, ['result']).done;
      return mine === this.#latest ? r : null;
    } catch (e) {
      if (mine !== this.#latest) return null; // a stale failure must not hide a newer result
      throw e;
    }
  }

  dispose(): void {
    this.#client.terminate();
  }
}
