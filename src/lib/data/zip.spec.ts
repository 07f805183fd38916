import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { blobSink, crc32, ZipReader, ZipWriter, type ByteSink } from './zip';

async function build(entries: [string, Uint8Array | Uint8Array[], boolean?][]): Promise<Blob> {
  const sink = blobSink('application/zip', 64);
  const w = new ZipWriter(sink);
  for (const [name, data, deflate] of entries) await w.add(name, data, deflate);
  await w.finish();
  return sink.blob();
}

describe('zip', () => {
  it('crc32 matches the standard check value, in one go or in parts', () => {
    const b = strToU8('123456789');
    expect(crc32(b)).toBe(0xcbf43926);
    expect(crc32(b.subarray(5), crc32(b.subarray(0, 5)))).toBe(0xcbf43926);
    const big = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) & 255);
    expect(crc32(big)).toBe(crc32(big.subarray(3), crc32(big.subarray(0, 3))));
  });

  it('writes a zip any reader opens, with sizes in every local header (no data descriptors)', async () => {
    const vec = new Uint8Array(new Float32Array([1.5, -2, 3.25]).buffer);
    const blob = await build([
      ['a.json', strToU8('{"x":'.padEnd(500, ' ') + '1}'), true],
      ['v.bin', [vec, vec]],
      ['empty', new Uint8Array(0)],
    ]);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const out = unzipSync(bytes);
    expect(Object.keys(out)).toEqual(['a.json', 'v.bin', 'empty']);
    expect(JSON.parse(strFromU8(out['a.json']))).toEqual({ x: 1 });
    expect(Array.from(new Float32Array(out['v.bin'].slice().buffer))).toEqual([1.5, -2, 3.25, 1.5, -2, 3.25]);
    const flags = new DataView(bytes.buffer).getUint16(6, true);
    expect(flags & 8).toBe(0);
    expect(new DataView(bytes.buffer).getUint16(8, true)).toBe(8); // the JSON was deflated
  });

  it("reads its own zips and fflate's, entry by entry, and refuses damage in words", async () => {
    const blob = await build([
      ['one', strToU8('first')],
      ['two', strToU8('second'.repeat(100)), true],
    ]);
    const r = await ZipReader.open(blob);
    expect(r.entries.map((e) => e.name)).toEqual(['one', 'two']);
    expect(strFromU8(await r.read(r.find('two')!))).toBe('second'.repeat(100));
    const theirs = await ZipReader.open(new Blob([zipSync({ 'x/y.txt': strToU8('hello'), z: [strToU8('zz'.repeat(99)), { level: 9 }] })]));
    expect(strFromU8(await theirs.read(theirs.find('x/y.txt')!))).toBe('hello');
    expect(strFromU8(await theirs.read(theirs.find('z')!))).toBe('zz'.repeat(99));

    await expect(ZipReader.open(new Blob(['not a zip at all']))).rejects.toThrow(/no zip directory/);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    bytes[30 + 3] ^= 0xff; // a byte of entry "one"'s data
    const bad = await ZipReader.open(new Blob([bytes]));
    await expect(bad.read(bad.find('one')!)).rejects.toThrow(/one is damaged \(its checksum/);
  });

  it('past 4 GiB: ZIP64 offsets and directory, read back (a sink that only counts most bytes)', async () => {
    // Keeps the first and last bytes, stands in zeros for the middle: a 4.3 GB file without 4.3 GB of memory.
    const kept: { at: number; bytes: Uint8Array }[] = [];
    let size = 0;
    const sink: ByteSink = {
      async write(b) {
        if (b.length < 1 << 20) kept.push({ at: size, bytes: b.slice() });
        size += b.length;
      },
    };
    const w = new ZipWriter(sink);
    const block = new Uint8Array(256 * 2 ** 20); // 256 MiB of zeros, written 17 times
    await w.add('small', strToU8('before'));
    for (let i = 0; i < 17; i++) await w.add(`big/${i}`, block);
    await w.add('after', strToU8('past 4 GiB'));
    await w.finish();
    expect(size).toBeGreaterThan(2 ** 32);
    // A Blob-like view over the sparse file.
    const sparse = {
      size,
      slice(start: number, end = size) {
        const out = new Uint8Array(Math.max(0, Math.min(end, size) - start));
        for (const k of kept) {
          const a = Math.max(start, k.at);
          const b = Math.min(start + out.length, k.at + k.bytes.length);
          if (a < b) out.set(k.bytes.subarray(a - k.at, b - k.at), a - start);
        }
        return { arrayBuffer: async () => out.buffer };
      },
    } as unknown as Blob;
    const r = await ZipReader.open(sparse);
    expect(r.entries).toHaveLength(19);
    const after = r.find('after')!;
    expect(after.offset).toBeGreaterThan(2 ** 32);
    expect(strFromU8(await r.read(after))).toBe('past 4 GiB');
    expect(strFromU8(await r.read(r.find('small')!))).toBe('before');
  });
});
