// Time left for the progress lines of long jobs (labelling, embedding,
// training, comparing), from how fast they have gone so far.

/** Milliseconds left at the current rate, or null before there is a rate. */
export function etaMs(startedAt: number, done: number, total: number, now = Date.now()): number | null {
  if (done <= 0 || total <= done) return done >= total && total > 0 ? 0 : null;
  return ((now - startedAt) / done) * (total - done);
}

/** Items per minute since `startedAt`, and the milliseconds the `left` ones will take at that pace (null before any). */
export function pace(count: number, startedAt: number, now: number, left: number): { ratePerMin: number; etaMs: number | null } {
  const minutes = (now - startedAt) / 60_000;
  const ratePerMin = minutes > 0 ? count / minutes : 0;
  return { ratePerMin, etaMs: ratePerMin > 0 ? (left / ratePerMin) * 60_000 : null };
}
