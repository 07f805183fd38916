// Majority label and consistency over a text's repeats (Pangakis & Wolken:
// the share of repeated answers that agree is a confidence signal).

export interface Aggregate {
  /** Majority of the valid answers; null when there is none. */
  label: string | null;
  /** votes[label] / all repeats (invalid ones count against it); 0 when label is null. */
  consistency: number;
  votes: Record<string, number>;
  /** All repeats, valid or not. */
  n: number;
  /** Repeats without a valid label (null entries). */
  invalid: number;
  /** True when two or more labels shared the top count. */
  tie: boolean;
}

/**
 * Aggregate repeat answers given in repeat order (index 0 = repeat 0, the
 * low-temperature "main" answer); null marks an invalid or refused answer.
 *
 * Tie rule (deterministic): among the labels sharing the top count, the one
 * given by the earliest repeat wins, so repeat 0 decides whenever it is part
 * of the tie. `tie` is set so the UI can show it, and consistency stays honest
 * (e.g. 1 of 2 → 0.5).
 */
export function aggregate(answers: (string | null)[]): Aggregate {
  const votes: Record<string, number> = {};
  const firstSeen = new Map<string, number>();
  let invalid = 0;
  answers.forEach((a, i) => {
    if (a === null) {
      invalid += 1;
      return;
    }
    votes[a] = (votes[a] ?? 0) + 1;
    if (!firstSeen.has(a)) firstSeen.set(a, i);
  });
  const n = answers.length;
  const ranked = Object.keys(votes).sort((x, y) => votes[y] - votes[x] || firstSeen.get(x)! - firstSeen.get(y)!);
  if (ranked.length === 0) return { label: null, consistency: 0, votes, n, invalid, tie: false };
  const label = ranked[0];
  const tie = ranked.length > 1 && votes[ranked[1]] === votes[label];
  return { label, consistency: votes[label] / n, votes, n, invalid, tie };
}
