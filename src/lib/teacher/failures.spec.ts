import { describe, expect, it } from 'vitest';
import { retryableCount, storedFailures } from './failures';
import { answer } from './testing';

const row = answer;

describe('storedFailures', () => {
  it('lists failed requests with their error and empty answers, by row, and counts what Retry failed sends', () => {
    const items = [
      { rowId: 'a', textHash: 'ha' },
      { rowId: 'b', textHash: 'hb' },
      { rowId: 'b2', textHash: 'hb' },
      { rowId: 'c', textHash: 'hc' },
    ];
    const responses = [
      row('ha', 0, { invalidReason: 'request-failed', error: '429 Rate limit reached', attempts: 7 }),
      row('ha', 1, { invalidReason: 'request-failed', error: '429 Rate limit reached', attempts: 7 }),
      row('ha', 2, { valid: true, label: 'x', raw: 'x' }),
      row('hb', 0, { invalidReason: 'empty', maxTokens: 32 }),
      row('hc', 0, { invalidReason: 'not-a-label', raw: 'banana' }), // an answer, not a failure
      row('hc', 5, { invalidReason: 'request-failed', error: 'old' }), // beyond the repeats
    ];
    const f = storedFailures(items, responses, 3);
    expect(f).toEqual([
      { rowId: 'a', repeats: [0, 1], message: '429 Rate limit reached', request: true },
      { rowId: 'b', repeats: [0], message: expect.stringContaining('came back empty at the 32-token cap'), request: false },
    ]);
    expect(retryableCount(f)).toBe(2);
  });
});
