// Turning a researcher's file into a RawTable: CSV/TSV (PapaParse), JSON,
// JSON Lines and plain text. Every failure is an ImportError whose message
// says where the problem is and what to do about it.
import { cleanTable, cleanTableSliced, describeChar, SoleCharacter } from './clean';
import { binaryError, countControls, locateBadUtf8, notUtf8Message, sniffEncoding, SNIFF_BYTES, type Encoding } from './decode';
import { cleanHeader, DelimitedReader, MAX_COLUMNS } from './delimited';
import { ImportError } from './errors';
import type { RawTable } from './types';

export type Format = 'csv' | 'tsv' | 'jsonl' | 'json' | 'txt';

export interface ParseOptions {
  /** CSV/TSV: is the first row a header? Default true; false names columns column_1… */
  header?: boolean;
  /** CSV/TSV: force a delimiter instead of guessing (CSV guesses among , ; | tab). */
  delimiter?: string;
  /** parseFile: read the bytes in this encoding instead of the one sniffed (e.g. a Latin-1 file the user says is one). */
  encoding?: Encoding | 'windows-1252';
}

const EXTENSIONS: Record<string, Format> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'json',
  txt: 'txt',
};

const ENCODING_NAMES: Record<Encoding | 'windows-1252', string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16LE',
  'utf-16be': 'UTF-16BE',
  'windows-1252': 'Windows-1252 (Latin-1)',
};

/** parseFile reads and decodes this many bytes at a time. */
const READ_BYTES = 1 << 20;

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** Pick a format from the file name, falling back to the first characters. */
export function detectFormat(name: string, head: string): Format {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  const start = stripBom(head).trimStart();
  const lines = start.split(/\r\n?|\n/);
  const tabs = (l: string | undefined) => (l ?? '').split('\t').length - 1;
  const byExt = EXTENSIONS[ext];
  // "Text (tab delimited)" and "Unicode text" exports from spreadsheets are .txt
  // files: tab-separated when most of the next lines have the header's tabs
  // (a quoted field with a line break or a tab makes a line differ).
  if (byExt === 'txt' && tabs(lines[0]) > 0) {
    const next = lines.slice(1, 11).filter((l) => l.trim() !== '');
    if (next.length > 0 && next.filter((l) => tabs(l) === tabs(lines[0])).length * 2 >= next.length) return 'tsv';
  }
  if (byExt === 'json' && start.startsWith('{')) return 'jsonl';
  if (byExt) return byExt;
  if (start.startsWith('[')) return 'json';
  if (start.startsWith('{')) return 'jsonl';
  const commas = (lines[0] ?? '').split(',').length - 1;
  if (tabs(lines[0]) > 0 && tabs(lines[0]) >= commas) return 'tsv';
  return commas > 0 ? 'csv' : 'txt';
}

/** Throws an ImportError('binary' or 'encoding') when the first bytes are not text the app can read. */
export function sniffBytes(bytes: Uint8Array): void {
  sniffEncoding(bytes);
}

/** The same check on already-decoded text (pasted, or decoded by the caller): the share of control characters. */
function sniffText(text: string): void {
  const head = text.slice(0, SNIFF_BYTES);
  if (/^\uFFFDPNG/.test(head)) throw binaryError('a PNG image');
  if (head.startsWith('%PDF-')) throw binaryError('a PDF document');
  if (head.startsWith('PK\u0003\u0004')) throw binaryError('a zip archive (an .xlsx or .docx file is one)');
  const odd = countControls(head) + (head.match(/\uFFFD/g)?.length ?? 0);
  if (odd > 8 && odd / head.length > 0.03) throw binaryError('binary data');
}

/** Refuses a text that is one character repeated: it holds no texts, whatever its format. */
function refuseSole(sole: SoleCharacter): void {
  const r = sole.result();
  if (!r) return;
  throw new ImportError(
    'empty',
    `The file holds nothing but the character ${describeChar(r.char)}, repeated ${r.count.toLocaleString('en')} times: there are no texts in it to import.`,
  );
}

