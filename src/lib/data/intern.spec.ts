import { describe, expect, it } from 'vitest';
import { LabelInterner } from './intern';

describe('LabelInterner', () => {
  it('keeps every label value and null, across batches, and returns the same rows', () => {
    const labels = new LabelInterner();
    const a = [
      { id: '1', human: 'yes' },
      { id: '2', human: null },
    ];
    const b = structuredClone([
      { id: '3', human: 'yes' },
      { id: '4', human: 'no' },
    ]);
    expect(labels.intern(a)).toBe(a);
    expect([...a, ...labels.intern(b)].map((r) => r.human)).toEqual(['yes', null, 'yes', 'no']);
  });
});
