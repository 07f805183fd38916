import { describe, expect, it } from 'vitest';
import { hashParts, hashPartsOf, hashText } from './hash';
import { mulberry32, shuffleInPlace } from './rng';

describe('mulberry32 / shuffleInPlace', () => {
  it('is seeded, in [0,1) and roughly uniform', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    expect(mulberry32(124)()).not.toBe(mulberry32(123)());
  });

  it('shuffles in place into a permutation, reproducibly', () => {
    const arr = Array.from({ length: 50 }, (_, i) => i);
    const out = shuffleInPlace(arr, mulberry32(1));
    expect(out).toBe(arr);
    expect([...arr].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(arr).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(
      shuffleInPlace(
        Array.from({ length: 50 }, (_, i) => i),
        mulberry32(1),
      ),
    ).toEqual(arr);
  });
});

describe('hashText', () => {
  it('is 16 hex chars, stable, and equal for NFC-equivalent texts', () => {
    const h = hashText('hello');
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(hashText('hello')).toBe(h);
    expect(hashText('caf\u00e9')).toBe(hashText('cafe\u0301'));
    expect(hashText('hello ')).not.toBe(h);
    expect(hashText('')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('has no collisions on 100,000 similar texts', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(hashText(`text number ${i}`));
    expect(seen.size).toBe(100_000);
  });

  it('pins known values so cache keys never silently change', () => {
    expect(hashText('hello')).toBe('bfb06f3a63cd7226');
    expect(hashParts('a', 'bc')).not.toBe(hashParts('ab', 'c'));
  });

  it('hashes a list as its parts, also one too long to spread as arguments', () => {
    expect(hashPartsOf(['a', 'bc'])).toBe(hashParts('a', 'bc'));
    const many = Array.from({ length: 1_000_000 }, (_, i) => `h${i}`);
    expect(hashPartsOf(many)).toMatch(/^[0-9a-f]{16}$/);
  });
});
