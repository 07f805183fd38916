// What each column holds — numbers, dates, true/false, nothing, or text — so
// the import never takes a column of numbers for the texts. Anything that is
// not a number, date, boolean or missing-value marker is text: emoji-only
// posts and one-word answers are texts too.
import { ImportError } from './errors';
import type { RawTable } from './types';

export type ColumnKind = 'text' | 'number' | 'date' | 'boolean' | 'empty';

/** Rows looked at per column (spread over the file). */
const SAMPLE_ROWS = 1000;

const NUMBER = /^[-+−]?[$€£¥]?\s?(?:\d{1,3}(?:[,'\s]\d{3})+|\d+)?(?:[.,]\d+)?(?:[eE][-+]?\d+)?\s?%?$/;
const DATE =
  /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s?(?:Z|[AaPp][Mm]|[+-]\d{2}:?\d{2})?)?$|^\d{1,2}:\d{2}(?::\d{2})?$/;
const BOOLEAN = /^(?:true|false|yes|no|t|f|y|n)$/i;
const MISSING = /^(?:na|n\/a|nan|null|none|nil|-|—|\?|inf|-inf|infinity)$/i;

/** The kind of one trimmed cell. */
export function valueKind(raw: string): ColumnKind {
  const v = raw.trim();
  if (v === '' || MISSING.test(v)) return 'empty';
  // Long values are never numbers or dates; skip the patterns on a 10 MB cell.
  if (v.length > 40) return 'text';
  if (/\d/.test(v) && NUMBER.test(v)) return 'number';
  if (DATE.test(v)) return 'date';
  if (BOOLEAN.test(v)) return 'boolean';
  return 'text';
}

function sampleIndices(n: number): number[] {
  if (n <= SAMPLE_ROWS) return Array.from({ length: n }, (_, i) => i);
  const step = n / SAMPLE_ROWS;
  return Array.from({ length: SAMPLE_ROWS }, (_, i) => Math.floor(i * step));
}

/**
 * The kind of every column from a spread sample of rows: 'text' when at least
 * a fifth of its non-empty values are text, else its most common kind
 * ('empty' when all are empty). A table without rows has only 'empty' columns.
 */
export function columnKinds(table: RawTable): ColumnKind[] {
  const idx = sampleIndices(table.rows.length);
  return table.columns.map((_, c) => {
    const counts: Record<ColumnKind, number> = { text: 0, number: 0, date: 0, boolean: 0, empty: 0 };
    for (const i of idx) counts[valueKind(table.rows[i][c] ?? '')]++;
    const filled = idx.length - counts.empty;
    if (filled === 0) return 'empty';
    if (counts.text * 5 >= filled) return 'text';
    const kinds: ColumnKind[] = ['number', 'date', 'boolean'];
    return kinds.reduce((best, k) => (counts[k] > counts[best] ? k : best), 'number' as ColumnKind);
  });
}

const KIND_WORDS: Record<ColumnKind, string> = { text: 'text', number: 'numbers', date: 'dates', boolean: 'true/false', empty: 'empty' };

/** "a (numbers), b (empty), … and 4,990 more" for a message. */
export function describeColumns(columns: readonly string[], kinds: readonly ColumnKind[], shown = 12): string {
  const cut = (s: string) => (s.length > 30 ? `${s.slice(0, 30)}…` : s);
  const list = columns
    .slice(0, shown)
    .map((c, i) => `${cut(c)} (${KIND_WORDS[kinds[i]]})`)
    .join(', ');
  if (columns.length <= shown) return list;
  const rest: Partial<Record<ColumnKind, number>> = {};
  for (const k of kinds.slice(shown)) rest[k] = (rest[k] ?? 0) + 1;
  const tally = Object.entries(rest)
    .map(([k, n]) => `${n!.toLocaleString('en')} ${KIND_WORDS[k as ColumnKind]}`)
    .join(', ');
  return `${list} and ${(columns.length - shown).toLocaleString('en')} more (${tally})`;
}

/**
 * Names of the columns that hold text. Throws ImportError('no-text-column')
 * when a table with rows has none, listing every column with its kind.
 */
export function requireTextColumns(table: RawTable): string[] {
  if (table.rows.length === 0) return [...table.columns];
  const kinds = columnKinds(table);
  const text = table.columns.filter((_, i) => kinds[i] === 'text');
  if (text.length > 0) return text;
  const n = table.columns.length;
  throw new ImportError(
    'no-text-column',
    `No column holds text: ${n === 1 ? 'the only column holds' : `all ${n.toLocaleString('en')} columns hold`} numbers, dates, true/false values or nothing — ` +
      `${describeColumns(table.columns, kinds)}. Import a file with a column of the texts to classify.`,
  );
}