/** Cell text for a JSON value: strings as-is, null as empty, objects as JSON. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Items (objects, or bare strings taken as a `text` column) to a table with the union of keys. */
function tableFromItems(items: unknown[], where: (i: number) => string): RawTable {
  const columns: string[] = [];
  const index = new Map<string, number>();
  const records: Record<string, unknown>[] = items.map((item, i) => {
    if (typeof item === 'string') return { text: item };
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new ImportError(
        'not-tabular',
        `${where(i)} is not an object with named fields (it is ${JSON.stringify(item)?.slice(0, 40)}).`,
        i + 1,
      );
    }
    return item as Record<string, unknown>;
  });
  for (const r of records) {
    for (const k of Object.keys(r)) {
      if (!index.has(k)) {
        index.set(k, columns.length);
        columns.push(k);
      }
    }
  }
  if (records.length === 0) throw new ImportError('empty', 'The file contains no records.');
  if (columns.length > MAX_COLUMNS) {
    throw new ImportError(
      'not-tabular',
      `The records have ${columns.length.toLocaleString('en')} different fields; the app reads tables of up to ${MAX_COLUMNS.toLocaleString('en')} columns.`,
    );
  }
  const rows = records.map((r) => columns.map((c) => cell(r[c])));
  return { columns, rows };
}

/** [["id","text"], [1, "a"], …]: rows as arrays, the first one the header when it is all strings. */
function tableFromArrays(items: unknown[][], where: (i: number) => string): RawTable {
  const headed = items[0].every((v) => typeof v === 'string') && items.length > 1;
  const width = items[0].length;
  if (width > MAX_COLUMNS)
    throw new ImportError(
      'not-tabular',
      `${where(0)} has ${width.toLocaleString('en')} fields; the app reads tables of up to ${MAX_COLUMNS.toLocaleString('en')} columns.`,
    );
  const columns = headed ? cleanHeader(items[0].map((v) => cell(v))) : Array.from({ length: width }, (_, i) => `column_${i + 1}`);
  const body = headed ? items.slice(1) : items;
  const rows = body.map((r, i) => {
    if (r.length !== width) {
      throw new ImportError('field-count', `${where(i + (headed ? 1 : 0))} has ${r.length} fields but the first has ${width}.`, i + 1);
    }
    return r.map((v) => cell(v));
  });
  return { columns, rows };
}

/** Items that are all arrays become rows; otherwise records (tableFromItems). */
function tableFrom(items: unknown[], where: (i: number) => string): RawTable {
  if (items.length > 0 && items.every((it) => Array.isArray(it))) return tableFromArrays(items as unknown[][], where);
  return tableFromItems(items, where);
}

function parseJson(content: string): RawTable {
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch (e) {
    throw new ImportError('bad-json', `The file is not valid JSON: ${(e as Error).message}.`);
  }
  // {"data": [...]} (or "rows", "records", …): one array of records inside an object.
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const arrays = Object.entries(data as Record<string, unknown>).filter(([, v]) => Array.isArray(v));
    if (arrays.length === 1) {
      const [key, items] = arrays[0] as [string, unknown[]];
      return tableFrom(items, (i) => `Item ${i + 1} of "${key}"`);
    }
  }
  if (!Array.isArray(data)) {
    throw new ImportError('not-tabular', 'The JSON file must hold an array of records, like [{"text": "…", "label": "…"}, …].');
  }
  return tableFrom(data, (i) => `Item ${i + 1} of the JSON array`);
}

function parseJsonLines(content: string): RawTable {
  const items: unknown[] = [];
  const lineOf: number[] = [];
  content.split('\n').forEach((raw, i) => {
    // A byte-order mark or zero-width space starting a line (files joined end to end) is not JSON.
    const line = raw.replace(/^[\uFEFF\u200B]+/, '');
    if (/^[\s\u0000-\u001F\u007F]*$/.test(line)) return; // blank, or NUL padding
    try {
      items.push(JSON.parse(line));
    } catch (e) {
      throw new ImportError('bad-json', `Line ${i + 1} is not valid JSON (${(e as Error).message}).`, i + 1);
    }
    lineOf.push(i + 1);
  });
  return tableFrom(items, (i) => `Line ${lineOf[i]}`);
}

function parsePlain(content: string): RawTable {
  const rows = content
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => [l]);
  if (rows.length === 0) throw new ImportError('empty', 'The file is empty: it has no lines of text.');
  return { columns: ['text'], rows };
}

function readerFor(format: Format, opts: ParseOptions): DelimitedReader {
  return new DelimitedReader({
    header: opts.header ?? true,
    delimiter: opts.delimiter ?? (format === 'tsv' ? '\t' : null),
    fallback: format === 'tsv' ? '\t' : ',',
  });
}

