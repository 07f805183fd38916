import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DUPLICATE_LIMIT, findDuplicates, listDist } from '../../build/dist-check';

describe('the duplicate check', () => {
  it('finds a large file shipped under two names, ignores small twins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dist-check-'));
    mkdirSync(join(dir, 'assets'));
    mkdirSync(join(dir, 'ort'));
    const big = Buffer.alloc(DUPLICATE_LIMIT + 1, 7);
    writeFileSync(join(dir, 'assets', 'ort-abc.wasm'), big);
    writeFileSync(join(dir, 'ort', 'ort.wasm'), big);
    writeFileSync(join(dir, 'ort', 'other.wasm'), Buffer.alloc(DUPLICATE_LIMIT + 1, 8));
    writeFileSync(join(dir, 'a.txt'), 'same');
    writeFileSync(join(dir, 'b.txt'), 'same');
    const files = listDist(dir);
    expect(files.map((f) => f.path)).toEqual(['a.txt', 'assets/ort-abc.wasm', 'b.txt', 'ort/ort.wasm', 'ort/other.wasm']);
    expect(findDuplicates(files)).toEqual([['assets/ort-abc.wasm', 'ort/ort.wasm']]);
  });
});
