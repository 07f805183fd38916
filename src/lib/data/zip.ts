// A zip writer and reader for project files, entry by entry, so a file of
// several GiB never sits in memory. Written here rather than with fflate's
// streaming Zip/Unzip: those always write data descriptors, and Unzip finds
// the end of a stored entry by scanning its bytes for the descriptor's
// signature, which a chunk of float vectors can contain by chance. Here every
// local header carries its sizes and CRC, the reader goes by the central
// directory, and offsets past 4 GiB use ZIP64. fflate still (de)compresses
// each (small) entry. A zip is input from outside: the reader refuses
// duplicate names, matches names exactly (never as paths), and bounds what an
// entry may inflate to, by its declared size and a ratio, stopping as soon as
// the output passes what was declared (a zip bomb is refused, not inflated).
import { deflateSync, Inflate } from 'fflate';

/** Where the bytes of a file being written go, in order. The writer never reuses a buffer it has passed on. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
}

const CRC_TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ t[t[(k - 1) * 256 + n] & 0xff];
  return t;
})();

/** CRC-32 (the zip one) of `bytes`, continuing from `crc` (slicing by 8: ~1 GB/s). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  const t = CRC_TABLES;
  let c = ~crc >>> 0;
  let i = 0;
  for (const end = bytes.length - 8; i <= end; i += 8) {
    const a = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) ^ c;
    const b = bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24);
    c =
      t[1792 + (a & 0xff)] ^
      t[1536 + ((a >>> 8) & 0xff)] ^
      t[1280 + ((a >>> 16) & 0xff)] ^
      t[1024 + (a >>> 24)] ^
      t[768 + (b & 0xff)] ^
      t[512 + ((b >>> 8) & 0xff)] ^
      t[256 + ((b >>> 16) & 0xff)] ^
      t[b >>> 24];
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

interface Written {
  name: Uint8Array;
  crc: number;
  csize: number;
  usize: number;
  method: number;
  offset: number;
}

const U32 = 0xffffffff;
const enc = new TextEncoder();

function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: (Math.max(0, d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** Writes a zip entry by entry; call finish() once after the last. */
export class ZipWriter {
  #sink: ByteSink;
  #offset = 0;
  #entries: Written[] = [];
  #stamp = dosTime(new Date());

  constructor(sink: ByteSink) {
    this.#sink = sink;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#offset;
  }

