// Bytes to text for the import: which encoding a file is in (UTF-8, or
// UTF-16 as Excel's "Unicode text" writes it), whether it is text at all, and
// where exactly a non-UTF-8 byte sits. The rules look at shares of bytes, not
// at one byte: a scraped corpus with a stray NUL in a field is still text.
import { ImportError } from './errors';

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface Sniffed {
  encoding: Encoding;
  /** Bytes of byte-order mark to skip. */
  skip: number;
  /** Set when the encoding was inferred without a byte-order mark. */
  note?: string;
}

/** Bytes looked at to decide encoding and text-or-binary. */
export const SNIFF_BYTES = 65536;
/** Above this share of control characters (NUL included) a sample is binary, not text with strays. */
const CONTROL_SHARE = 0.03;
/** ...but a handful of strays in a short file never makes it binary. */
const CONTROL_FLOOR = 8;

// File signatures of things people drop by mistake: images, PDFs, archives
// (an .xlsx/.docx is a zip), databases, executables.
const SIGNATURES: { bytes: number[]; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive (an .xlsx or .docx file is one)' },
  { bytes: [0x1f, 0x8b], what: 'a gzip archive' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive' },
  { bytes: [0x42, 0x5a, 0x68], what: 'a bzip2 archive' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'an xz archive' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'a zstd archive' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: 'an old Office file (.xls or .doc)' },
  { bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66], what: 'an SQLite database' },
  { bytes: [0x50, 0x41, 0x52, 0x31], what: 'a Parquet file' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'a program (ELF executable)' },
  { bytes: [0x4d, 0x5a], what: 'a Windows program' },
];

export function binaryError(what: string): ImportError {
  return new ImportError(
    'binary',
    `This file looks like ${what}, not text. Export your data as CSV (UTF-8), TSV, JSON or plain text and import that.`,
  );
}

/** C0 controls other than tab, line feed, vertical tab, form feed, carriage return and escape; and DEL. */
function isControlByte(b: number): boolean {
  return (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1b) || b === 0x7f;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** UTF-16 without a BOM: ASCII-range text has a zero in every other byte. */
function utf16Guess(b: Uint8Array): Encoding | null {
  const n = Math.min(b.length, 4096) & ~1;
  if (n < 8) return null;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) zeroEven++;
    if (b[i + 1] === 0) zeroOdd++;
  }
  const half = n / 2;
  if (zeroOdd / half >= 0.3 && zeroEven / half < 0.05) return 'utf-16le';
  if (zeroEven / half >= 0.3 && zeroOdd / half < 0.05) return 'utf-16be';
  return null;
}

/**
 * The encoding of a file from its first bytes (up to SNIFF_BYTES). Throws
 * ImportError('binary') for known binary formats, UTF-32, and samples where
 * more than 3% of the characters are control characters. `whole`: `head` is
 * the whole file, so a run of NULs at its end is padding, not content.
 */
export function sniffEncoding(head: Uint8Array, whole = false): Sniffed {
  for (const sig of SIGNATURES) {
    if (head.length >= sig.bytes.length && sig.bytes.every((b, i) => head[i] === b)) throw binaryError(sig.what);
  }
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0xff, 0xfe, 0, 0) || starts(0, 0, 0xfe, 0xff)) {
    throw new ImportError(
      'encoding',
      'This file is UTF-32 text, which the app cannot read. Save it again as UTF-8 (or "CSV UTF-8") and import that.',
    );
  }
  let sniffed: Sniffed;
  if (starts(0xef, 0xbb, 0xbf)) sniffed = { encoding: 'utf-8', skip: 3 };
  else if (starts(0xff, 0xfe)) sniffed = { encoding: 'utf-16le', skip: 2 };
  else if (starts(0xfe, 0xff)) sniffed = { encoding: 'utf-16be', skip: 2 };
  else {
    const guess = utf16Guess(head);
    sniffed = guess
      ? { encoding: guess, skip: 0, note: `Read as ${guess === 'utf-16le' ? 'UTF-16LE' : 'UTF-16BE'} text (it has no byte-order mark).` }
      : { encoding: 'utf-8', skip: 0 };
  }
  if (sniffed.encoding === 'utf-8') {
    let n = Math.min(head.length, SNIFF_BYTES);
    if (whole) {
      const pad = (b: number) => b === 0 || b === 0x0a || b === 0x0d || b === 0x20 || b === 0x09;
      let end = n;
      while (end > sniffed.skip && pad(head[end - 1])) end--;
      const nulAtEnd = head.subarray(end, n).includes(0);
      if (nulAtEnd) n = end;
      if (nulAtEnd && n === sniffed.skip) throw binaryError('nothing but NUL bytes');
    }
    let controls = 0;
    for (let i = sniffed.skip; i < n; i++) if (isControlByte(head[i])) controls++;
    checkControlShare(controls, n - sniffed.skip);
  } else {
    const text = new TextDecoder(sniffed.encoding).decode(head.subarray(sniffed.skip, Math.min(head.length, SNIFF_BYTES) & ~1));
    checkControlShare(countControls(text), text.length);
  }
  return sniffed;
}

