// The failures stored under the current setup, for the Teacher step after a
// reload: which texts failed, how, and which of them "Retry failed" would
// send again. Pure (no Svelte, no store).

import { attemptMessage, isFailedAttempt, isRequestFailure } from './attempts';
import type { TeacherResponse } from './types';

export interface StoredFailure {
  rowId: string;
  repeats: number[];
  message: string;
  /** A request that failed after its retries (Retry failed sends it); false for an empty or cut answer. */
  request: boolean;
}

/**
 * One entry per (text, kind of failure) among `responses` (the answers
 * shown, one per repeat), in row order; repeats ≥ `repeats` are ignored.
 * Rows sharing a text are named by the first of them.
 */
export function storedFailures(
  items: readonly { rowId: string; textHash: string }[],
  responses: Iterable<TeacherResponse>,
  repeats: number,
): StoredFailure[] {
  const byText = new Map<string, TeacherResponse[]>();
  for (const r of responses) {
    if (r.repeat >= repeats || !isFailedAttempt(r)) continue;
    const list = byText.get(r.textHash);
    if (list) list.push(r);
    else byText.set(r.textHash, [r]);
  }
  const out: StoredFailure[] = [];
  const seen = new Set<string>();
  for (const it of items) {
    const list = byText.get(it.textHash);
    if (!list || seen.has(it.textHash)) continue;
    seen.add(it.textHash);
    const groups = new Map<string, StoredFailure>();
    for (const r of [...list].sort((a, b) => a.repeat - b.repeat)) {
      const message = attemptMessage(r);
      const g = groups.get(message);
      if (g) g.repeats.push(r.repeat);
      else groups.set(message, { rowId: it.rowId, repeats: [r.repeat], message, request: isRequestFailure(r) });
    }
    out.push(...groups.values());
  }
  return out;
}

/** Answers "Retry failed" would ask for again. */
export function retryableCount(failures: readonly StoredFailure[]): number {
  return failures.reduce((n, f) => n + (f.request ? f.repeats.length : 0), 0);
}
