// A small project opened through the real AppState on fake-indexeddb: rows
// with human labels, a seeded split and a valid two-label codebook. For the
// state specs, which then work on the real singletons instead of a fake app.
import { hashText } from '../../src/lib/data/hash';
import type { DataRow } from '../../src/lib/data/types';
import type { Codebook } from '../../src/lib/codebook/types';
import type { AppState } from '../../src/lib/state/app.svelte';

export const LABELS = ['neg', 'pos'];

export const CODEBOOK: Codebook = {
  task: 'Is the review positive?',
  instructions: '',
  labels: [
    { name: 'neg', definition: 'A negative review.' },
    { name: 'pos', definition: 'A positive review.' },
  ],
  positive: 'pos',
  examples: [],
};

/** `n` rows, human labels alternating neg/pos. */
export function fixtureRows(n: number): DataRow[] {
  return Array.from({ length: n }, (_, i) => {
    const text = `review number ${i}`;
    return { id: `r${i}`, text, human: LABELS[i % 2], hash: hashText(text) };
  });
}

/** Creates, fills and opens a project in `app`: `n` rows, `validation` + `test` held out, the codebook saved. */
export async function openFixtureProject(app: AppState, o: { n?: number; validation?: number; test?: number } = {}): Promise<void> {
  await app.newProject('Fixture');
  await app.importRows(fixtureRows(o.n ?? 20), { text: 'text', id: 'id', label: 'label' });
  await app.resplit({ validation: o.validation ?? 4, test: o.test ?? 4 }, 7);
  await app.saveCodebook(CODEBOOK);
}
