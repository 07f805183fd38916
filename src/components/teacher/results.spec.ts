import { describe, expect, it } from 'vitest';
import type { TeacherLabel } from '$lib/teacher/types';
import { consistencyBuckets, groupFailures, labelCounts, plainFailure, shortReason } from './results';

const l = (label: string | null, k: number, n = 3): TeacherLabel => ({
  rowId: Math.random().toString(),
  label,
  consistency: label === null ? 0 : k / n,
  votes: {},
  n,
  invalid: 0,
  tie: false,
});

describe('teacher result summaries', () => {
  it('counts labels, no-label last', () => {
    const c = labelCounts([l('a', 3), l(null, 0), l('b', 2), l('b', 3)]);
    expect(c.total).toBe(4);
    expect(c.rows).toEqual([
      { label: 'b', n: 2 },
      { label: 'a', n: 1 },
      { label: null, n: 1 },
    ]);
  });

  it('buckets by agreeing repeats, unanimous first', () => {
    const b = consistencyBuckets([l('a', 2), l('a', 3), l('b', 3), l(null, 0), l('a', 1)]);
    expect(b.map((x) => [x.text, x.n])).toEqual([
      ['all 3 (unanimous)', 2],
      ['2 of 3', 1],
      ['1 of 3', 1],
      ['no valid answer', 1],
    ]);
  });

  it('explains failures and reasons in words', () => {
    expect(plainFailure('429 Rate limit reached')).toMatch(/too many requests/);
    expect(plainFailure('500 The server had an error')).toMatch(/internal error \(500\)/);
    expect(plainFailure('401 bad key')).toMatch(/API key/);
    expect(plainFailure('The request timed out.')).toMatch(/timeout/);
    expect(shortReason('not-a-label')).toBe('not a label');
  });

  it('groups failures that share a message, each text once with its repeats', () => {
    const g = groupFailures([
      { rowId: 'a', repeats: [2], message: 'empty at cap' },
      { rowId: 'b', repeats: [0], message: '500' },
      { rowId: 'a', repeats: [0, 1], message: 'empty at cap' },
      { rowId: 'c', repeats: [0], message: 'empty at cap' },
    ]);
    expect(g).toEqual([
      {
        message: 'empty at cap',
        answers: 4,
        rows: [
          { rowId: 'a', repeats: [0, 1, 2] },
          { rowId: 'c', repeats: [0] },
        ],
      },
      { message: '500', answers: 1, rows: [{ rowId: 'b', repeats: [0] }] },
    ]);
    expect(shortReason('truncated')).toBe('cut at the cap');
    expect(shortReason('request-failed')).toBe('request failed');
    expect(plainFailure('The run stopped: the account behind this API key has no quota left')).toMatch(/^The run stopped/);
  });
});
