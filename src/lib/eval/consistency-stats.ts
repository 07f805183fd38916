// Summaries of consistency scores (share of an item's repeated LLM answers
// that agree with its majority label, 0..1) for the Validate step's charts.

export interface ConsistencyBin {
  /** Bin [lo, hi); the last bin also includes 1. */
  lo: number;
  hi: number;
  count: number;
  /** count / scored items (0 when none). */
  share: number;
}

export interface ConsistencySummary {
  /** Items with a score in [0, 1]. */
  n: number;
  /** Items with a null, NaN or out-of-range score (e.g. never labelled). */
  missing: number;
  bins: ConsistencyBin[];
  /** Share of scored items with consistency = 1 (all answers agreed). */
  shareUnanimous: number;
  mean: number | null;
}

// Scores are fractions k/R; compare with a tolerance so 3 * (1/3) counts as 1.
const EPS = 1e-9;
const valid = (s: number | null | undefined): s is number => typeof s === 'number' && !Number.isNaN(s) && s >= -EPS && s <= 1 + EPS;

/**
 * Histogram of consistency scores over [0, 1] in `bins` equal bins
 * (default 10), plus the unanimous share and the mean.
 */
export function consistencyHistogram(scores: ArrayLike<number | null | undefined>, bins = 10): ConsistencySummary {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`The number of bins must be a positive integer (got ${bins}).`);
  const counts = new Array<number>(bins).fill(0);
  let n = 0;
  let missing = 0;
  let unanimous = 0;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!valid(s)) {
      missing++;
      continue;
    }
    n++;
    sum += s;
    if (s >= 1 - EPS) unanimous++;
    counts[Math.max(0, Math.min(bins - 1, Math.floor(s * bins + EPS)))]++;
  }
  return {
    n,
    missing,
    bins: counts.map((count, i) => ({ lo: i / bins, hi: (i + 1) / bins, count, share: n === 0 ? 0 : count / n })),
    shareUnanimous: n === 0 ? 0 : unanimous / n,
    mean: n === 0 ? null : sum / n,
  };
}

/** Share of scored items with consistency = 1; 0 when none is scored. */
export function shareUnanimous(scores: ArrayLike<number | null | undefined>): number {
  let n = 0;
  let u = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!valid(s)) continue;
    n++;
    if (s >= 1 - EPS) u++;
  }
  return n === 0 ? 0 : u / n;
}

/**
 * Counts of each distinct score (rounded to 6 decimals), ascending — a better
 * chart than bins when there are few repeats (e.g. 1/3, 2/3, 1 for R = 3).
 */
export function consistencyLevels(scores: ArrayLike<number | null | undefined>): { value: number; count: number; share: number }[] {
  const byValue = new Map<number, number>();
  let n = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!valid(s)) continue;
    n++;
    const v = Math.round(Math.min(1, Math.max(0, s)) * 1e6) / 1e6;
    byValue.set(v, (byValue.get(v) ?? 0) + 1);
  }
  return [...byValue.entries()].sort((a, b) => a[0] - b[0]).map(([value, count]) => ({ value, count, share: count / n }));
}