  /**
   * Adds one entry whose bytes are `parts` (concatenated). `deflate`
   * compresses it (worth it for JSON, not for float vectors), kept only when smaller.
   */
  async add(name: string, parts: Uint8Array | Uint8Array[], deflate = false): Promise<void> {
    let list = Array.isArray(parts) ? parts : [parts];
    let crc = 0;
    let usize = 0;
    for (const p of list) {
      crc = crc32(p, crc);
      usize += p.length;
    }
    let method = 0;
    if (deflate && usize > 0) {
      const packed = deflateSync(list.length === 1 ? list[0] : concat(list, usize), { level: 1 });
      if (packed.length < usize) [list, method] = [[packed], 8];
    }
    const csize = list.reduce((s, p) => s + p.length, 0);
    if (csize >= U32 || usize >= U32) throw new RangeError(`Zip entry ${name} is too big (${usize} bytes).`);
    const nameBytes = enc.encode(name);
    const h = new DataView(new ArrayBuffer(30 + nameBytes.length));
    h.setUint32(0, 0x04034b50, true);
    h.setUint16(4, 20, true);
    h.setUint16(6, 0x0800, true); // UTF-8 names
    h.setUint16(8, method, true);
    h.setUint16(10, this.#stamp.time, true);
    h.setUint16(12, this.#stamp.date, true);
    h.setUint32(14, crc, true);
    h.setUint32(18, csize, true);
    h.setUint32(22, usize, true);
    h.setUint16(26, nameBytes.length, true);
    new Uint8Array(h.buffer).set(nameBytes, 30);
    this.#entries.push({ name: nameBytes, crc, csize, usize, method, offset: this.#offset });
    await this.#write(new Uint8Array(h.buffer));
    for (const p of list) await this.#write(p);
  }

  async #write(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    await this.#sink.write(bytes);
    this.#offset += bytes.length;
  }

  /** Writes the central directory (with ZIP64 records when offsets or counts need them). */
  async finish(): Promise<void> {
    const start = this.#offset;
    for (const e of this.#entries) {
      const big = e.offset >= U32;
      const d = new DataView(new ArrayBuffer(46 + e.name.length + (big ? 12 : 0)));
      d.setUint32(0, 0x02014b50, true);
      d.setUint16(4, big ? 45 : 20, true);
      d.setUint16(6, big ? 45 : 20, true);
      d.setUint16(8, 0x0800, true);
      d.setUint16(10, e.method, true);
      d.setUint16(12, this.#stamp.time, true);
      d.setUint16(14, this.#stamp.date, true);
      d.setUint32(16, e.crc, true);
      d.setUint32(20, e.csize, true);
      d.setUint32(24, e.usize, true);
      d.setUint16(28, e.name.length, true);
      d.setUint16(30, big ? 12 : 0, true);
      d.setUint32(42, big ? U32 : e.offset, true);
      new Uint8Array(d.buffer).set(e.name, 46);
      if (big) {
        const x = 46 + e.name.length;
        d.setUint16(x, 0x0001, true);
        d.setUint16(x + 2, 8, true);
        d.setBigUint64(x + 4, BigInt(e.offset), true);
      }
      await this.#write(new Uint8Array(d.buffer));
    }
    const cdSize = this.#offset - start;
    const count = this.#entries.length;
    const zip64 = start >= U32 || cdSize >= U32 || count >= 0xffff;
    if (zip64) {
      const end64 = this.#offset;
      const r = new DataView(new ArrayBuffer(56 + 20));
      r.setUint32(0, 0x06064b50, true);
      r.setBigUint64(4, 44n, true);
      r.setUint16(12, 45, true);
      r.setUint16(14, 45, true);
      r.setBigUint64(24, BigInt(count), true);
      r.setBigUint64(32, BigInt(count), true);
      r.setBigUint64(40, BigInt(cdSize), true);
      r.setBigUint64(48, BigInt(start), true);
      r.setUint32(56, 0x07064b50, true);
      r.setBigUint64(64, BigInt(end64), true);
      r.setUint32(72, 1, true);
      await this.#write(new Uint8Array(r.buffer));
    }
    const e = new DataView(new ArrayBuffer(22));
    e.setUint32(0, 0x06054b50, true);
    e.setUint16(8, zip64 ? 0xffff : count, true);
    e.setUint16(10, zip64 ? 0xffff : count, true);
    e.setUint32(12, zip64 ? U32 : cdSize, true);
    e.setUint32(16, zip64 ? U32 : start, true);
    await this.#write(new Uint8Array(e.buffer));
  }
}

function concat(parts: Uint8Array[], total = parts.reduce((s, p) => s + p.length, 0)): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One entry of a zip's central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
}

/** Thrown for a file that is not a readable zip; the message says what is wrong. */
export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

const dec = new TextDecoder();

/** What a reader accepts of one entry and of the whole file. */
export interface ZipLimits {
  /** Uncompressed bytes of one entry. */
  maxEntry: number;
  /** Uncompressed bytes over compressed bytes for an entry past `ratioFrom` bytes (deflate's own best is ~1032). */
  maxRatio: number;
  ratioFrom: number;
  /** All entries' uncompressed bytes together, as a multiple of the file's size, plus `totalSlack`. */
  maxTotalRatio: number;
  totalSlack: number;
}

/**
 * A project file's entries are chunks (2,000 rows, 1,024 vectors): hundreds
 * of MiB is far past any, and JSON deflated at level 1 shrinks ~3–10× (rows
 * of one long repeated text more, hence the generous ratio; the total is the
 * bound that holds). The stored (uncompressed) vector entries count 1:1.
 */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntry: 512 * 2 ** 20,
  maxRatio: 512,
  ratioFrom: 2 ** 20,
  maxTotalRatio: 64,
  totalSlack: 64 * 2 ** 20,
};

/** Compressed bytes read from the file per step while inflating. */
const INFLATE_STEP = 256 * 1024;

const mib = (n: number) =>
  n < 2 ** 20 ? `${Math.ceil(n / 1024)} KiB` : `${(n / 2 ** 20).toLocaleString('en-US', { maximumFractionDigits: 1 })} MiB`;

/** An entry name as a message may show it: control characters escaped, long names cut. */
export function shownName(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 80 ? `${clean.slice(0, 77)}…` : clean;
}

/** Reads a zip held in a Blob (a picked File) entry by entry, by slices: memory stays one entry. */
export class ZipReader {
  readonly entries: ZipEntry[];
  #blob: Blob;

