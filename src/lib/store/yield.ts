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
