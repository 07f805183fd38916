// Main-thread façade for one worker: request ids so a stale answer never
// settles a newer request; progress messages go to the caller's callback.
// Replies must carry `{ id, type }`; 'error' and 'cancelled' settle as errors.

export interface Reply {
  id: number;
  type: string;
}

/** Omit that keeps a union a union (plain Omit collapses it to shared keys). */
export type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export class WorkerCancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'WorkerCancelled';
  }
}

interface Pending<R> {
  resolve: (r: R) => void;
  reject: (e: Error) => void;
  onMessage?: (r: R) => void;
  terminal: readonly string[];
}

export class WorkerClient<Req extends { type: string }, Rep extends Reply> {
  #worker: Worker;
  #nextId = 1;
  #pending = new Map<number, Pending<Rep>>();

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.onmessage = (e: MessageEvent<Rep>) => this.#receive(e.data);
    worker.onerror = (e) => this.#failAll(new Error(e.message || 'The background worker crashed'));
  }

  /** Sends `msg` with a fresh id; settles on the first reply whose type is in `terminal`. */
  request<T extends Rep = Rep>(
    msg: WithoutId<Req>,
    terminal: readonly string[],
    opts: { onMessage?: (r: Rep) => void; transfer?: Transferable[] } = {},
  ): { id: number; done: Promise<T> } {
    const id = this.#nextId++;
    const done = new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (r: Rep) => void, reject, onMessage: opts.onMessage, terminal });
    });
    this.#worker.postMessage({ ...msg, id }, opts.transfer ?? []);
    return { id, done };
  }

  /** Fire-and-forget message (e.g. cancel) addressed to request `id`. */
  post(msg: Req): void {
    this.#worker.postMessage(msg);
  }

  terminate(): void {
    this.#worker.terminate();
    this.#failAll(new WorkerCancelled());
  }

  #receive(r: Rep): void {
    const p = this.#pending.get(r.id);
    if (!p) return; // a reply to a request nobody waits for any more
    if (r.type === 'error') {
      this.#pending.delete(r.id);
      p.reject(new Error((r as unknown as { message?: string }).message ?? 'Worker error'));
    } else if (r.type === 'cancelled') {
      this.#pending.delete(r.id);
      p.reject(new WorkerCancelled());
    } else if (p.terminal.includes(r.type)) {
      this.#pending.delete(r.id);
      p.resolve(r);
    } else {
      p.onMessage?.(r);
    }
  }

  #failAll(e: Error): void {
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }
}
