// The Teacher step's answers by text: the newest stored answer of each
// (text, repeat) under one setup, with each row's text hash, and the labels
// and failures rebuilt from them. A reload fills a new view from the store;
// a running run adds what it stores, so the view never rereads what it wrote.
import { labelsFromResponses } from './labels';
import { retryableCount, storedFailures, type StoredFailure } from './failures';
import { localLabels } from './local/labels';
import { answeredItems } from './stored-view';
import type { TeacherLabel, TeacherResponse } from './types';

export class AnswerView {
  /** textHash → repeat → the newest answer. */
  readonly byText = new Map<string, Map<number, TeacherResponse>>();

  constructor(
    /** rowId → text hash of the rows the view was read for. */
    readonly hashOf: ReadonlyMap<string, string> = new Map(),
    answers: Iterable<TeacherResponse> = [],
  ) {
    for (const r of answers) this.add(r);
  }

  /** Keeps `r` unless a newer answer of its (text, repeat) is held; a malformed repeat is left out. */
  add(r: TeacherResponse): void {
    if (!Number.isInteger(r.repeat) || r.repeat < 0) return;
    let slots = this.byText.get(r.textHash);
    if (!slots) this.byText.set(r.textHash, (slots = new Map()));
    const prev = slots.get(r.repeat);
    if (!prev || prev.at <= r.at) slots.set(r.repeat, r);
  }

  answers(): TeacherResponse[] {
    return [...this.byText.values()].flatMap((m) => [...m.values()]);
  }

  /** A row's answers in repeat order, never more than the `repeats` asked for. */
  responsesOf(rowId: string, repeats: number): TeacherResponse[] {
    const slots = this.byText.get(this.hashOf.get(rowId) ?? '');
    return slots ? [...slots.values()].filter((r) => r.repeat < repeats).sort((a, b) => a.repeat - b.repeat) : [];
  }
}

export interface ViewLabels {
  /** rowId → label, for rows with at least one answer. */
  labels: Map<string, TeacherLabel>;
  failures: StoredFailure[];
  retryable: number;
}

/**
 * The labels and failures of `rows` from the view (rows scanned in slices);
 * null when `stale()` says a newer rebuild began meanwhile. A local model's
 * one answer per text carries probabilities: they stand in for consistency.
 */
export async function viewLabels(
  rows: readonly { id: string; hash: string }[],
  view: AnswerView,
  repeats: number,
  local: boolean,
  stale: () => boolean,
): Promise<ViewLabels | null> {
  // Only rows whose text has an answer can get a label or a failure.
  const items = view.byText.size === 0 ? [] : await answeredItems(rows, view.byText);
  if (stale()) return null;
  const all = view.answers();
  const labels = new Map<string, TeacherLabel>();
  for (const l of local ? localLabels(items, all) : labelsFromResponses(items, all, repeats)) if (l.n > 0) labels.set(l.rowId, l);
  const failures = storedFailures(items, all, repeats);
  return { labels, failures, retryable: retryableCount(failures) };
}
