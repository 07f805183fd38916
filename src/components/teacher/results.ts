// Summaries of teacher labels for the Teacher step, and failure messages in
// plain words. Pure, so they are unit-tested.

import type { TeacherSummary } from '$lib/teacher/queue';
import type { TeacherLabel } from '$lib/teacher/types';

/** Texts per majority label (null = no valid answer), most frequent first. */
export function labelCounts(labels: Iterable<TeacherLabel>): { rows: { label: string | null; n: number }[]; total: number } {
  const m = new Map<string | null, number>();
  let total = 0;
  for (const l of labels) {
    m.set(l.label, (m.get(l.label) ?? 0) + 1);
    total += 1;
  }
  const rows = [...m].map(([label, n]) => ({ label, n })).sort((a, b) => (a.label === null ? 1 : b.label === null ? -1 : b.n - a.n));
  return { rows, total };
}

/**
 * Texts per "k of n answers agree", most consistent first. Texts with no valid
 * answer form the bucket "no valid answer".
 */
export function consistencyBuckets(labels: Iterable<TeacherLabel>): { key: string; text: string; n: number }[] {
  const m = new Map<string, { key: string; text: string; n: number; order: number }>();
  for (const l of labels) {
    const k = l.label === null ? 0 : Math.round(l.consistency * l.n);
    const key = l.label === null ? 'none' : `${k}/${l.n}`;
    const text = l.label === null ? 'no valid answer' : k === l.n ? `all ${l.n} (unanimous)` : `${k} of ${l.n}`;
    const b = m.get(key) ?? { key, text, n: 0, order: l.label === null ? -1 : k / Math.max(1, l.n) + l.n * 1e-6 };
    b.n += 1;
    m.set(key, b);
  }
  return [...m.values()].sort((a, b) => b.order - a.order).map(({ key, text, n }) => ({ key, text, n }));
}

const SHORT: Record<string, string> = {
  refusal: 'refused',
  empty: 'empty',
  truncated: 'cut at the cap',
  'malformed-json': 'unreadable JSON',
  'not-json': 'prose, not the JSON asked for',
  'not-a-label': 'not a label',
  ambiguous: 'names several labels',
  'request-failed': 'request failed',
};

/** A two-word reason for an invalid answer. */
export function shortReason(reason: string | undefined): string {
  return reason ? (SHORT[reason] ?? reason) : 'invalid';
}

/**
 * How a finished run is described when "Done" would mislead: a run over no
 * texts, or one that sent nothing because every answer was already stored.
 * null badge: the state's own words.
 */
export function runOutcome(s: Pick<TeacherSummary, 'state' | 'total' | 'sent' | 'cached' | 'failed'>): {
  badge: string | null;
  note: string | null;
} {
  if (s.state !== 'done') return { badge: null, note: null };
  if (s.total === 0) return { badge: 'Nothing to label', note: 'The run had no texts to label: nothing was sent and nothing stored.' };
  if (s.sent === 0 && s.cached === s.total) {
    return { badge: null, note: `Nothing was sent: all ${s.total.toLocaleString('en')} answers were already stored.` };
  }
  return { badge: null, note: null };
}

/** What a request failure means, in words a researcher can act on. */
export function plainFailure(message: string): string {
  const status = /^(\d{3})\b/.exec(message.trim())?.[1];
  const n = status ? Number(status) : null;
  if (/quota|billing/i.test(message))
    return message.startsWith('The ') ? message : `The account has no quota left or reached its billing limit: ${message}`;
  if (n === 429)
    return `The server kept saying “too many requests” (429) after every retry. Set a requests-per-minute limit or lower “Requests at once”, or wait, then press “Retry failed”. (${message})`;
  if (n === 401 || n === 403) return `The server refused the API key (${n}). Check the key in Settings. (${message})`;
  if (n === 404) return `The server does not know this address or model (404). Check the base URL and model in Settings. (${message})`;
  if (n !== null && n >= 500) return `The server had an internal error (${n}) on every try. (${message})`;
  if (n !== null && n >= 400) return `The server rejected the request (${n}): ${message}`;
  if (/timed out/i.test(message))
    return 'The server did not answer within the timeout, on every try. Raise the timeout or lower “Requests at once”.';
  if (/reach/i.test(message)) return `${message} Check the address and your connection.`;
  return message;
}

export interface FailureGroup {
  message: string;
  /** Answers (repeats) that failed this way. */
  answers: number;
  /** Texts, each with its failed repeats, in the order they failed. */
  rows: { rowId: string; repeats: number[] }[];
}

/**
 * Failures that share a message, together: a run whose 1,000 answers all came
 * back empty at the cap shows one line with the fix, not 1,000.
 */
export function groupFailures(failures: readonly { rowId: string; repeats: number[]; message: string }[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup & { byRow: Map<string, number[]> }>();
  for (const f of failures) {
    let g = groups.get(f.message);
    if (!g) groups.set(f.message, (g = { message: f.message, answers: 0, rows: [], byRow: new Map() }));
    g.answers += f.repeats.length;
    const repeats = g.byRow.get(f.rowId);
    if (repeats) repeats.push(...f.repeats);
    else {
      const row = { rowId: f.rowId, repeats: [...f.repeats] };
      g.byRow.set(f.rowId, row.repeats);
      g.rows.push(row);
    }
  }
  return [...groups.values()].map(({ byRow: _byRow, ...g }) => ({
    ...g,
    rows: g.rows.map((r) => ({ ...r, repeats: [...r.repeats].sort((a, b) => a - b) })),
  }));
}
