import { describe, expect, it } from 'vitest';
import { parseText } from '../../src/lib/data/parse';
import { generateTexts, toCsv } from './texts';

describe('generateTexts', () => {
  it('is seeded, labelled, and survives a CSV round trip through the app parser', () => {
    const a = generateTexts(200, 3);
    expect(generateTexts(200, 3)).toEqual(a);
    expect(generateTexts(200, 4)).not.toEqual(a);
    expect(new Set(a.map((t) => t.label))).toEqual(new Set(['positive', 'negative']));
    const table = parseText(toCsv(a), 'csv');
    expect(table.columns).toEqual(['id', 'text', 'label']);
    expect(table.rows.map((r) => r[1])).toEqual(a.map((t) => t.text));
  });
});
