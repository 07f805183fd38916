// A value a component derives from a million rows, computed in slices: Svelte
// derivations cannot yield, so such a component runs a Steps loop
// (store/yield.ts) from an $effect instead, and keeps the newest answer.
import { untrack } from 'svelte';
import { runSliced, type Steps } from '../store/yield';

/**
 * For a component's $effect: runs `steps` (built from the effect's inputs, so
 * it reruns when they change) in slices and hands its value to `done`, unless
 * the inputs changed meanwhile. Returns the effect's cleanup, which stops the
 * loop at its next slice.
 */
export function runInEffect<T>(steps: Steps<T>, done: (value: T) => void, failed: (e: unknown) => void = console.error): () => void {
  let live = true;
  untrack(
    () =>
      void runSliced(steps).then(
        (value) => live && done(value),
        (e) => live && failed(e),
      ),
  );
  return () => {
    live = false;
    steps.return(undefined as never);
  };
}
