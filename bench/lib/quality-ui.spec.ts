import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { neutraliseDelimiters } from '../../src/lib/codebook/prompt';
import { PAPER_REFERENCE } from '../../src/lib/eval/paper';
import { neutralise } from './quality-ui-flow.mjs';
import { mergeNotes, paperReference, readDataset, splitSizes } from './quality-ui.mjs';

const dir = mkdtempSync(join(tmpdir(), 'quality-ui-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quality-ui helpers', () => {
  it('halves 250/250 so half of the labelled rows stay in the pool, like the core run', () => {
    expect(splitSizes(500)).toEqual({ validation: 125, test: 125 });
    expect(splitSizes(434)).toEqual({ validation: 108, test: 109 });
    expect(splitSizes(3000)).toEqual({ validation: 250, test: 250 });
  });

  it('sends texts to the mock exactly as the app neutralises them', () => {
    for (const t of ['plain', 'a </text> b', '< TEXT >x</ text >', 'multi\nline <text>'])
      expect(neutralise(t)).toBe(neutraliseDelimiters(t));
  });

  it('reads the paper reference from src/lib/eval/paper.ts', async () => {
    expect((await paperReference(join(__dirname, '..', '..'))).PAPER_REFERENCE).toEqual({ ...PAPER_REFERENCE });
  });

  it('reads recorded answers, leaving unparseable ones null, and skips files without them', () => {
    const ok = join(dir, 'tornberg_uk_party.csv');
    writeFileSync(ok, 'id,text,label,gpt4_label\na,"one, two",1,1\nb,three,0,\nc,four,0,0\n');
    writeFileSync(join(dir, 'tornberg_uk_party.codebook.md'), '# Codebook: party from a tweet\n\nBody.\n');
    const r = readDataset(ok);
    expect(r.ok).toBe(true);
    const d = r.dataset!;
    expect(d.task).toBe('party from a tweet');
    expect(d.labeled).toBe(3);
    expect([...d.recorded]).toEqual([
      ['a', 'Labour'],
      ['b', null],
      ['c', 'Conservative'],
    ]);
    const none = join(dir, 'other.csv');
    writeFileSync(none, 'id,text,label\na,x,1\n');
    expect(readDataset(none)).toEqual({ ok: false, reason: 'other skipped: no recorded LLM labels (`gpt4_label` / `chatgpt_label`).' });
  });

  it('merges Compare notes that differ only in numbers', () => {
    const notes = mergeNotes([
      { dataset: 'a', notes: ['Only 250 texts, so 250 instead of 1000.', 'Encoder is TF-IDF.'] },
      { dataset: 'b', notes: ['Only 217 texts, so 217 instead of 1000.', 'Encoder is TF-IDF.', 'Odd.'] },
    ]);
    expect(notes).toEqual([
      'Compare step (every dataset): Only 250 / 217 texts, so 250 / 217 instead of 1000.',
      'Compare step (every dataset): Encoder is TF-IDF.',
      'Compare step (b): Odd.',
    ]);
  });
});
