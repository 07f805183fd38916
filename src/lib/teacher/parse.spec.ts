import { describe, expect, it } from 'vitest';
import { parseAnswer, parseChoice } from './parse';

const L = ['positive', 'negative', 'neutral'];

describe('parseAnswer', () => {
  it('reads structured JSON answers, mapping case to the canonical label', () => {
    expect(parseAnswer('{"label":"negative"}', null, L)).toEqual({ label: 'negative', valid: true });
    expect(parseAnswer(' {"label": "Positive"} ', null, L)).toEqual({ label: 'positive', valid: true });
    expect(parseAnswer('```json\n{"label":"neutral"}\n```', null, L)).toEqual({ label: 'neutral', valid: true });
  });

  it('marks JSON with a label outside the set invalid instead of mapping it', () => {
    expect(parseAnswer('{"label":"banana"}', null, L)).toEqual({ label: null, valid: false, reason: 'not-a-label' });
    expect(parseAnswer('{"label":"positiv"}', null, L)).toMatchObject({ valid: false, reason: 'not-a-label' });
  });

  it('marks broken JSON invalid', () => {
    expect(parseAnswer('{"label": ', null, L)).toMatchObject({ valid: false, reason: 'malformed-json' });
    expect(parseAnswer('{"answer":"positive"}', null, L)).toMatchObject({ valid: false, reason: 'malformed-json' });
  });

  it('accepts a bare label, ignoring case, quotes and punctuation', () => {
    expect(parseAnswer('negative', null, L).label).toBe('negative');
    expect(parseAnswer('  "Neutral".  ', null, L).label).toBe('neutral');
    expect(parseAnswer('**POSITIVE**', null, L).label).toBe('positive');
  });

  it('accepts a sentence only when exactly one label occurs as a whole word', () => {
    expect(parseAnswer('The answer is: negative.', null, L).label).toBe('negative');
    expect(parseAnswer('It is positive or negative.', null, L)).toMatchObject({ valid: false, reason: 'ambiguous' });
    expect(parseAnswer('Hmm, hard to say.', null, L)).toMatchObject({ valid: false, reason: 'not-a-label' });
    // "positively" is not the word "positive"
    expect(parseAnswer('I feel positively about it', null, L)).toMatchObject({ valid: false });
  });

  it('prefers the longer label when one label contains another', () => {
    const labels = ['relevant', 'not relevant'];
    expect(parseAnswer('The text is not relevant.', null, labels).label).toBe('not relevant');
    expect(parseAnswer('The text is relevant.', null, labels).label).toBe('relevant');
  });

  it('treats refusals and empty answers as invalid', () => {
    expect(parseAnswer(null, "I can't help with that.", L)).toEqual({ label: null, valid: false, reason: 'refusal' });
    expect(parseAnswer('positive', 'I refuse', L)).toMatchObject({ valid: false, reason: 'refusal' });
    expect(parseAnswer(null, null, L)).toMatchObject({ valid: false, reason: 'empty' });
    expect(parseAnswer('   ', undefined, L)).toMatchObject({ valid: false, reason: 'empty' });
  });
});

describe('parseChoice', () => {
  it('never takes an answer cut at the token cap, and calls an empty one empty', () => {
    expect(parseChoice('positive', null, 'stop', ['positive', 'negative'])).toEqual({ label: 'positive', valid: true });
    expect(parseChoice('positive, because the', null, 'length', ['positive', 'negative'])).toEqual({ label: null, valid: false, reason: 'truncated' });
    expect(parseChoice('', null, 'length', ['positive'])).toMatchObject({ valid: false, reason: 'empty' });
    expect(parseChoice(null, 'No.', 'stop', ['positive'])).toMatchObject({ valid: false, reason: 'refusal' });
    expect(parseChoice('positive', null, undefined, ['positive'])).toMatchObject({ valid: true });
  });
});
