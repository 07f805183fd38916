import { describe, expect, it } from 'vitest';
import type { CodebookVersion } from '../codebook/types';
import type { DataRow } from '../data/types';
import type { TeacherResponse } from './types';
import { versionLabels } from './version-labels';

const NAMES = ['negative', 'positive'];
const rows: DataRow[] = ['positive', 'negative', 'negative'].map((human, i) => ({ id: `r${i}`, text: `t${i}`, human, hash: `h${i}` }));
const cb = { task: 't', instructions: '', labels: NAMES.map((name) => ({ name, definition: '' })), positive: 'positive', examples: [] };
const versions: CodebookVersion[] = [
  { version: 1, createdAt: 1, codebook: cb, hash: 'A' },
  { version: 2, createdAt: 2, codebook: cb, hash: 'B' },
  { version: 3, createdAt: 3, codebook: cb, hash: 'C' },
];
const resp = (hash: string, textHash: string, label: string, model = 'm'): TeacherResponse => ({
  key: `${hash}${textHash}${model}`,
  endpoint: 'http://x/v1/',
  model,
  codebookHash: hash,
  template: 'v1',
  textHash,
  repeat: 0,
  temperature: 0,
  raw: label,
  label,
  valid: true,
  usage: { prompt: 1, completion: 1 },
  at: 1,
});

describe('versionLabels', () => {
  it('gives each version the labels of its own answers under the same endpoint, model and template', () => {
    const answers = [
      resp('A', 'h0', 'negative'),
      resp('A', 'h2', 'negative'),
      resp('B', 'h0', 'positive'),
      resp('C', 'h0', 'positive', 'other'),
    ];
    const got = versionLabels(versions, answers, [rows[0], rows[2]], { endpoint: 'http://x/v1', model: 'm', template: 'v1', repeats: 1 });
    expect(got.map((v) => v.labels)).toEqual([
      [
        { rowId: 'r0', label: 'negative' },
        { rowId: 'r2', label: 'negative' },
      ],
      [{ rowId: 'r0', label: 'positive' }],
      [],
    ]);
    expect(got[0]).toMatchObject({ version: 1, createdAt: 1, names: NAMES, positive: 'positive' });
  });
});
