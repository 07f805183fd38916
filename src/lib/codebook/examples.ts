// Few-shot examples drawn from the data. They come from the training pool
// only: a validation or test text shown to the teacher as an example would
// inflate its measured accuracy (and leak into the comparison's test set).
import type { CodebookExample } from './types';

/** Examples longer than this are not picked from the rows: every request would carry them. */
export const EXAMPLE_MAX_CHARS = 2000;

/**
 * One new example per label in `labelNames` order: the first pool row with
 * that human label, at most `maxChars` long, whose text is not an example
 * yet. A label without such a row gets none. `pool` is the training pool
 * (trainingPool in train/training-rows.ts), never all rows.
 */
export function examplesFromPool(
  pool: readonly { text: string; human: string | null }[],
  labelNames: readonly string[],
  existing: readonly CodebookExample[],
  maxChars = EXAMPLE_MAX_CHARS,
): CodebookExample[] {
  const used = new Set(existing.map((e) => e.text));
  const wanted = new Set(labelNames);
  const found = new Map<string, string>();
  for (const r of pool) {
    if (found.size === wanted.size) break;
    if (r.human === null || !wanted.has(r.human) || found.has(r.human)) continue;
    if (r.text.length > maxChars || used.has(r.text)) continue;
    found.set(r.human, r.text);
  }
  return labelNames.filter((l) => found.has(l)).map((label) => ({ text: found.get(label)!, label }));
}
