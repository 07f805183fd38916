// Teacher labels from in-browser answers. A scored text has one answer and no
// repeats, so agreement between repeats cannot measure confidence; the
// model's own probability of its label takes consistency's place, and the
// consistency threshold of the Train and Compare steps filters on it.

import type { TeacherLabel, TeacherResponse } from '../types';

/** One TeacherLabel per item from answers of one local setup (repeat 0 only; a later answer wins). */
export function localLabels(items: { rowId: string; textHash: string }[], responses: Iterable<TeacherResponse>): TeacherLabel[] {
  const byText = new Map<string, TeacherResponse>();
  for (const r of responses) {
    if (r.repeat !== 0) continue;
    const prev = byText.get(r.textHash);
    if (!prev || prev.at <= r.at) byText.set(r.textHash, r);
  }
  return items.map((it): TeacherLabel => {
    const r = byText.get(it.textHash);
    if (!r) return { rowId: it.rowId, label: null, consistency: 0, votes: {}, n: 0, invalid: 0, tie: false };
    const probs = (r as TeacherResponse & { probs?: Record<string, number> }).probs ?? {};
    const p = r.label !== null ? (probs[r.label] ?? 1) : 0;
    const top = Object.values(probs).filter((q) => q === p).length;
    return {
      rowId: it.rowId,
      label: r.valid ? r.label : null,
      consistency: r.valid ? p : 0,
      votes: r.valid && r.label !== null ? { [r.label]: 1 } : {},
      n: 1,
      invalid: r.valid ? 0 : 1,
      tie: top > 1,
      ...({ probability: p, probs } as object),
    };
  });
}
