// Failed attempts: a request that came back without an answer — empty, or cut
// off at the token cap (a reasoning model that spent the cap on reasoning).
// They are stored, so the same setup does not pay for the same empty answer
// again, but they are never an answer: labels skip them, and a run asks again
// as soon as the token cap differs from the one they were asked with.

import type { TeacherResponse } from './types';

/** True for an empty or length-truncated answer (refusals and off-set labels are real answers). */
export function isFailedAttempt(r: Pick<TeacherResponse, 'valid' | 'invalidReason'>): boolean {
  return !r.valid && (r.invalidReason === 'empty' || r.invalidReason === 'truncated');
}

/**
 * Whether a stored response settles its (text, repeat) for a run with token
 * cap `maxTokens`: an answer always; a failed attempt only if it was asked
 * with this very cap (rows stored before the cap was recorded never are).
 */
export function settles(r: TeacherResponse, maxTokens: number): boolean {
  return !isFailedAttempt(r) || r.maxTokens === maxTokens;
}

/** What went wrong with a failed attempt, and what to do, in words a researcher can act on. */
export function attemptMessage(r: Pick<TeacherResponse, 'invalidReason' | 'maxTokens' | 'usage'>): string {
  const cap = r.maxTokens ?? 0;
  const reasoning = r.usage.reasoning ?? 0;
  const spent = reasoning > 0 ? ` (${reasoning.toLocaleString('en')} of them on hidden reasoning)` : '';
  const what = r.invalidReason === 'truncated' ? 'was cut off at' : 'came back empty at';
  return (
    `The answer ${what} the ${cap.toLocaleString('en')}-token cap${spent}. ` +
    'Raise the token cap in Run settings (reasoning models need thousands) and run again: ' +
    'answers stored with a different cap are asked again, the rest are not.'
  );
}
