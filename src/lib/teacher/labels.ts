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
 * neither vote nor count against consistency. Answers that carry label
 * probabilities (logprobs) give the label its `probability` and `probs`.
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
    const withProbs: Record<string, number>[] = [];
    for (let i = 0; i < repeats; i++) {
      const r = slots?.get(i);
      if (r) answers.push(r.valid ? r.label : null);
      if (r?.valid && r.probs) withProbs.push(r.probs);
    }
    const a = aggregate(answers);
    const label: TeacherLabel = {
      rowId: it.rowId,
      label: a.label,
      consistency: a.consistency,
      votes: a.votes,
      n: a.n,
      invalid: a.invalid,
      tie: a.tie,
    };
    if (withProbs.length === 0) return label;
    const probs = meanProbs(withProbs);
    return { ...label, probs, probability: a.label === null ? null : (probs[a.label] ?? 0) };
  });
}

/** The mean of several answers' label probabilities (a label an answer does not list counts 0 there). */
export function meanProbs(all: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of all) for (const [l, v] of Object.entries(p)) out[l] = (out[l] ?? 0) + v / all.length;
  return out;
}
