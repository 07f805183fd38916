import { describe, expect, it } from 'vitest';
import { eachSliced, filterSliced } from './yield';

describe('eachSliced', () => {
  it('visits every index once, in order, and yields between slices', async () => {
    const seen: number[] = [];
    const slices: number[] = [];
    let pauses = 0;
    await eachSliced(1_000, (i) => seen.push(i), {
      sliceMs: 0, // every check point ends a slice
      pause: async () => void pauses++,
      onSlice: (done) => slices.push(done),
    });
    expect(seen).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    expect(pauses).toBe(15); // after rows 64, 128, …, 960
    expect(slices[0]).toBe(64);
    expect(slices.at(-1)).toBe(960);
  });
});

describe('filterSliced', () => {
  it('keeps what the test accepts, in order, across slices', async () => {
    const xs = Array.from({ length: 1_000 }, (_, i) => i);
    expect(await filterSliced(xs, (x) => x % 97 === 0)).toEqual(xs.filter((x) => x % 97 === 0));
    expect(await filterSliced([], () => true)).toEqual([]);
  });
});
