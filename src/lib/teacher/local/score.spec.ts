// The scorer's logic on the plain-JS reference model (no ONNX Runtime): the
// cached and batched path scores exactly what whole sequences score.
import { describe, expect, it } from 'vitest';
import { answerFor, commonPrefix, normalise, prefill, scoredFrom, scoreSequences } from './score';
import { referenceLM } from './reference';

// Token ids of the tiny vocabulary (any ids below its size will do here).
const prompt = [508 - 2, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49];
const seqs = [
  [...prompt, 300, 301, 302],
  [...prompt, 300, 303],
  [...prompt, 310, 311, 312, 313],
];

describe('score helpers', () => {
  it('writes the answer the system prompt asks for', () => {
    expect(answerFor('positive')).toBe('{"label": "positive"}');
    expect(answerFor('say "no"')).toBe('{"label": "say \\"no\\""}');
  });

  it('finds the shared prefix and where scoring starts', () => {
    expect(commonPrefix(seqs)).toBe(prompt.length);
    expect(
      commonPrefix([
        [1, 2, 3],
        [1, 2, 3, 4],
      ]),
    ).toBe(3);
    // A sequence that is a prefix of another still has its last token scored.
    expect(
      scoredFrom([
        [1, 2, 3],
        [1, 2, 3, 4],
      ]),
    ).toBe(2);
    expect(() => scoredFrom([[1], [1, 2]])).toThrow(/at least one token/);
  });

  it('normalises log probabilities stably', () => {
    const p = normalise([-1000, -1000 + Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.25, 12);
    expect(p[1]).toBeCloseTo(0.75, 12);
  });
});

describe('scoreSequences', () => {
  it('gives the same scores with the cache (and a run-wide prefix) as whole sequences', async () => {
    const lm = referenceLM();
    const full = await scoreSequences(lm, seqs, { mode: 'full' });
    const cached = await scoreSequences(lm, seqs, { mode: 'prefix' });
    const shared = await prefill(lm, prompt.slice(0, 6));
    const reused = await scoreSequences(lm, seqs, { mode: 'prefix', shared });
    for (const got of [cached, reused]) {
      got.logprobs.forEach((x, i) => expect(x).toBeCloseTo(full.logprobs[i], 9));
      got.probs.forEach((x, i) => expect(x).toBeCloseTo(full.probs[i], 9));
    }
    expect(full.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // Whole sequences run every token; the cache runs the prompt once and each label's tail.
    expect(full.tokens).toBe(seqs.reduce((a, s) => a + s.length, 0));
    expect(cached.tokens).toBe(prompt.length + (2 + 1 + 3));
    expect(reused.tokens).toBe(prompt.length - 6 + (2 + 1 + 3));
  });

  it('ignores a run-wide prefix the text does not start with', async () => {
    const lm = referenceLM();
    const shared = await prefill(lm, [1, 2, 3]);
    const got = await scoreSequences(lm, seqs, { mode: 'prefix', shared });
    const want = await scoreSequences(lm, seqs, { mode: 'full' });
    got.probs.forEach((x, i) => expect(x).toBeCloseTo(want.probs[i], 9));
    expect(got.tokens).toBe(prompt.length + 6);
  });
});
