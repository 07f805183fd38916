// From stored answers to one teacher label per row.

import { isFailedAttempt } from './attempts';
import { aggregate } from './consistency';
import type { TeacherLabel, TeacherResponse } from './types';

/**
 * One TeacherLabel per item from the stored answers of ONE setup (same
 * endpoint, model, codebook and template — e.g. the values of
 * getCached(responseKeys(job))). Repeats >= `repeats` are ignored; when a
 * repeat was stored twice the later answer wins. Rows sharing a text share its
 * answers. A row with no answers gets label null and n 0. Failed attempts
 * (empty, or cut at the token cap) are not answers and are skipped: they
 * neither vote nor count against consistency.
 */
export function labelsFromResponses(
  items: { rowId: string; textHash: string }[],
  responses: Iterable<TeacherResponse>,
  repeats: number,
): TeacherLabel[] {
  const byText = new Map<string, Map<number, TeacherResponse>>();
  for (const r of responses) {
    if (r.repeat < 0 || r.repeat >= repeats || isFailedAttempt(r)) continue;
    let slots = byText.get(r.textHash);
    if (!slots) byText.set(r.textHash, (slots = new Map()));
    const prev = slots.get(r.repeat);
    if (!prev || prev.at <= r.at) slots.set(r.repeat, r);
  }
  return items.map((it) => {
    const slots = byText.get(it.textHash);
    const answers: (string | null)[] = [];
    for (let i = 0; i < repeats; i++) {
      const r = slots?.get(i);
      if (r) answers.push(r.valid ? r.label : null);
    }
    const a = aggregate(answers);
    return { rowId: it.rowId, label: a.label, consistency: a.consistency, votes: a.votes, n: a.n, invalid: a.invalid, tie: a.tie };
  });
}
