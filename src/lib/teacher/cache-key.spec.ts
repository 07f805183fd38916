import { describe, expect, it } from 'vitest';
import { cacheKey, normaliseEndpoint, parseCacheKey } from './cache-key';

const parts = {
  endpoint: 'https://api.openai.com/v1',
  model: 'gpt-4o-mini',
  codebookHash: 'cb1',
  template: 'v1',
  textHash: 'abc',
  repeat: 0,
  temperature: 0,
};

describe('cacheKey', () => {
  it('is versioned and names every part', () => {
    const k = cacheKey(parts);
    expect(k.startsWith('r1|')).toBe(true);
    expect(k).toContain('gpt-4o-mini');
  });

  it('ignores trailing slashes and host case in the endpoint', () => {
    expect(cacheKey({ ...parts, endpoint: 'https://API.openai.com/v1///' })).toBe(cacheKey(parts));
    expect(normaliseEndpoint(' http://localhost:11434/v1/ ')).toBe('http://localhost:11434/v1');
    expect(normaliseEndpoint('not a url/')).toBe('not a url');
  });

  it('changes with any part that changes the answer', () => {
    const k = cacheKey(parts);
    for (const change of [
      { model: 'gpt-4o' },
      { codebookHash: 'cb2' },
      { template: 'v2' },
      { textHash: 'abd' },
      { repeat: 1 },
      { temperature: 0.7 },
      { temperature: null },
    ]) {
      expect(cacheKey({ ...parts, ...change })).not.toBe(k);
    }
  });

  it('round-trips through parseCacheKey, even with separators inside parts', () => {
    const odd = { ...parts, model: 'a|b c', template: 'x/y', temperature: null };
    expect(parseCacheKey(cacheKey(odd))).toEqual({ ...odd, endpoint: 'https://api.openai.com/v1' });
    expect(parseCacheKey('r0|a|b')).toBeNull();
  });
});
