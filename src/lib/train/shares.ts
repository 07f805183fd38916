// Does the student label texts in the same proportions as its reference (the
// teacher, or the human labels it learnt from) on the same texts? A student
// that predicts the positive class for 16 % of texts when its teacher says
// 37 % is not the teacher's surrogate, whatever its F1 — the researcher
// should see that beside every student.

/** Warn when any label's share differs by more than this (10 percentage points). */
export const SHARE_GAP_WARNING = 0.1;

export interface ShareCheck {
  labels: string[];
  /** Share of each label among the student's predictions. */
  student: number[];
  /** Share of each label in the reference on the same texts. */
  reference: number[];
  /** Who the reference is, e.g. 'the teacher' or 'the human labels'. */
  referenceName: string;
  /** Which texts, in words, e.g. 'out-of-fold on its 1,000 training texts'. */
  on: string;
  /** Texts counted (those with both a prediction and a reference label). */
  n: number;
  /** Largest absolute difference of shares over labels. */
  maxGap: number;
}

/**
 * Shares of each class in `student` and `reference` (class indices; −1 or
 * out of range = no label) over the texts where both have one.
 */
export function compareShares(
  labels: readonly string[],
  student: ArrayLike<number>,
  reference: ArrayLike<number>,
  referenceName: string,
  on: string,
): ShareCheck {
  if (student.length !== reference.length)
    throw new RangeError(`Got ${student.length} predictions for ${reference.length} reference labels.`);
  const C = labels.length;
  const s = new Array<number>(C).fill(0);
  const r = new Array<number>(C).fill(0);
  let n = 0;
  for (let i = 0; i < student.length; i++) {
    const a = student[i];
    const b = reference[i];
    if (!(a >= 0 && a < C && b >= 0 && b < C)) continue;
    s[a]++;
    r[b]++;
    n++;
  }
  const share = (xs: number[]) => xs.map((x) => (n > 0 ? x / n : 0));
  const st = share(s);
  const rf = share(r);
  const maxGap = n > 0 ? Math.max(...st.map((v, c) => Math.abs(v - rf[c]))) : 0;
  return { labels: [...labels], student: st, reference: rf, referenceName, on, n, maxGap };
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

/** A plain-language warning when the shares differ by more than SHARE_GAP_WARNING, else null. */
export function shareWarning(c: ShareCheck, studentName = 'The student'): string | null {
  if (c.n === 0 || c.maxGap <= SHARE_GAP_WARNING + 1e-12) return null;
  let worst = 0;
  for (let k = 1; k < c.labels.length; k++)
    if (Math.abs(c.student[k] - c.reference[k]) > Math.abs(c.student[worst] - c.reference[worst])) worst = k;
  return (
    `${studentName} predicts “${c.labels[worst]}” for ${pct(c.student[worst])} of texts where ${c.referenceName} says ${pct(c.reference[worst])} ` +
    `(${c.on}): it does not label like ${c.referenceName}. Check the class weighting, the training-set size and the teacher's labels before relying on it.`
  );
}

/**
 * The prevalence the human validation sample implies: each label's share
 * among the human labels of `validationIds` (labels outside `labelNames`
 * and missing ones are left out), for the 'prior' decision rule. It reads
 * the validation ids it is given and nothing else, so no test row or test
 * label can reach a student through it. Null when no validation text has a
 * usable human label.
 */
export function validationPrior(
  validationIds: readonly string[],
  humanOf: (id: string) => string | null | undefined,
  labelNames: readonly string[],
): { shares: number[]; n: number } | null {
  const counts = new Array<number>(labelNames.length).fill(0);
  let n = 0;
  for (const id of validationIds) {
    const c = labelNames.indexOf(humanOf(id) ?? '');
    if (c < 0) continue;
    counts[c]++;
    n++;
  }
  return n ? { shares: counts.map((v) => v / n), n } : null;
}
