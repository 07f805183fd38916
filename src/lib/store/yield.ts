// Long loops on the page (a corpus of a million rows) give the thread back
// every few thousand steps with this, so a click or a repaint is never held
// up for long. Shared by the store, the embedder and the mapper.

/** Lets the page paint and handle input; resolves on a later task. */
export function yieldToPage(): Promise<void> {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof s?.yield === 'function') return s.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}
