// Human label values that should not silently become labels: values outside
// the project's codebook, and — before there is a codebook — values that look
// stray next to the others (a "maybe" among 0/1/2, "Positive" beside
// "positive", a value on a handful of rows out of thousands). Flagged values
// are shown with their counts and first rows; a drafted codebook leaves them
// out until the user adds them.

import { eachSliced } from '../store/yield';

/** One label value with how often it occurs and where (row numbers at import, row ids later). */
export interface LabelTally<R = number> {
  value: string;
  count: number;
  /** The first rows carrying it (capped by the caller). */
  rows: R[];
}

export type LabelFlagWhy = 'not-in-codebook' | 'missing' | 'variant' | 'odd-form' | 'rare';

export interface LabelFlag<R = number> extends LabelTally<R> {
  why: LabelFlagWhy;
  /** For 'variant': the more frequent value it looks like. */
  like?: string;
}

/** Below this share of labeled rows a value is rare (given enough rows to tell). */
const RARE_SHARE = 0.01;
/** Share of labeled rows that sets the dominant form (numbers vs words). */
const FORM_SHARE = 0.9;

const loose = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, ' ')
    .trim();
const isNumeric = (s: string) => /^[-+]?\d+(?:[.,]\d+)?$/.test(s.trim());
/** How spreadsheets and statistics packages write "no value" ("none" and "unknown" can be real classes, so they are not here). */
const MISSING = /^(?:na|n\/a|nan|null|-|—|\?|\.)$/i;

/**
 * The values to flag, most frequent first. With codebook label names, every
 * value that is not one of them is 'not-in-codebook'. Without, a value is
 * flagged as 'missing' (NA, null, "-": a missing-value marker), a 'variant' (same as a more frequent value but for case, spaces
 * or punctuation), 'odd-form' (a word among numbers or a number among words,
 * when 90% of labeled rows have the other form), or 'rare' (under 1% of the
 * labeled rows, on at least 100 labeled rows).
 */
export function flagLabels<R>(tallies: readonly LabelTally<R>[], codebookNames: readonly string[] | null): LabelFlag<R>[] {
  const sorted = [...tallies].sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
  if (codebookNames && codebookNames.length > 0) {
    const known = new Set(codebookNames);
    return sorted.filter((t) => !known.has(t.value)).map((t) => ({ ...t, why: 'not-in-codebook' as const }));
  }
  const labeled = sorted.filter((t) => !MISSING.test(t.value.trim())).reduce((n, t) => n + t.count, 0);
  const numericRows = sorted.filter((t) => isNumeric(t.value)).reduce((n, t) => n + t.count, 0);
  const dominant = numericRows >= FORM_SHARE * labeled ? 'number' : labeled - numericRows >= FORM_SHARE * labeled ? 'word' : null;
  const flags: LabelFlag<R>[] = [];
  const firstOfLoose = new Map<string, string>();
  for (const t of sorted) {
    if (MISSING.test(t.value.trim())) {
      flags.push({ ...t, why: 'missing' });
      continue;
    }
    const key = loose(t.value);
    const like = firstOfLoose.get(key);
    if (like !== undefined) flags.push({ ...t, why: 'variant', like });
    else {
      firstOfLoose.set(key, t.value);
      const form = isNumeric(t.value) ? 'number' : 'word';
      if (dominant && form !== dominant) flags.push({ ...t, why: 'odd-form' });
      else if (labeled >= 100 && t.count < RARE_SHARE * labeled) flags.push({ ...t, why: 'rare' });
    }
  }
  return flags;
}

/** Why a value is flagged, in a few words. */
export function flagReason(f: Pick<LabelFlag<unknown>, 'why' | 'like'>): string {
  switch (f.why) {
    case 'not-in-codebook':
      return 'not a label of the codebook';
    case 'missing':
      return 'looks like a missing-value marker, not a label (leave it empty to import those rows unlabeled)';
    case 'variant':
      return `looks like “${f.like}” written differently`;
    case 'odd-form':
      return 'not of the same form as the other values';
    default:
      return 'rare: under 1% of the labeled rows';
  }
}

/** `maybe — 1 row (17)`: a flag for a list, rows as given. */
export function describeFlag<R extends string | number>(f: LabelFlag<R>, rowWord = 'row'): string {
  const rows = f.rows.map((r) => (typeof r === 'number' ? r.toLocaleString('en') : r)).join(', ');
  const more = f.count > f.rows.length ? ', …' : '';
  return `“${f.value}” — ${f.count.toLocaleString('en')} ${rowWord}${f.count === 1 ? '' : 's'} (${rows}${more}): ${flagReason(f)}`;
}

/**
 * Label names for a codebook drafted from the data, and the flagged values
 * left out of it. Rows are referred to by id.
 */
export function draftLabelNames(
  rows: readonly { id: string; human: string | null }[],
  cap = 10,
): { names: string[]; left: LabelFlag<string>[] } {
  return draftFromTally(tallyLabels(rows, cap));
}

/** draftLabelNames from a tally already counted (tallyLabelsSliced on the page). */
export function draftFromTally(tallies: LabelTally<string>[]): { names: string[]; left: LabelFlag<string>[] } {
  const left = flagLabels(tallies, null);
  const out = new Set(left.map((f) => f.value));
  return {
    names: tallies
      .map((t) => t.value)
      .filter((v) => !out.has(v))
      .sort(),
    left,
  };
}

type HumanRow = { id: string; human: string | null };

/** Counts one row into `by` (tallyLabels' step). */
function tallyRow(by: Map<string, LabelTally<string>>, r: HumanRow, cap: number): void {
  if (r.human === null || r.human === '') return;
  let t = by.get(r.human);
  if (!t) by.set(r.human, (t = { value: r.human, count: 0, rows: [] }));
  t.count++;
  if (t.rows.length < cap) t.rows.push(r.id);
}

/** Each human label value with its count and first `cap` row ids, in first-seen order. */
export function tallyLabels(rows: readonly HumanRow[], cap = 10): LabelTally<string>[] {
  const by = new Map<string, LabelTally<string>>();
  for (const r of rows) tallyRow(by, r, cap);
  return [...by.values()];
}

/** tallyLabels on the page: the rows counted in slices (a million rows held the page per count). */
export async function tallyLabelsSliced(rows: readonly HumanRow[], cap = 10): Promise<LabelTally<string>[]> {
  const by = new Map<string, LabelTally<string>>();
  await eachSliced(rows.length, (i) => tallyRow(by, rows[i], cap));
  return [...by.values()];
}

const labeledCounts = new WeakMap<readonly object[], number>();

/**
 * How many rows have a human label, counted once per rows array (the
 * dataset's rows are replaced, never changed in place): the stepper and the
 * Splits panel read it on every change of any fact, a million rows each time.
 */
export function labeledCount(rows: readonly { human: string | null }[]): number {
  let n = labeledCounts.get(rows);
  if (n === undefined) {
    n = 0;
    for (const r of rows) if (r.human !== null) n++;
    labeledCounts.set(rows, n);
  }
  return n;
}