/** Parse a whole file's text. Throws ImportError on anything it cannot read faithfully. */
export function parseText(content: string, format: Format, opts: ParseOptions = {}): RawTable {
  const text = stripBom(content);
  if (text.trim() === '') throw new ImportError('empty', 'The file is empty.');
  sniffText(text);
  const sole = new SoleCharacter();
  sole.push(text);
  refuseSole(sole);
  return cleanTable(parseDecoded(text, format, opts));
}

function parseDecoded(text: string, format: Format, opts: ParseOptions): RawTable {
  if (format === 'csv' || format === 'tsv') {
    const reader = readerFor(format, opts);
    reader.push(text);
    return reader.end();
  }
  const unified = text.replace(/\r\n?/g, '\n');
  if (format === 'json') return parseJson(unified);
  if (format === 'jsonl') return parseJsonLines(unified);
  return parsePlain(unified);
}

/**
 * Read a File/Blob without freezing the page: bytes are decoded as they stream
 * in and CSV/TSV rows are parsed batch by batch, yielding to the event loop in
 * between. `onProgress` gets the fraction of bytes read (0..1). The format is
 * detected from `name` and the first bytes; the encoding (UTF-8, or UTF-16
 * with or without a byte-order mark) from the first bytes. Works in pages,
 * Workers and Node.
 */
export async function parseFile(file: Blob, name: string, onProgress?: (frac: number) => void, opts: ParseOptions = {}): Promise<RawTable> {
  if (file.size === 0) throw new ImportError('empty', `"${name}" is empty.`);
  const first = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  const sniffed = sniffEncoding(first, file.size <= SNIFF_BYTES);
  const encoding = opts.encoding ?? sniffed.encoding;
  const skip = encoding === sniffed.encoding ? sniffed.skip : 0;
  const note = opts.encoding && opts.encoding !== sniffed.encoding ? `Read as ${ENCODING_NAMES[opts.encoding]}, as chosen.` : sniffed.note;
  // fatal: a Latin-1/Windows-1252 file must fail loudly rather than become mojibake.
  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  const format = detectFormat(name, new TextDecoder(encoding).decode(first.subarray(skip, Math.min(first.length, 8192))));
  const delimited = format === 'csv' || format === 'tsv' ? readerFor(format, opts) : null;
  const pieces: string[] = [];
  const sole = new SoleCharacter();
  let blank = true;
  let lastYield = Date.now();
  // Fixed-size slices rather than file.stream(): stream chunk sizes differ
  // between browsers and Node (one chunk for a whole in-memory Blob).
  for (let offset = skip; offset < file.size; offset += READ_BYTES) {
    const bytes = new Uint8Array(await file.slice(offset, offset + READ_BYTES).arrayBuffer());
    const last = offset + READ_BYTES >= file.size;
    let piece: string;
    try {
      piece = decoder.decode(bytes, { stream: !last });
    } catch {
      throw await decodeError(file, name, encoding, skip);
    }
    sole.push(piece);
    if (blank && piece.trim() !== '') blank = false;
    if (delimited) delimited.push(piece);
    else pieces.push(piece);
    onProgress?.(Math.min(1, (offset + bytes.byteLength) / file.size));
    // Give the page (or the Worker's message loop) a turn every ~50 ms of work.
    if (Date.now() - lastYield > 50) {
      await new Promise((r) => setTimeout(r, 0));
      lastYield = Date.now();
    }
  }
  if (blank) throw new ImportError('empty', `"${name}" is empty: it holds only spaces and line breaks.`);
  refuseSole(sole);
  const table = await cleanTableSliced(delimited ? delimited.end() : parseDecoded(pieces.join(''), format, opts));
  onProgress?.(1);
  const encodingNote = note ?? (encoding === 'utf-8' ? undefined : `Read as ${ENCODING_NAMES[encoding]} text (from its byte-order mark).`);
  return encodingNote ? { ...table, encodingNote } : table;
}

/** The error for bytes the decoder refused, naming the first bad byte and its line. */
async function decodeError(file: Blob, name: string, encoding: Encoding | 'windows-1252', skip: number): Promise<ImportError> {
  if (encoding !== 'utf-8') {
    return new ImportError(
      'encoding',
      `"${name}" starts like ${encoding === 'utf-16le' ? 'UTF-16LE' : 'UTF-16BE'} text but holds bytes that are not valid in it (an unpaired surrogate). ` +
        'Save it again as UTF-8 (or "CSV UTF-8") and import that.',
    );
  }
  return new ImportError('encoding', notUtf8Message(name, await locateBadUtf8(file, skip)));
}
