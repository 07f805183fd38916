import { describe, expect, it } from 'vitest';
import { labelsFromResponses } from './labels';
import { labelProbabilities, topLogprobsFor, wireTokens } from './logprobs';
import { makeResponses } from './tasks';
import { makeJob } from './queue.fixture';
import type { TeacherResponse, TokenLogprob } from './types';

const L = Math.log;
const tok = (token: string, p: number, top: [string, number][] = []): TokenLogprob => ({
  token,
  logprob: L(p),
  top: top.map(([t, q]) => ({ token: t, logprob: L(q) })),
});

describe('labelProbabilities', () => {
  it('reads a JSON-schema answer: the alternatives at the label’s first token, not renormalised', () => {
    const tokens = [
      tok('{"', 1),
      tok('label', 1),
      tok('":"', 1),
      tok('positive', 0.8, [
        ['positive', 0.8],
        ['negative', 0.15],
        ['maybe', 0.05],
      ]),
      tok('"}', 1),
    ];
    const p = labelProbabilities(tokens, ['positive', 'negative'], 'positive')!;
    expect(p.positive).toBeCloseTo(0.8, 12);
    expect(p.negative).toBeCloseTo(0.15, 12);
    expect(Object.keys(p).sort()).toEqual(['negative', 'positive']);
  });

  it('multiplies along a label of several tokens, and gives a shared prefix’s alternatives to the right label', () => {
    // "neutral" vs "negative": "ne" is shared; the next token decides.
    const tokens = [
      tok('ne', 0.9, [
        ['ne', 0.9],
        ['pos', 0.1],
      ]),
      tok('utral', 0.7, [
        ['utral', 0.7],
        ['gative', 0.2],
        ['on', 0.1],
      ]),
    ];
    const p = labelProbabilities(tokens, ['positive', 'negative', 'neutral'], 'neutral')!;
    expect(p.neutral).toBeCloseTo(0.9 * 0.7, 12);
    expect(p.negative).toBeCloseTo(0.9 * 0.2, 12);
    expect(p.positive).toBeCloseTo(0.1, 12);
  });

  it('reads a plain answer with a leading space, case-folded, and a sentence around the label', () => {
    const plain = [
      tok(' Positive', 0.6, [
        [' Positive', 0.6],
        [' negative', 0.3],
        ['negative', 0.05],
      ]),
    ];
    const p = labelProbabilities(plain, ['positive', 'negative'], 'positive')!;
    expect(p.positive).toBeCloseTo(0.6, 12);
    expect(p.negative).toBeCloseTo(0.35, 12);
    const sentence = [
      tok('The', 1),
      tok(' answer', 1),
      tok(' is', 1),
      tok(':', 1),
      tok(' negative', 0.55, [
        [' negative', 0.55],
        [' positive', 0.4],
      ]),
      tok('.', 1),
    ];
    expect(labelProbabilities(sentence, ['positive', 'negative'], 'negative')).toEqual({
      negative: expect.closeTo(0.55, 12),
      positive: expect.closeTo(0.4, 12),
    });
  });

  it('gives nothing for an answer without tokens or whose label is not in them', () => {
    expect(labelProbabilities([], ['a', 'b'], 'a')).toBeNull();
    expect(labelProbabilities([tok('{"label":"', 1)], ['a', 'b'], 'a')).toBeNull();
  });

  it('asks for enough alternatives to hold every label (5 to 20)', () => {
    expect(topLogprobsFor(['a', 'b'])).toBe(5);
    expect(topLogprobsFor(Array.from({ length: 9 }, (_, i) => `l${i}`))).toBe(10);
    expect(topLogprobsFor(Array.from({ length: 40 }, (_, i) => `l${i}`))).toBe(20);
  });
});

describe('wireTokens', () => {
  it('reads OpenAI’s logprobs.content and refuses other shapes', () => {
    expect(
      wireTokens({
        content: [
          {
            token: 'a',
            logprob: -0.1,
            top_logprobs: [
              { token: 'a', logprob: -0.1 },
              { token: 'b', logprob: 'x' },
            ],
          },
        ],
      }),
    ).toEqual([{ token: 'a', logprob: -0.1, top: [{ token: 'a', logprob: -0.1 }] }]);
    expect(wireTokens({ content: [] })).toBeNull();
    expect(wireTokens(null)).toBeNull();
    expect(wireTokens({ content: [{ token: 'a' }] })).toBeNull();
  });
});

describe('label probabilities in stored answers and labels', () => {
  it('stores them with the answer that asked, and the label carries its probability', () => {
    const job = makeJob(1, { batchRepeats: 'off', repeats: 2 });
    const item = job.items[0];
    const json = (label: string, p: number, other: string, q: number) => [
      tok('{"', 1),
      tok('label', 1),
      tok('":"', 1),
      tok(label, p, [
        [label, p],
        [other, q],
      ]),
      tok('"}', 1),
    ];
    const req = { model: 'm', messages: [], maxTokens: 16, structured: true, labels: ['positive', 'negative'], logprobs: true };
    const r0 = makeResponses(
      job,
      { item, repeats: [0] },
      req,
      {
        choices: [{ content: '{"label":"negative"}', refusal: null, tokenLogprobs: json('negative', 0.7, 'positive', 0.25) }],
        usage: { prompt: 1, completion: 1 },
      },
      1,
    ).responses[0];
    expect(r0.probs).toEqual({ negative: expect.closeTo(0.7, 12), positive: expect.closeTo(0.25, 12) });
    // A request that did not ask stores none, even if tokens came.
    const r1 = makeResponses(
      job,
      { item, repeats: [1] },
      { ...req, logprobs: false },
      {
        choices: [{ content: '{"label":"negative"}', refusal: null, tokenLogprobs: json('negative', 0.9, 'positive', 0.1) }],
        usage: { prompt: 1, completion: 1 },
      },
      1,
    ).responses[0];
    expect(r1.probs).toBeUndefined();
    const [label] = labelsFromResponses([{ rowId: 'row0', textHash: item.textHash }], [r0, r1] as TeacherResponse[], 2);
    expect(label).toMatchObject({ label: 'negative', consistency: 1 });
    expect(label.probability).toBeCloseTo(0.7, 12);
    expect(label.probs!.positive).toBeCloseTo(0.25, 12);
    // Without probabilities: none on the label.
    const [plain] = labelsFromResponses([{ rowId: 'row0', textHash: item.textHash }], [r1] as TeacherResponse[], 2);
    expect(plain.probability).toBeUndefined();
  });
});
