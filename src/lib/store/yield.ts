// Long loops on the page (a corpus of a million rows) give the thread back
// every few thousand steps with this, so a click or a repaint is never held
// up for long. Shared by the store, the embedder and the mapper.

/** Lets the page paint and handle input; resolves on a later task. */
export function yieldToPage(): Promise<void> {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof s?.yield === 'function') return s.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** How long a slice of a loop over the corpus may hold the page before it yields. */
export const SLICE_MS = 25;

/**
 * Time-based slicing for a long loop on the page: `if (s.due()) await s.next();`
 * once per step gives the thread back whenever SLICE_MS have passed. By time,
 * not count: a row's cost varies by orders of magnitude with its text, and a
 * loaded machine runs every step slower. The clock is read every 64 steps.
 */
export class Slicer {
  #start = performance.now();
  #steps = 0;
  constructor(
    readonly pause: () => Promise<void> = yieldToPage,
    readonly sliceMs = SLICE_MS,
  ) {}

  /** True when this slice has run its time. */
  due(): boolean {
    if ((++this.#steps & 63) !== 0) return false;
    return performance.now() - this.#start >= this.sliceMs;
  }

  /** due(), reading the clock on every call: for loops that already step in batches (Steps, a bootstrap a step). */
  dueNow(): boolean {
    return performance.now() - this.#start >= this.sliceMs;
  }

  /** Yields, then starts a new slice. */
  async next(): Promise<void> {
    await this.pause();
    this.#start = performance.now();
  }
}

/** Calls `step(i)` for i = 0..n−1 in slices (see Slicer); `onSlice(done)` runs before each pause. */
export async function eachSliced(
  n: number,
  step: (i: number) => void,
  opts: { pause?: () => Promise<void>; sliceMs?: number; onSlice?: (done: number) => void } = {},
): Promise<void> {
  const slicer = new Slicer(opts.pause, opts.sliceMs);
  for (let i = 0; i < n; i++) {
    step(i);
    if (slicer.due()) {
      opts.onSlice?.(i + 1);
      await slicer.next();
    }
  }
}

/**
 * A loop written once as a generator that `yield`s between steps, so the same
 * code runs at once (runNow: a few rows, a test, a derivation) or in slices
 * (runSliced: a dataset being loaded). Yield every few hundred steps, not every
 * step: a generator resume costs more than a Map.set.
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs `steps` to the end, without pausing. */
export function runNow<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs `steps` to the end, giving the page back whenever a slice has run its time (the clock is read at every yield). */
export async function runSliced<T>(steps: Steps<T>, slicer = new Slicer()): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (slicer.dueNow()) await slicer.next();
  }
}

/** Steps between two yields of a Steps loop over rows. */
export const STEP_ROWS = 256;

/** The items `keep` accepts, in order, found in slices (see Slicer). */
export async function filterSliced<T>(items: readonly T[], keep: (item: T) => boolean): Promise<T[]> {
  const out: T[] = [];
  await eachSliced(items.length, (i) => {
    if (keep(items[i])) out.push(items[i]);
  });
  return out;
}
