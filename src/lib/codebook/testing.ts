// Codebooks for specs (not part of the app): one small review codebook that
// each spec adapts with the fields it is about.
import type { Codebook, CodebookLabel } from './types';

/** Labels from name → definition pairs, in order. */
export function labels(defs: Record<string, string>): CodebookLabel[] {
  return Object.entries(defs).map(([name, definition]) => ({ name, definition }));
}

/** A complete two-label review codebook ('positive' is the positive class); `over` replaces fields. */
export function reviewCodebook(over: Partial<Codebook> = {}): Codebook {
  return {
    task: 'Is the review positive or negative?',
    instructions: 'Judge the overall opinion.',
    labels: labels({ positive: 'Satisfied.', negative: 'Dissatisfied.' }),
    positive: 'positive',
    examples: [{ text: 'Great!', label: 'positive' }],
    ...over,
  };
}
