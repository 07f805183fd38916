// The privacy log as a run writes it: entries buffered and appended in small
// batches (at 50 entries or after 250 ms; pagehide and the end of a run
// flush), and the shown page of the log updated from what was just written
// instead of read back.
import type { SendLogEntry, StoredSendLogEntry } from '../store/types';

export interface SendLogDeps {
  /** Appends in one transaction; returns the entries as stored (with their seq). */
  append(entries: SendLogEntry[]): Promise<StoredSendLogEntry[]>;
  written(stored: StoredSendLogEntry[]): void | Promise<void>;
  failed(e: unknown): void;
}

export class SendLogBuffer {
  #entries: SendLogEntry[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #deps: SendLogDeps;

  constructor(deps: SendLogDeps) {
    this.#deps = deps;
  }

  push(e: SendLogEntry): void {
    this.#entries.push(e);
    if (this.#entries.length >= 50) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), 250);
  }

  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const entries = this.#entries;
    this.#entries = [];
    if (entries.length === 0) return;
    try {
      await this.#deps.written(await this.#deps.append(entries));
    } catch (e) {
      this.#deps.failed(e);
    }
  }

  /** Forgets what is buffered (tests' reset). */
  drop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#entries = [];
  }
}

/** The shown log (newest first, at most `limit`) and its count after `stored` was appended to `projectId`'s log. */
export function withAppended(
  shown: readonly StoredSendLogEntry[],
  count: number,
  stored: readonly StoredSendLogEntry[],
  projectId: string,
  limit = 200,
): { log: StoredSendLogEntry[]; count: number } {
  const mine = stored.filter((e) => e.projectId === projectId).reverse();
  return { log: [...mine, ...shown].slice(0, limit), count: count + mine.length };
}
