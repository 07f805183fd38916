// From a RawTable to DataRows: which column is the text, the id, the human
// label; how raw label values map onto codebook label names. All or nothing:
// applyMapping either returns every row or throws.
import { requireTextColumns } from './columns';
import { ImportError } from './errors';
import { hashText } from './hash';
import { flagLabels, type LabelTally } from './labels';
import { ROW_LIST_CAP, type ColumnMapping, type DataRow, type ImportReport, type LongRowList, type RawTable, type RowList } from './types';

const TEXT_NAMES = [
  'text',
  'content',
  'body',
  'tweet',
  'sentence',
  'message',
  'comment',
  'post',
  'document',
  'review',
  'abstract',
  'speech',
  'response',
  'answer',
  'title',
];
const ID_NAMES = ['id', 'uid', '_id', 'row_id', 'doc_id', 'tweet_id', 'post_id', 'comment_id', 'item_id', 'key', 'index'];
const LABEL_NAMES = [
  'label',
  'labels',
  'class',
  'category',
  'code',
  'gold',
  'target',
  'annotation',
  'human',
  'human_label',
  'y',
  'sentiment',
  'stance',
  'tag',
];

const INVISIBLE = /^[\s\p{Cf}]*$/u;

function norm(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** The column whose normalised name comes first in `names`, then one that contains a name. */
function byName(columns: string[], names: string[], taken: Set<string>): string | null {
  const free = columns.filter((c) => !taken.has(c));
  for (const n of names) {
    const hit = free.find((c) => norm(c) === n);
    if (hit !== undefined) return hit;
  }
  for (const n of names.filter((n) => n.length >= 4)) {
    const hit = free.find((c) => norm(c).includes(n));
    if (hit !== undefined) return hit;
  }
  return null;
}

function meanLength(table: RawTable, col: number, sample = 500): number {
  const rows = table.rows.slice(0, sample);
  if (rows.length === 0) return 0;
  return rows.reduce((s, r) => s + (r[col]?.length ?? 0), 0) / rows.length;
}

/**
 * Guess which columns hold text, id and label from their names; the text
 * column falls back to the column with the longest mean length. Only a column
 * that holds text can be the text column: a table of numbers, dates and empty
 * columns throws ImportError('no-text-column') listing them (requireTextColumns).
 */
export function guessMapping(table: RawTable): ColumnMapping {
  if (table.columns.length === 0) throw new ImportError('no-text-column', 'The table has no columns.');
  const textual = new Set(requireTextColumns(table));
  const taken = new Set<string>(table.columns.filter((c) => !textual.has(c)));
  let text = byName(table.columns, TEXT_NAMES, taken);
  taken.clear();
  const id = byName(table.columns, ID_NAMES, new Set(text ? [text] : []));
  if (id) taken.add(id);
  const label = byName(table.columns, LABEL_NAMES, new Set([...(text ? [text] : []), ...taken]));
  if (label) taken.add(label);
  if (!text) {
    let best = -1;
    table.columns.forEach((c, i) => {
      const len = meanLength(table, i);
      if (!taken.has(c) && textual.has(c) && len > best) {
        best = len;
        text = c;
      }
    });
    text ??= [...textual][0];
  }
  return { text: text!, id: id === text ? null : id, label: label === text ? null : label };
}

function columnIndex(table: RawTable, name: string, role: string): number {
  const i = table.columns.indexOf(name);
  if (i === -1) {
    throw new ImportError(
      role === 'text' ? 'no-text-column' : 'unknown-column',
      `The ${role} column "${name}" is not in the file (columns: ${table.columns.join(', ')}).`,
    );
  }
  return i;
}

function addRow(list: RowList, row: number): void {
  list.count++;
  if (list.rows.length < ROW_LIST_CAP) list.rows.push(row);
}

export interface ApplyOptions {
  /** Raw label value → codebook label name, or null to drop the label (the row stays, unlabeled). Values not listed pass through unchanged. */
  labelMap?: Record<string, string | null>;
  /** Count texts longer than this many characters in report.tooLong and name them in report.longTexts. */
  maxChars?: number;
  /** Cut texts longer than this many characters (0 or absent: no limit); the row records its length before (truncatedFrom). */
  limitChars?: number;
  /** The project's codebook label names: human labels outside them are flagged. null/absent: flag stray-looking values instead. */
  codebookLabels?: readonly string[] | null;
}

function addLong(list: LongRowList, row: number, chars: number): void {
  list.count++;
  if (list.rows.length < ROW_LIST_CAP) list.rows.push({ row, chars });
}

/** The first `limit` characters, never splitting a surrogate pair. */
function cut(text: string, limit: number): string {
  const end = /[\uD800-\uDBFF]/.test(text[limit - 1] ?? '') ? limit - 1 : limit;
  return text.slice(0, end);
}

/**
 * Build DataRows. Texts are trimmed; empty texts are left out and reported;
 * duplicate texts are kept and reported; missing or duplicate ids throw.
 * Without an id column, ids are `row-<n>` with n the 1-based data-row number.
 */
export function applyMapping(table: RawTable, mapping: ColumnMapping, opts: ApplyOptions = {}): { rows: DataRow[]; report: ImportReport } {
  const ti = columnIndex(table, mapping.text, 'text');
  const ii = mapping.id === null ? -1 : columnIndex(table, mapping.id, 'id');
  const li = mapping.label === null ? -1 : columnIndex(table, mapping.label, 'label');
  const report: ImportReport = {
    rows: table.rows.length,
    imported: 0,
    emptyTexts: { count: 0, rows: [] },
    duplicateTexts: { count: 0, rows: [] },
    labelValues: {},
    unlabeled: 0,
    excludedLabels: 0,
    tooLong: 0,
    longTexts: { count: 0, rows: [] },
    truncated: { count: 0, rows: [] },
    labelFlags: [],
  };
  const tallies = new Map<string, LabelTally>();
  const limit = opts.limitChars && opts.limitChars > 0 ? Math.floor(opts.limitChars) : 0;
  const rows: DataRow[] = [];
  const idRow = new Map<string, number>();
  const seenHash = new Set<string>();
  table.rows.forEach((cells, i) => {
    const n = i + 1;
    const whole = (cells[ti] ?? '').trim();
    let id = `row-${n}`;
    if (ii !== -1) {
      id = (cells[ii] ?? '').trim();
      if (id === '') throw new ImportError('missing-id', `Data row ${n} has an empty id in column "${mapping.id}".`, n);
    }
    const earlier = idRow.get(id);
    if (earlier !== undefined) {
      throw new ImportError('duplicate-id', `Data rows ${earlier} and ${n} have the same id "${id}". Ids must be unique.`, n);
    }
    idRow.set(id, n);
    // Only spaces and invisible format characters (zero-width spaces, direction marks) is no text either.
    if (whole === '' || INVISIBLE.test(whole)) {
      addRow(report.emptyTexts, n);
      return;
    }
    const text = limit > 0 && whole.length > limit ? cut(whole, limit) : whole;
    if (text !== whole) addLong(report.truncated, n, whole.length);
    const raw = li === -1 ? '' : (cells[li] ?? '').trim();
    let human: string | null = null;
    if (raw !== '') {
      report.labelValues[raw] = (report.labelValues[raw] ?? 0) + 1;
      const mapped = opts.labelMap && raw in opts.labelMap ? opts.labelMap[raw] : raw;
      if (mapped === null) report.excludedLabels++;
      human = mapped;
    }
    if (human !== null) {
      let t = tallies.get(human);
      if (!t) tallies.set(human, (t = { value: human, count: 0, rows: [] }));
      t.count++;
      if (t.rows.length < ROW_LIST_CAP) t.rows.push(n);
    }
    if (human === null) report.unlabeled++;
    const hash = hashText(text);
    if (seenHash.has(hash)) addRow(report.duplicateTexts, n);
    seenHash.add(hash);
    if (opts.maxChars !== undefined && whole.length > opts.maxChars) {
      report.tooLong++;
      addLong(report.longTexts, n, whole.length);
    }
    rows.push(text === whole ? { id, text, human, hash } : { id, text, human, hash, truncatedFrom: whole.length });
  });
  report.imported = rows.length;
  report.labelFlags = flagLabels([...tallies.values()], opts.codebookLabels ?? null);
  if (rows.length === 0) {
    throw new ImportError('empty', `All ${table.rows.length} rows have an empty "${mapping.text}" column: nothing to import.`);
  }
  return { rows, report };
}

/** Distinct raw label values in a column (empty cells skipped), sorted. */
export function rawLabelValues(table: RawTable, column: string): string[] {
  const i = columnIndex(table, column, 'label');
  const set = new Set<string>();
  for (const r of table.rows) {
    const v = (r[i] ?? '').trim();
    if (v !== '') set.add(v);
  }
  return [...set].sort();
}

/**
 * Label values that are not codebook label names, sorted, so the UI can offer
 * "map or exclude". Accepts DataRows or raw values; null and '' are ignored.
 */
export function labelValuesNotIn(values: Iterable<string | null | Pick<DataRow, 'human'>>, labelNames: readonly string[]): string[] {
  const known = new Set(labelNames);
  const out = new Set<string>();
  for (const v of values) {
    const s = v === null || typeof v === 'string' ? v : v.human;
    if (s !== null && s !== '' && !known.has(s)) out.add(s);
  }
  return [...out].sort();
}
