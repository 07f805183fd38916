import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue, fromBase64, toBase64, type BinarySink } from './codec';

const inline: BinarySink = (type, bytes) => ({ $sg: 'b64', type, data: toBase64(bytes) });

function roundTrip(value: unknown): unknown {
  const json = JSON.stringify(encodeValue(value, inline));
  return decodeValue(JSON.parse(json), () => {
    throw new Error('no files');
  });
}

describe('codec', () => {
  it('keeps typed arrays, non-finite numbers and dates through JSON', () => {
    const buffer = new Float32Array([1, 2, 3, 4, 5]);
    const value = {
      view: buffer.subarray(1, 3),
      ints: new Int32Array([-1, 7]),
      raw: new Uint8Array([0, 255]).buffer,
      nums: [NaN, Infinity, -Infinity, 0.5],
      when: new Date(Date.UTC(2024, 5, 1)),
      nested: { label: null, ok: true },
    };
    const back = roundTrip(value) as typeof value;
    expect(back.view).toEqual(new Float32Array([2, 3]));
    expect(back.ints).toEqual(new Int32Array([-1, 7]));
    expect(new Uint8Array(back.raw)).toEqual(new Uint8Array([0, 255]));
    expect(back.nums).toEqual([NaN, Infinity, -Infinity, 0.5]);
    expect(back.when.toISOString()).toBe('2024-06-01T00:00:00.000Z');
    expect(back.nested).toEqual({ label: null, ok: true });
  });

  it('names values a file cannot hold', () => {
    expect(() => encodeValue({ a: { b: new Map() } }, inline)).toThrow(/\$\.a\.b is a Map/);
    expect(() => encodeValue([1n], inline)).toThrow(/\$\[0\] is a bigint/);
  });

  it('base64 round-trips large byte arrays', () => {
    const bytes = Uint8Array.from({ length: 100_001 }, (_, i) => (i * 31) % 256);
    expect(Buffer.from(fromBase64(toBase64(bytes))).equals(Buffer.from(bytes))).toBe(true);
  });
});
