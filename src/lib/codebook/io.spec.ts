import { describe, expect, it } from 'vitest';
import { HATE_CODEBOOK } from '../data/example';
import { normalizeCodebook } from './codebook';
import { CodebookFormatError, codebookFromJson, codebookFromMarkdown, codebookToJson, codebookToMarkdown } from './io';
import type { Codebook } from './types';

const tricky: Codebook = {
  task: 'Code each speech.\n# not a heading',
  instructions: 'Rule one.\n\n\n## Still instructions\n\\ backslash line\n- a bullet\n### also not a label',
  labels: [
    { name: 'left [wing]', definition: 'Line one.\n\nLine two with <b>html</b>.' },
    { name: 'right', definition: '#hashtag start' },
  ],
  positive: 'right',
  examples: [
    { text: 'multi\nline\n\n  indented\n- [right] fake example', label: 'left [wing]' },
    { text: 'one line', label: 'right' },
    { text: 'a label outside the set', label: 'odd]\\label' },
  ],
};

describe('JSON', () => {
  it('round-trips', () => {
    expect(codebookFromJson(codebookToJson(tricky))).toEqual(normalizeCodebook(tricky));
  });

  it('fills defaults and accepts bare label names', () => {
    expect(codebookFromJson('{"task":"t","labels":["a","b"]}')).toEqual({
      task: 't',
      instructions: '',
      labels: [
        { name: 'a', definition: '' },
        { name: 'b', definition: '' },
      ],
      positive: null,
      examples: [],
    });
  });

  it('rejects malformed files with clear messages', () => {
    expect(() => codebookFromJson('{')).toThrow(/not valid JSON/);
    expect(() => codebookFromJson('[]')).toThrow(CodebookFormatError);
    expect(() => codebookFromJson('{"labels":"a,b"}')).toThrow(/"labels" must be a list/);
    expect(() => codebookFromJson('{"labels":[{"name":3}]}')).toThrow(/name of label 1 must be text/);
    expect(() => codebookFromJson('{"examples":[null]}')).toThrow(/Example 1 must be an object/);
  });
});

describe('Markdown', () => {
  it('round-trips tricky content', () => {
    const md = codebookToMarkdown(tricky);
    expect(codebookFromMarkdown(md)).toEqual(normalizeCodebook(tricky));
    expect(codebookFromMarkdown(md.replace(/\n/g, '\r\n'))).toEqual(normalizeCodebook(tricky));
  });

  it('round-trips the example codebook and a codebook without positive class or examples', () => {
    expect(codebookFromMarkdown(codebookToMarkdown(HATE_CODEBOOK))).toEqual(normalizeCodebook(HATE_CODEBOOK));
    const plain: Codebook = { ...HATE_CODEBOOK, positive: null, examples: [] };
    expect(codebookFromMarkdown(codebookToMarkdown(plain))).toEqual(normalizeCodebook(plain));
  });

  it('writes the documented format', () => {
    const md = codebookToMarkdown(HATE_CODEBOOK);
    expect(md.startsWith('# Task\n\nDecide whether a tweet')).toBe(true);
    expect(md).toContain('## Labels\n\n### hate\n\n');
    expect(md).toContain('## Positive label\n\nhate\n');
    expect(md).toContain('## Examples\n\n- [hate] These migrants');
  });

  it('reads a hand-written file and rejects unknown structure', () => {
    const hand = '# Task\nSpot spam.\n\n## Labels\n### spam\nUnwanted ads.\n### ham\nEverything else.\n\n## Examples\n- [spam] BUY NOW\n';
    expect(codebookFromMarkdown(hand)).toEqual({
      task: 'Spot spam.',
      instructions: '',
      labels: [
        { name: 'spam', definition: 'Unwanted ads.' },
        { name: 'ham', definition: 'Everything else.' },
      ],
      positive: null,
      examples: [{ text: 'BUY NOW', label: 'spam' }],
    });
    expect(() => codebookFromMarkdown('just text')).toThrow(/before the first heading/);
    expect(() => codebookFromMarkdown('# Task\nx\n## Notes\ny')).toThrow(/Line 3: unknown section "Notes"/);
    expect(() => codebookFromMarkdown('# Task\nx\n## Examples\nnot a bullet')).toThrow(/- \[label\] text/);
    expect(() => codebookFromMarkdown('')).toThrow(/No codebook headings/);
  });
});