  private constructor(blob: Blob, entries: ZipEntry[]) {
    this.#blob = blob;
    this.entries = entries;
  }

  static async open(blob: Blob, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipReader> {
    const tailStart = Math.max(0, blob.size - (22 + 0xffff));
    const tail = new DataView(await blob.slice(tailStart).arrayBuffer());
    let eocd = -1;
    for (let i = tail.byteLength - 22; i >= 0; i--) {
      if (tail.getUint32(i, true) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ZipFormatError('no zip directory was found (the file is not a zip, or was cut short)');
    let count = tail.getUint16(eocd + 10, true);
    let cdSize = tail.getUint32(eocd + 12, true);
    let cdStart = tail.getUint32(eocd + 16, true);
    if (cdStart === U32 || cdSize === U32 || count === 0xffff) {
      const loc = eocd - 20;
      if (loc < 0 || tail.getUint32(loc, true) !== 0x07064b50) throw new ZipFormatError('its ZIP64 directory locator is missing');
      const at = Number(tail.getBigUint64(loc + 8, true));
      const r = new DataView(await blob.slice(at, at + 56).arrayBuffer());
      if (r.getUint32(0, true) !== 0x06064b50) throw new ZipFormatError('its ZIP64 directory record is damaged');
      count = Number(r.getBigUint64(32, true));
      cdSize = Number(r.getBigUint64(40, true));
      cdStart = Number(r.getBigUint64(48, true));
    }
    if (cdStart + cdSize > blob.size) throw new ZipFormatError('its directory points past the end of the file (cut short?)');
    if (count * 46 > cdSize) throw new ZipFormatError('its directory is damaged (it claims more entries than it holds)');
    const cd = new DataView(await blob.slice(cdStart, cdStart + cdSize).arrayBuffer());
    const entries: ZipEntry[] = [];
    for (let p = 0, k = 0; k < count; k++) {
      if (p + 46 > cd.byteLength || cd.getUint32(p, true) !== 0x02014b50) throw new ZipFormatError('its directory is damaged');
      const nameLen = cd.getUint16(p + 28, true);
      const extraLen = cd.getUint16(p + 30, true);
      const commentLen = cd.getUint16(p + 32, true);
      const e: ZipEntry = {
        name: dec.decode(new Uint8Array(cd.buffer, p + 46, nameLen)),
        method: cd.getUint16(p + 10, true),
        crc: cd.getUint32(p + 16, true),
        csize: cd.getUint32(p + 20, true),
        usize: cd.getUint32(p + 24, true),
        offset: cd.getUint32(p + 42, true),
      };
      // ZIP64 extra field: the 8-byte values of whichever fields are 0xFFFFFFFF, in this order.
      for (let x = p + 46 + nameLen, end = x + extraLen; x + 4 <= end;) {
        const id = cd.getUint16(x, true);
        const len = cd.getUint16(x + 2, true);
        if (id === 0x0001) {
          let y = x + 4;
          if (e.usize === U32) {
            e.usize = Number(cd.getBigUint64(y, true));
            y += 8;
          }
          if (e.csize === U32) {
            e.csize = Number(cd.getBigUint64(y, true));
            y += 8;
          }
          if (e.offset === U32) e.offset = Number(cd.getBigUint64(y, true));
        }
        x += 4 + len;
      }
      entries.push(e);
      p += 46 + nameLen + extraLen + commentLen;
    }
    checkEntries(entries, blob.size, limits);
    return new ZipReader(blob, entries);
  }

  /** The entry called `name`, if any. */
  find(name: string): ZipEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  /**
   * The uncompressed bytes of `e`, CRC-checked. A deflated entry is inflated
   * a slice at a time into a buffer of its declared size; output past that
   * size stops the read at once.
   */
  async read(e: ZipEntry): Promise<Uint8Array> {
    const name = shownName(e.name);
    const head = new DataView(await this.#blob.slice(e.offset, e.offset + 30).arrayBuffer());
    if (head.byteLength < 30 || head.getUint32(0, true) !== 0x04034b50) throw new ZipFormatError(`entry ${name} is damaged`);
    const start = e.offset + 30 + head.getUint16(26, true) + head.getUint16(28, true);
    if (start + e.csize > this.#blob.size) throw new ZipFormatError(`entry ${name} is cut short`);
    let out: Uint8Array;
    if (e.method === 0) {
      if (e.csize !== e.usize) throw new ZipFormatError(`entry ${name} is damaged (its sizes disagree)`);
      out = new Uint8Array(await this.#blob.slice(start, start + e.csize).arrayBuffer());
      if (out.length !== e.csize) throw new ZipFormatError(`entry ${name} is cut short`);
    } else if (e.method === 8) out = await this.#inflate(e, start, name);
    else throw new ZipFormatError(`entry ${name} uses compression method ${e.method}, which Surrogate does not read`);
    if (crc32(out) !== e.crc) throw new ZipFormatError(`entry ${name} is damaged (its checksum does not match)`);
    return out;
  }

  async #inflate(e: ZipEntry, start: number, name: string): Promise<Uint8Array> {
    const out = new Uint8Array(e.usize);
    let at = 0;
    let over = false;
    let ended = false;
    const inflater = new Inflate((chunk, final) => {
      if (at + chunk.length > out.length) over = true;
      else out.set(chunk, at);
      at += chunk.length;
      if (final) ended = true;
    });
    try {
      for (let p = start, end = start + e.csize; p < end && !over && !ended; p += INFLATE_STEP) {
        const part = new Uint8Array(await this.#blob.slice(p, Math.min(end, p + INFLATE_STEP)).arrayBuffer());
        if (part.length === 0) throw new ZipFormatError(`entry ${name} is cut short`);
        inflater.push(part, p + INFLATE_STEP >= end);
      }
    } catch (err) {
      if (err instanceof ZipFormatError) throw err;
      throw new ZipFormatError(`entry ${name} cannot be decompressed (${err instanceof Error ? err.message : String(err)})`);
    }
    if (over) throw new ZipFormatError(`entry ${name} inflates past the ${mib(e.usize)} it declares (a damaged or hostile file)`);
    if (!ended || at !== e.usize) throw new ZipFormatError(`entry ${name} is damaged (it inflates to the wrong size)`);
    return out;
  }
}

/** Refuses a directory with duplicate names, entries outside the file, or sizes past `limits`. */
function checkEntries(entries: ZipEntry[], fileSize: number, limits: ZipLimits): void {
  const names = new Set<string>();
  let total = 0;
  for (const e of entries) {
    const name = shownName(e.name);
    if (names.has(e.name)) throw new ZipFormatError(`it holds two entries named ${name}`);
    names.add(e.name);
    if (e.offset + 30 + e.csize > fileSize) throw new ZipFormatError(`entry ${name} points past the end of the file (cut short?)`);
    if (e.usize > limits.maxEntry)
      throw new ZipFormatError(`entry ${name} would inflate to ${mib(e.usize)}, more than the ${mib(limits.maxEntry)} an entry may hold`);
    if (e.usize > limits.ratioFrom && e.usize > e.csize * limits.maxRatio)
      throw new ZipFormatError(
        `entry ${name} would inflate ${Math.round(e.usize / Math.max(1, e.csize))}-fold, past the ${limits.maxRatio}-fold a project file reaches`,
      );
    total += e.usize;
  }
  const maxTotal = fileSize * limits.maxTotalRatio + limits.totalSlack;
  if (total > maxTotal)
    throw new ZipFormatError(`its entries would inflate to ${mib(total)}, far more than a ${mib(fileSize)} project file holds`);
}

/**
 * A sink collecting the bytes into Blobs of ≤ `part` bytes each (never one
 * huge part), joined by blob(). It keeps the arrays it is given, uncopied:
 * the writer hands it fresh buffers only. Small parts let each array be
 * handed to the browser's blob storage and collected soon after.
 */
export function blobSink(type: string, part = 8 * 2 ** 20): ByteSink & { blob(): Blob } {
  const blobs: Blob[] = [];
  let pending: Uint8Array[] = [];
  let size = 0;
  const flush = () => {
    if (pending.length === 0) return;
    blobs.push(new Blob(pending as BlobPart[]));
    pending = [];
    size = 0;
  };
  return {
    async write(bytes) {
      pending.push(bytes);
      size += bytes.length;
      if (size >= part) flush();
    },
    blob() {
      flush();
      return new Blob(blobs, { type });
    },
  };
}
