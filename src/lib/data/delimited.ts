// Incremental CSV/TSV reading on top of PapaParse's low-level Parser.
// We drive the chunking ourselves (rather than Papa's File/Stream streamers)
// because those need FileReader or Node streams; this works on plain string
// pieces, in a page, a Worker and Node alike.
import Papa from 'papaparse';
import { ImportError } from './errors';
import { ROW_LIST_CAP, type RawTable } from './types';

/** Parse this many characters at once; smaller pieces are buffered. */
const BATCH_CHARS = 1 << 20;

export interface DelimitedOptions {
  /** First row is the header (else columns are column_1…). */
  header: boolean;
  /** null: guess from the first batch. */
  delimiter: string | null;
  /** Used when guessing fails (e.g. a single column). */
  fallback: string;
  /** Characters buffered before each parse; tests make it tiny to hit batch boundaries. */
  batchChars?: number;
}

interface PapaStep {
  data: string[][];
  errors: Papa.ParseError[];
  meta: { cursor: number };
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Columns a table may have: the mapping step lists each one three times. */
export const MAX_COLUMNS = 10_000;

/** A row compared with the header, cell by cell, ignoring spaces and byte-order marks. */
function headerKey(cells: string[]): string {
  return JSON.stringify(cells.map((c) => c.replace(/[\uFEFF\u200B]/g, '').trim()));
}

/** "3 columns: id, text, label" for a message; long names and lists are cut. */
function describeHeader(columns: string[]): string {
  const cut = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}… (${s.length.toLocaleString('en')} characters)` : s);
  const names = columns.slice(0, 5).map(cut).join(', ') + (columns.length > 5 ? ', …' : '');
  return `${columns.length.toLocaleString('en')} column${columns.length === 1 ? '' : 's'}: ${names}`;
}

/** Trimmed, non-empty, unique header names (`text`, `text_2`, `column_3`); byte-order marks and zero-width spaces dropped. */
export function cleanHeader(cells: string[]): string[] {
  const seen = new Set<string>();
  return cells.map((raw, i) => {
    const base = raw.replace(/[\uFEFF\u200B]/g, '').trim() || `column_${i + 1}`;
    let name = base;
    for (let k = 2; seen.has(name); k++) name = `${base}_${k}`;
    seen.add(name);
    return name;
  });
}

/** Guess `,` `;` `|` or tab from a sample; falls back to the format's default. */
export function guessDelimiter(sample: string, fallback: string): string {
  const res = Papa.parse<string[]>(sample.slice(0, 65536), {
    preview: 20,
    newline: '\n',
    skipEmptyLines: true,
    delimitersToGuess: [',', ';', '\t', '|'],
  });
  const failed = res.errors.some((e) => e.code === 'UndetectableDelimiter');
  return failed ? fallback : res.meta.delimiter;
}

/**
 * Feed text pieces with push(); call end() for the table. Line endings may be
 * mixed (\r\n, \n, \r): they are unified to \n first, including inside quoted
 * fields. Blank lines are skipped. Any quote problem or a row whose field count
 * differs from the header's throws an ImportError naming the line.
 */
export class DelimitedReader {
  readonly #header: boolean;
  #delimiter: string | null;
  readonly #fallback: string;
  readonly #batchChars: number;
  #parser: Papa.Parser | null = null;
  #pending = ''; // decoded text not yet handed to Papa
  #partial = ''; // an incomplete last row carried to the next batch
  #heldCR = false; // a \r at a piece's end may pair with a \n in the next piece
  #baseIndex = 0; // absolute offset (in unified text) where #partial starts
  #aggregate = ''; // the text of the batch being parsed
  #rowStart = 0; // absolute offset where the next row starts
  #line = 1; // 1-based line number where the next row starts
  #columns: string[] | null = null;
  #rawHeader: string | null = null;
  #rows: string[][] = [];
  /** Lines that repeat the header (files concatenated with their headers), skipped. */
  #repeatedHeaders: number[] = [];

  constructor(opts: DelimitedOptions) {
    this.#header = opts.header;
    this.#delimiter = opts.delimiter;
    this.#fallback = opts.fallback;
    this.#batchChars = opts.batchChars ?? BATCH_CHARS;
  }

  push(piece: string): void {
    let text = (this.#heldCR ? '\r' : '') + piece;
    this.#heldCR = text.endsWith('\r');
    if (this.#heldCR) text = text.slice(0, -1);
    this.#pending += text.replace(/\r\n?/g, '\n');
    if (this.#pending.length >= this.#batchChars) this.#parse(false);
  }

  end(): RawTable {
    if (this.#heldCR) this.#pending += '\n';
    this.#heldCR = false;
    this.#parse(true);
    if (!this.#columns) throw new ImportError('empty', 'The file is empty: it has no rows.');
    if (this.#rows.length === 0 && this.#header) {
      throw new ImportError(
        'empty',
        `The file has a header row but no data rows: its only row (${describeHeader(this.#columns)}) is read as the header.`,
      );
    }
    const table: RawTable = { columns: this.#columns, rows: this.#rows };
    if (this.#repeatedHeaders.length > 0)
      table.repeatedHeaders = { count: this.#repeatedHeaders.length, rows: this.#repeatedHeaders.slice(0, ROW_LIST_CAP) };
    return table;
  }

  #parse(final: boolean): void {
    const aggregate = this.#partial + this.#pending;
    this.#pending = '';
    if (!aggregate) return;
    if (!this.#parser) {
      this.#delimiter ??= guessDelimiter(aggregate, this.#fallback);
      // fastMode off: quotes must always be honoured, even in a quote-free batch.
      this.#parser = new Papa.Parser({
        delimiter: this.#delimiter,
        newline: '\n',
        fastMode: false,
        step: (step) => this.#step(step as unknown as PapaStep),
      });
    }
    this.#aggregate = aggregate;
    // Rows arrive through #step; the unfinished last row (when not final) does not.
    const res = this.#parser.parse(aggregate, this.#baseIndex, !final) as PapaStep;
    if (final && res.errors.length > 0) this.#step(res);
    if (!final) {
      this.#partial = aggregate.slice(res.meta.cursor - this.#baseIndex);
      this.#baseIndex = res.meta.cursor;
    }
  }

