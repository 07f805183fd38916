import { describe, expect, it } from 'vitest';
import { labeledCorpusCsv, labeledCorpusFile, labeledCorpusJsonl, type CorpusItem, type CorpusSource } from './corpus-export';

const item = (i: number): CorpusItem => ({
  id: String(i),
  text: i % 3 === 0 ? `=text ${i}, "quoted"\nline` : `text ${i}`,
  human: i % 2 ? 'yes' : null,
  answers: i % 4 === 0 ? ['yes', null, 'no'] : [],
  majority: i % 4 === 0 ? 'yes' : null,
  consistency: i % 4 === 0 ? 1 / 3 : null,
  studentProb: i % 5 === 0 ? null : 0.5 + i / 10_000,
  studentLabel: i % 5 === 0 ? null : 'yes',
});
const items = Array.from({ length: 2_000 }, (_, i) => item(i));
const source = (list: CorpusItem[]): CorpusSource => ({ length: list.length, repeats: 3, item: (i) => list[i] });

describe('labeledCorpusFile', () => {
  it('writes the same bytes as the whole-string CSV, in slices', async () => {
    let pauses = 0;
    const progress: number[] = [];
    const blob = await labeledCorpusFile(source(items), {
      format: 'csv',
      bom: true,
      sliceMs: 0,
      pause: async () => void pauses++,
      onProgress: (done) => progress.push(done),
    });
    // Bytes, not blob.text(): decoding drops a byte-order mark.
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(new TextEncoder().encode(labeledCorpusCsv(items, { bom: true })));
    expect(blob.type).toBe('text/csv;charset=utf-8');
    expect(pauses).toBeGreaterThan(10);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('writes the same JSON Lines as labeledCorpusJsonl', async () => {
    const blob = await labeledCorpusFile(source(items), { format: 'jsonl', sliceMs: 0, pause: async () => {} });
    expect(await blob.text()).toBe(labeledCorpusJsonl(items));
  });

  it('prepares the source, with its pauses, before reading the first item', async () => {
    let prepared = false;
    let pauses = 0;
    const src: CorpusSource = {
      ...source(items),
      prepare: async (slicer) => {
        await slicer?.pause();
        prepared = true;
      },
      item(i) {
        if (!prepared) throw new Error('read before prepare()');
        return items[i];
      },
    };
    const blob = await labeledCorpusFile(src, { format: 'jsonl', pause: async () => void pauses++ });
    expect(await blob.text()).toBe(labeledCorpusJsonl(items));
    expect(pauses).toBeGreaterThan(0);
  });

  it('writes only the header for an empty corpus', async () => {
    const blob = await labeledCorpusFile({ length: 0, repeats: 0, item: () => items[0] }, { format: 'csv' });
    expect(await blob.text()).toBe(labeledCorpusCsv([]));
  });
});
