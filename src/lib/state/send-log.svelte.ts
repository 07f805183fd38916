// The privacy log of the open project for display: the newest entries and
// their count, read from the store when the panel opens, then updated from
// what a run appends (teacher/send-log.ts buffers and writes it), never
// read back. TeacherState holds one (teacher.log).
import * as store from '../store';
import type { SendLogEntry, StoredSendLogEntry } from '../store';
import { SendLogBuffer, withAppended } from '../teacher/send-log';
import { app, errorText } from './app.svelte';

export class SendLogState {
  entries = $state.raw<StoredSendLogEntry[]>([]);
  count = $state(0);
  #limit = 200;
  /** The project the entries were read for: only then is appending to them the same as reading again. */
  #for: string | null = null;
  readonly #buffer: SendLogBuffer;

  constructor(failed: (message: string) => void) {
    this.#buffer = new SendLogBuffer({
      append: (entries) => store.appendSendLog(entries),
      written: (stored) => {
        const id = app.project?.id;
        if (id && id === this.#for)
          ({ log: this.entries, count: this.count } = withAppended(this.entries, this.count, stored, id, this.#limit));
        else return this.load(this.#limit);
      },
      failed: (e) => failed(`Could not record what was sent: ${errorText(e)}`),
    });
  }

  push(e: SendLogEntry): void {
    this.#buffer.push(e);
  }

  flush(): Promise<void> {
    return this.#buffer.flush();
  }

  /** The newest `limit` send-log entries of the open project, and their total. */
  async load(limit = 200): Promise<void> {
    this.#limit = limit;
    const id = app.project?.id ?? null;
    this.#for = null;
    if (!id) {
      [this.entries, this.count] = [[], 0];
      return;
    }
    const [log, count] = await Promise.all([store.getSendLog(id, limit), store.countSendLog(id)]);
    [this.entries, this.count, this.#for] = [log, count, id];
  }

  reset(): void {
    this.#buffer.drop();
    [this.entries, this.count, this.#for] = [[], 0, null];
  }
}