function checkControlShare(controls: number, total: number): void {
  if (total > 0 && controls > CONTROL_FLOOR && controls / total > CONTROL_SHARE) {
    throw binaryError(
      `binary data (${pct(controls / total)} of its first ${total.toLocaleString('en')} characters are control characters, which text does not have)`,
    );
  }
}

/** Control characters (as isControlByte) in a string. */
export function countControls(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (isControlByte(s.charCodeAt(i))) n++;
  return n;
}

/**
 * The index of the first byte that makes `b` invalid UTF-8 (the lead byte of
 * the broken sequence), scanning from `from`; -1 when all of it is valid. A
 * sequence cut off by the end of `b` counts as invalid only when `final`.
 */
export function firstInvalidUtf8(b: Uint8Array, from = 0, final = true): number {
  let i = from;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= b.length) return final ? i : -1;
      const d = b[i + k];
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Reads `file` from the start to locate the first non-UTF-8 byte: its offset and 1-based line. */
export async function locateBadUtf8(file: Blob, skip: number): Promise<{ offset: number; line: number; byte: number } | null> {
  const CHUNK = 1 << 20;
  let line = 1;
  let carry = new Uint8Array(0);
  let base = skip; // file offset of carry[0]
  for (let offset = skip; offset < file.size; offset += CHUNK) {
    const chunk = new Uint8Array(await file.slice(offset, offset + CHUNK).arrayBuffer());
    const bytes = new Uint8Array(carry.length + chunk.length);
    bytes.set(carry);
    bytes.set(chunk, carry.length);
    const last = offset + CHUNK >= file.size;
    const bad = firstInvalidUtf8(bytes, 0, last);
    if (bad !== -1) {
      for (let i = 0; i < bad; i++) if (bytes[i] === 0x0a) line++;
      return { offset: base + bad, line, byte: bytes[bad] };
    }
    // Keep an unfinished sequence at the end for the next chunk.
    let keep = 0;
    for (let k = 1; k <= 3 && k <= bytes.length; k++) {
      const c = bytes[bytes.length - k];
      if (c >= 0xc0) {
        keep = k;
        break;
      }
      if (c < 0x80) break;
    }
    for (let i = 0; i < bytes.length - keep; i++) if (bytes[i] === 0x0a) line++;
    carry = bytes.slice(bytes.length - keep);
    base = offset + chunk.length - keep;
  }
  return null;
}

/** The message for a file that is not UTF-8, naming the byte, its line and what it would be in Windows-1252. */
export function notUtf8Message(name: string, where: { offset: number; line: number; byte: number } | null): string {
  const fix = 'Save it again as "CSV UTF-8" (or UTF-8 text) and import that.';
  if (!where) return `"${name}" is not UTF-8 text. ${fix}`;
  const hex = `0x${where.byte.toString(16).toUpperCase().padStart(2, '0')}`;
  const as1252 = new TextDecoder('windows-1252').decode(new Uint8Array([where.byte]));
  const guess =
    as1252.charCodeAt(0) > 0xa0
      ? ` In Windows-1252 or Latin-1 it would be "${as1252}", so the file was probably saved in one of those.`
      : '';
  return `"${name}" is not UTF-8 text: byte ${(where.offset + 1).toLocaleString('en')} (line ${where.line.toLocaleString('en')}) is ${hex}, which UTF-8 does not allow there.${guess} ${fix}`;
}
