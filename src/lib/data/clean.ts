// Characters no text should carry, taken out of every cell after parsing, with
// the rows named: C0/C1 control characters (a NUL from a scraper, a stray
// backspace), DEL, noncharacters and unpaired surrogates. Tabs and line breaks
// stay; vertical tab, form feed and NEL (spreadsheet line breaks) become "\n".
// Right-to-left marks, zero-width joiners and emoji are text and are kept.
import { ROW_LIST_CAP, type RawTable, type RowList } from './types';
import { Slicer } from '../store/yield';

// One pass finds any of them; the replace below decides what each becomes.
const STRAY =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const STRAY_ALL = new RegExp(STRAY.source, 'g');

function replacement(ch: string): string {
  if (ch === '\u000B' || ch === '\u000C' || ch === '\u0085') return '\n';
  if (ch.length === 1 && ch >= '\uD800' && ch <= '\uDFFF') return '\uFFFD';
  return '';
}

/** The cell without stray characters, and how many were taken out or replaced. */
export function cleanCell(s: string): { text: string; removed: number } {
  if (!STRAY.test(s)) return { text: s, removed: 0 };
  let removed = 0;
  const text = s.replace(STRAY_ALL, (ch) => {
    removed++;
    return replacement(ch);
  });
  return { text, removed };
}

/**
 * Cleans every cell and header name in place of a copy. `cleaned` (rows with
 * any stray character, 1-based data rows; the header row is 0) is set only
 * when something was cleaned; `strayChars` counts the characters.
 */
export function cleanTable(table: RawTable): RawTable {
  const c = new TableCleaner(table);
  for (let i = 0; i < table.rows.length; i++) c.row(i);
  return c.result();
}

/** cleanTable in slices that yield (a million rows of cells hold the page for about half a second in one go). */
export async function cleanTableSliced(table: RawTable, slicer = new Slicer()): Promise<RawTable> {
  const c = new TableCleaner(table);
  for (let i = 0; i < table.rows.length; i++) {
    c.row(i);
    if (slicer.due()) await slicer.next();
  }
  return c.result();
}

/** One pass of cleanTable, a row at a time: rows are copied only when one of their cells changes. */
class TableCleaner {
  readonly #table: RawTable;
  readonly #cleaned: RowList = { count: 0, rows: [] };
  #chars = 0;
  readonly #columns: string[];
  readonly #rows: string[][];

  constructor(table: RawTable) {
    this.#table = table;
    this.#columns = this.#fix(table.columns, 0);
    this.#rows = new Array<string[]>(table.rows.length);
  }

  row(i: number): void {
    this.#rows[i] = this.#fix(this.#table.rows[i], i + 1);
  }

  result(): RawTable {
    if (this.#cleaned.count === 0) return this.#table;
    return { ...this.#table, columns: this.#columns, rows: this.#rows, cleaned: this.#cleaned, strayChars: this.#chars };
  }

  #fix(cells: string[], row: number): string[] {
    let out: string[] | null = null;
    for (let j = 0; j < cells.length; j++) {
      const { text, removed } = cleanCell(cells[j]);
      if (removed === 0) continue;
      out ??= cells.slice();
      out[j] = text;
      this.#chars += removed;
    }
    if (out) {
      this.#cleaned.count++;
      if (this.#cleaned.rows.length < ROW_LIST_CAP) this.#cleaned.rows.push(row);
    }
    return out ?? cells;
  }
}

/**
 * Tracks whether a text, fed in pieces, is one character repeated (whitespace
 * aside): a file of 10 MB of "a" or of commas has no texts in it, and saying
 * so beats "a header row but no data rows".
 */
export class SoleCharacter {
  #char: string | null = null;
  #mixed = false;
  #count = 0;

  push(piece: string): void {
    if (this.#mixed) return;
    for (const ch of piece) {
      if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === '\uFEFF') continue;
      if (this.#char === null) this.#char = ch;
      else if (ch !== this.#char) {
        this.#mixed = true;
        return;
      }
      this.#count++;
    }
  }

  /** The repeated character and how often it occurs, or null for a file with two or more different characters (or none). */
  result(): { char: string; count: number } | null {
    return this.#mixed || this.#char === null || this.#count < 2 ? null : { char: this.#char, count: this.#count };
  }
}

/** How a character is named in a message: visible ones quoted, others by code point. */
export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return /[\p{L}\p{N}\p{P}\p{S}]/u.test(ch) ? `"${ch}"` : `${code} (an invisible character)`;
}
