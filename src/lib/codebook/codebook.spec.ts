import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codebookHash, emptyCodebook, nextVersion, normalizeCodebook, validateCodebook } from './codebook';
import { codebookFromJson } from './io';
import type { Codebook } from './types';
import { reviewCodebook } from './testing';

const sample = reviewCodebook();

describe('validateCodebook', () => {
  it('accepts a complete codebook and the fixture', () => {
    expect(validateCodebook(sample)).toEqual([]);
    const fixture = readFileSync(new URL('../../../tests/fixtures/data/tiny-sentiment.codebook.json', import.meta.url), 'utf8');
    expect(validateCodebook(codebookFromJson(fixture))).toEqual([]);
  });

  it('names every problem', () => {
    expect(validateCodebook(emptyCodebook())).toEqual([
      'Describe the task: what should be annotated?',
      'Add labels: the codebook has none.',
    ]);
    const bad: Codebook = {
      task: 't',
      instructions: '',
      labels: [
        { name: 'Yes', definition: 'x' },
        { name: 'yes ', definition: ' ' },
        { name: '', definition: 'y' },
      ],
      positive: 'maybe',
      examples: [{ text: ' ', label: 'no' }],
    };
    expect(validateCodebook(bad)).toEqual([
      'Labels "Yes" and "yes" are the same name twice.',
      'Label "yes" has no definition.',
      'Label 3 has no name.',
      'The positive class "maybe" is not one of the labels.',
      'Example 1 has no text.',
      'Example 1 uses the label "no", which is not one of the labels.',
    ]);
    expect(validateCodebook({ ...sample, labels: [sample.labels[0]], positive: null, examples: [] })).toEqual([
      'Add a second label: classification needs at least two.',
    ]);
  });
});

describe('codebookHash', () => {
  it('ignores key order and surrounding whitespace, not content or label order', () => {
    const reordered = JSON.parse(
      JSON.stringify({
        examples: sample.examples.map((e) => ({ label: e.label, text: e.text })),
        positive: sample.positive,
        labels: sample.labels.map((l) => ({ definition: l.definition, name: l.name })),
        instructions: sample.instructions + '  \n',
        task: '  ' + sample.task,
      }),
    ) as Codebook;
    expect(codebookHash(reordered)).toBe(codebookHash(sample));
    expect(codebookHash({ ...sample, task: 'Other task' })).not.toBe(codebookHash(sample));
    expect(codebookHash({ ...sample, labels: [...sample.labels].reverse() })).not.toBe(codebookHash(sample));
    expect(codebookHash(sample)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('nextVersion', () => {
  it('numbers versions, skips unchanged codebooks and stores a normalised copy', () => {
    const v1 = nextVersion([], { ...sample, task: ` ${sample.task} ` }, 1000)!;
    expect(v1).toEqual({ version: 1, createdAt: 1000, codebook: normalizeCodebook(sample), hash: codebookHash(sample) });
    expect(nextVersion([v1], sample, 2000)).toBeNull();
    const v2 = nextVersion([v1], { ...sample, instructions: 'Changed.' }, 2000)!;
    expect(v2.version).toBe(2);
    // Going back to v1's content is a new version (the latest is v2).
    expect(nextVersion([v2, v1], sample, 3000)?.version).toBe(3);
  });

  it('does not alias the caller’s object', () => {
    const cb = structuredClone(sample);
    const v = nextVersion([], cb)!;
    cb.labels[0].definition = 'mutated';
    expect(v.codebook.labels[0].definition).toBe('Satisfied.');
  });
});
