import { describe, expect, it } from 'vitest';
import { aggregate } from './consistency';
import { labelsFromResponses } from './labels';
import type { TeacherResponse } from './types';
import { answer } from './testing';

describe('aggregate', () => {
  it('takes the majority and the share of all repeats agreeing', () => {
    expect(aggregate(['a', 'a', 'b'])).toEqual({ label: 'a', consistency: 2 / 3, votes: { a: 2, b: 1 }, n: 3, invalid: 0, tie: false });
    expect(aggregate(['b', 'b', 'b']).consistency).toBe(1);
  });

  it('counts invalid answers against consistency but not as votes', () => {
    expect(aggregate(['a', null, 'a'])).toMatchObject({ label: 'a', consistency: 2 / 3, invalid: 1, votes: { a: 2 } });
    expect(aggregate([null, null])).toEqual({ label: null, consistency: 0, votes: {}, n: 2, invalid: 2, tie: false });
    expect(aggregate([])).toMatchObject({ label: null, n: 0 });
  });

  it('breaks ties by the earliest repeat and flags them', () => {
    expect(aggregate(['b', 'a'])).toMatchObject({ label: 'b', consistency: 0.5, tie: true });
    expect(aggregate([null, 'a', 'b', 'b', 'a'])).toMatchObject({ label: 'a', tie: true });
  });
});

describe('labelsFromResponses', () => {
  const resp = (textHash: string, repeat: number, label: string | null, at = 1): TeacherResponse =>
    answer(textHash, repeat, {
      key: `${textHash}|${repeat}|${at}`,
      raw: label,
      label,
      valid: label !== null,
      usage: { prompt: 1, completion: 1 },
      at,
    });

  it('aggregates per row, shares answers between rows with the same text, and ignores extra repeats', () => {
    const rs = [resp('h1', 0, 'x'), resp('h1', 1, 'y'), resp('h1', 2, 'x'), resp('h1', 3, 'y'), resp('h2', 0, null)];
    const out = labelsFromResponses(
      [
        { rowId: 'r1', textHash: 'h1' },
        { rowId: 'r2', textHash: 'h2' },
        { rowId: 'r3', textHash: 'h1' },
        { rowId: 'r4', textHash: 'h9' },
      ],
      rs,
      3,
    );
    expect(out[0]).toMatchObject({ rowId: 'r1', label: 'x', n: 3, consistency: 2 / 3 });
    expect(out[1]).toMatchObject({ rowId: 'r2', label: null, n: 1, invalid: 1 });
    expect(out[2]).toMatchObject({ rowId: 'r3', label: 'x' });
    expect(out[3]).toMatchObject({ rowId: 'r4', label: null, n: 0 });
  });

  it('keeps the later answer when a repeat was stored twice', () => {
    const out = labelsFromResponses([{ rowId: 'r', textHash: 'h' }], [resp('h', 0, 'late', 5), resp('h', 0, 'early', 2)], 1);
    expect(out[0].label).toBe('late');
  });
});