  // One complete row; meta.cursor is the absolute offset just after it.
  #step(step: PapaStep): void {
    const rowStart = this.#rowStart - this.#baseIndex;
    const error = step.errors[0];
    if (error) {
      const index = error.index ?? rowStart;
      throw this.#quoteError(error, this.#line + countNewlines(this.#aggregate.slice(rowStart, index)));
    }
    const line = this.#line;
    const rowEnd = step.meta.cursor - this.#baseIndex;
    this.#line += countNewlines(this.#aggregate.slice(rowStart, rowEnd));
    this.#rowStart = step.meta.cursor;
    for (const row of step.data) this.#accept(row, line);
  }

  #accept(row: string[], line: number): void {
    // Blank line — including one of only control characters (a file padded with NULs).
    if (row.length === 1 && /^[\s\u0000-\u001F\u007F]*$/.test(row[0])) return;
    if (!this.#columns) {
      if (row.length > MAX_COLUMNS) {
        throw new ImportError(
          'not-tabular',
          `The first row has ${row.length.toLocaleString('en')} fields; the app reads tables of up to ${MAX_COLUMNS.toLocaleString('en')} columns. ` +
            `Is the delimiter right (${this.#delimiterName()})? Export only the columns you need.`,
        );
      }
      if (this.#header) {
        this.#columns = cleanHeader(row);
        this.#rawHeader = headerKey(row);
        return;
      }
      this.#columns = row.map((_, i) => `column_${i + 1}`);
    }
    // Spreadsheets pad rows with empty cells past the last column; they carry nothing.
    if (row.length > this.#columns.length && row.slice(this.#columns.length).every((c) => c.trim() === '')) {
      row = row.slice(0, this.#columns.length);
    }
    if (this.#rawHeader !== null && row.length === this.#columns.length && headerKey(row) === this.#rawHeader) {
      this.#repeatedHeaders.push(line);
      return;
    }
    if (row.length !== this.#columns.length) {
      const dataRow = this.#rows.length + 1;
      throw new ImportError(
        'field-count',
        `Line ${line} (data row ${dataRow}) has ${row.length} fields but the header has ` +
          `${this.#columns.length}. A ${this.#delimiterName()} inside a text must be inside double quotes.`,
        dataRow,
      );
    }
    this.#rows.push(row);
  }

  #delimiterName(): string {
    const names: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'vertical bar' };
    return names[this.#delimiter ?? ','] ?? `"${this.#delimiter}"`;
  }

  #quoteError(e: Papa.ParseError, line: number): ImportError {
    const inHeader = !this.#columns && this.#header;
    const dataRow = inHeader ? undefined : this.#rows.length + 1;
    const where = inHeader ? `Line ${line} (the header row)` : `Line ${line} (data row ${dataRow})`;
    const what =
      e.code === 'MissingQuotes'
        ? 'a quoted field opens with " but never closes, so the rest of the file would be read as one cell. ' +
          'Look for a stray double quote in that row.'
        : 'a quoted field has text after its closing quote. A double quote inside a quoted field must be written twice ("").';
    return new ImportError('unbalanced-quotes', `${where}: ${what}`, dataRow);
  }
}
