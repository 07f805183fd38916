import { describe, expect, it } from 'vitest';
import { parseAnswer, parseChoice } from './parse';

const L = ['positive', 'negative', 'neutral'];
const PARTY = ['Democrat', 'Republican'];

describe('parseAnswer', () => {
  it('reads structured JSON answers, mapping case to the canonical label', () => {
    expect(parseAnswer('{"label":"negative"}', null, L)).toEqual({ label: 'negative', valid: true });
    expect(parseAnswer(' {"label": "Positive"} ', null, L)).toEqual({ label: 'positive', valid: true });
    expect(parseAnswer('```json\n{"label":"neutral"}\n```', null, L)).toEqual({ label: 'neutral', valid: true });
  });

  it('marks JSON with a label outside the set invalid instead of mapping it', () => {
    expect(parseAnswer('{"label":"banana"}', null, L)).toEqual({ label: null, valid: false, reason: 'not-a-label' });
    expect(parseAnswer('{"label":"positiv"}', null, L)).toMatchObject({ valid: false, reason: 'not-a-label' });
    expect(parseAnswer('{"label":"not negative"}', null, L)).toMatchObject({ valid: false, reason: 'not-a-label' });
  });

  it('marks broken JSON invalid', () => {
    expect(parseAnswer('{"label": ', null, L)).toMatchObject({ valid: false, reason: 'malformed-json' });
    expect(parseAnswer('{"answer":"positive"}', null, L)).toMatchObject({ valid: false, reason: 'malformed-json' });
  });

  it('accepts a bare label, ignoring case, spacing, quotes and punctuation', () => {
    expect(parseAnswer('negative', null, L).label).toBe('negative');
    expect(parseAnswer('  "Neutral".  ', null, L).label).toBe('neutral');
    expect(parseAnswer('**POSITIVE**', null, L).label).toBe('positive');
    expect(parseAnswer('Not   Relevant!', null, ['relevant', 'not relevant']).label).toBe('not relevant');
    expect(parseAnswer('pro-choice', null, ['pro-life', 'pro-choice']).label).toBe('pro-choice');
    expect(parseAnswer('+', null, ['+', '-']).label).toBe('+');
  });

  it('accepts a fixed lead-in followed by nothing but one label', () => {
    expect(parseAnswer('The answer is: negative.', null, L).label).toBe('negative');
    expect(parseAnswer('Label: Neutral', null, L).label).toBe('neutral');
    expect(parseAnswer('Final answer — positive', null, L).label).toBe('positive');
    expect(parseAnswer('Answer: probably positive', null, L)).toMatchObject({ valid: false, reason: 'not-a-label' });
  });

  it('never reads a label out of a sentence that denies or doubts it', () => {
    const cases = [
      'The poster is definitely not a Democrat.',
      'Not Democrat',
      'not a democrat',
      'Probably not Democrat.',
      'Probably Democrat',
      'I think Democrat, but I am not sure.',
      'Democrat? Hard to say.',
      'The poster is a Democrat.',
      'Democrat or Republican',
      'Democrat, Republican',
      'Neither Democrat nor Republican.',
      'Democrat\n\nRepublican',
      'Republican (not Democrat)',
    ];
    for (const c of cases) expect(parseAnswer(c, null, PARTY), c).toMatchObject({ label: null, valid: false });
  });

  it('does not take a label for another label that contains it', () => {
    const labels = ['relevant', 'not relevant', 'irrelevant'];
    expect(parseAnswer('not relevant', null, labels).label).toBe('not relevant');
    expect(parseAnswer('relevant', null, labels).label).toBe('relevant');
    expect(parseAnswer('The text is not relevant.', null, ['relevant'])).toMatchObject({ valid: false });
    expect(parseAnswer('irrelevant', null, ['relevant'])).toMatchObject({ valid: false });
    expect(parseAnswer('hate speech', null, ['hate', 'hate speech']).label).toBe('hate speech');
    expect(parseAnswer('hate', null, ['hate', 'hate speech']).label).toBe('hate');
    expect(parseAnswer('I feel positively about it', null, L)).toMatchObject({ valid: false });
  });

  it('calls an answer matching two labels once folded ambiguous', () => {
    expect(parseAnswer('pro life', null, ['pro-life', 'pro life']).label).toBe('pro life');
    expect(parseAnswer('Pro Life!', null, ['pro-life', 'pro life'])).toMatchObject({ valid: false, reason: 'ambiguous' });
  });

  it('treats refusals and empty answers as invalid', () => {
    expect(parseAnswer(null, "I can't help with that.", L)).toEqual({ label: null, valid: false, reason: 'refusal' });
    expect(parseAnswer('positive', 'I refuse', L)).toMatchObject({ valid: false, reason: 'refusal' });
    expect(parseAnswer(null, null, L)).toMatchObject({ valid: false, reason: 'empty' });
    expect(parseAnswer('   ', undefined, L)).toMatchObject({ valid: false, reason: 'empty' });
  });
});

describe('parseAnswer with structured output requested', () => {
  const S = { structured: true };

  it('takes only a schema-valid answer', () => {
    expect(parseAnswer('{"label":"Democrat"}', null, PARTY, S)).toEqual({ label: 'Democrat', valid: true });
    expect(parseAnswer('{"label":"democrat"}', null, PARTY, S)).toMatchObject({ valid: false, reason: 'not-a-label' });
    expect(parseAnswer('{"label":"Democrat","why":"x"}', null, PARTY, S)).toMatchObject({ valid: false, reason: 'malformed-json' });
    expect(parseAnswer('{"label":["Democrat"]}', null, PARTY, S)).toMatchObject({ valid: false, reason: 'malformed-json' });
    // The same characters composed differently (NFD from the server) are the same label.
    expect(parseAnswer(JSON.stringify({ label: 'Café'.normalize('NFD') }), null, ['Café', 'Bar'], S)).toEqual({
      label: 'Café',
      valid: true,
    });
  });

  it('never reads prose as a label, not even a bare label or a negation of one', () => {
    for (const c of ['The poster is definitely not a Democrat.', 'Democrat', 'Label: Democrat', 'Probably not Republican'])
      expect(parseAnswer(c, null, PARTY, S), c).toEqual({ label: null, valid: false, reason: 'not-json' });
  });
});

describe('parseChoice', () => {
  it('never takes an answer cut at the token cap, and calls an empty one empty', () => {
    expect(parseChoice('positive', null, 'stop', ['positive', 'negative'])).toEqual({ label: 'positive', valid: true });
    expect(parseChoice('positive, because the', null, 'length', ['positive', 'negative'])).toEqual({
      label: null,
      valid: false,
      reason: 'truncated',
    });
    expect(parseChoice('', null, 'length', ['positive'])).toMatchObject({ valid: false, reason: 'empty' });
    expect(parseChoice(null, 'No.', 'stop', ['positive'])).toMatchObject({ valid: false, reason: 'refusal' });
    expect(parseChoice('positive', null, undefined, ['positive'])).toMatchObject({ valid: true });
    expect(parseChoice('Not positive.', null, 'stop', ['positive'], { structured: true })).toMatchObject({
      valid: false,
      reason: 'not-json',
    });
  });
});
