// Failed attempts: a request that came back without an answer — empty, or cut
// off at the token cap (a reasoning model that spent the cap on reasoning) —
// or that failed outright after all its retries ('request-failed': 429s,
// timeouts, 5xx, a 400). They are stored, so the same setup does not pay for
// the same empty answer again and a reload still shows what failed and why,
// but they are never an answer: labels skip them. An empty or cut answer is
// asked again as soon as the token cap differs from the one it was asked
// with; a failed request only when the user asks to retry the failures.

import type { TeacherResponse } from './types';

/** The invalidReason of a request that failed after all its retries (no answer came back at all). */
export const REQUEST_FAILED = 'request-failed';

/** True for an empty or length-truncated answer or a failed request (refusals and off-set labels are real answers). */
export function isFailedAttempt(r: Pick<TeacherResponse, 'valid' | 'invalidReason'>): boolean {
  return !r.valid && (r.invalidReason === 'empty' || r.invalidReason === 'truncated' || r.invalidReason === REQUEST_FAILED);
}

/** True for a stored request that failed after all its retries: what "Retry failed" sends again. */
export function isRequestFailure(r: Pick<TeacherResponse, 'valid' | 'invalidReason'>): boolean {
  return !r.valid && r.invalidReason === REQUEST_FAILED;
}

/**
 * What a run sends: 'missing' (a plain run) asks for what was never asked and
 * leaves stored request failures failed; 'failed' ("Retry failed") asks only
 * for those; 'both' (a Batch export) for either.
 */
export type Resend = 'missing' | 'failed' | 'both';

/**
 * Whether a stored response settles its (text, repeat) for a run with token
 * cap `maxTokens`: an answer always; an empty or cut answer only if it was
 * asked with this very cap (rows stored before the cap was recorded never
 * are); a failed request unless the run resends failures.
 */
export function settles(r: TeacherResponse, maxTokens: number, resend: Resend = 'missing'): boolean {
  if (isRequestFailure(r)) return resend === 'missing';
  return !isFailedAttempt(r) || r.maxTokens === maxTokens;
}

/** What went wrong with a failed attempt, and what to do, in words a researcher can act on. */
export function attemptMessage(r: Pick<TeacherResponse, 'invalidReason' | 'maxTokens' | 'usage' | 'error' | 'attempts'>): string {
  // The server's own words, as a run that fails now reports them (plainFailure explains them).
  if (r.invalidReason === REQUEST_FAILED) return r.error ?? 'The request failed.';
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
