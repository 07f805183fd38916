import { describe, expect, it } from 'vitest';
import { examplesFromPool } from './examples';
import { trainingPool } from '../train/training-rows';
import type { DataRow, Splits } from '../data/types';

const row = (id: string, human: string | null, text = `text ${id}`): DataRow => ({ id, text, human, hash: id });
const rows = [row('v1', 'pos'), row('t1', 'neg'), row('p1', 'neg'), row('p2', 'pos'), row('p3', 'pos'), row('p4', null)];
const splits: Splits = { seed: 1, validation: ['v1'], test: ['t1'], pool: ['p1', 'p2', 'p3', 'p4'] };

describe('examplesFromPool', () => {
  it('takes one example per label from the training pool, never a validation or test text', () => {
    const pool = trainingPool(rows, splits);
    expect(examplesFromPool(pool, ['pos', 'neg'], [])).toEqual([
      { text: 'text p2', label: 'pos' },
      { text: 'text p1', label: 'neg' },
    ]);
  });

  it('skips texts already in the codebook, too long, or without the label; a label with none gets none', () => {
    const pool = [row('a', 'pos'), row('b', 'pos', 'x'.repeat(30)), row('c', 'pos'), row('d', 'other')];
    expect(examplesFromPool(pool, ['pos', 'neg'], [{ text: 'text a', label: 'pos' }], 20)).toEqual([{ text: 'text c', label: 'pos' }]);
  });
});
