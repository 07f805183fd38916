// From a RawTable to DataRows: which column is the text, the id, the human
// label; how raw label values map onto codebook label names. All or nothing:
// applyMapping either returns every row or throws.
import { ImportError } from './errors';
import { hashText } from './hash';
import { ROW_LIST_CAP, type ColumnMapping, type DataRow, type ImportReport, type RawTable, type RowList } from './types';

const TEXT_NAMES = ['text', 'content', 'body', 'tweet', 'sentence', 'message', 'comment', 'post', 'document', 'review', 'abstract', 'speech', 'response', 'answer', 'title'];
const ID_NAMES = ['id', 'uid', '_id', 'row_id', 'doc_id', 'tweet_id', 'post_id', 'comment_id', 'item_id', 'key', 'index'];
const LABEL_NAMES = ['label', 'labels', 'class', 'category', 'code', 'gold', 'target', 'annotation', 'human', 'human_label', 'y', 'sentiment', 'stance', 'tag'];

function norm(name: string): string {
  return name.trim().toLowerCase().replace(/[\s-]+/g, '_');
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
 * column falls back to the column with the longest mean length.
 */
export function guessMapping(table: RawTable): ColumnMapping {
  if (table.columns.length === 0) throw new ImportError('no-text-column', 'The table has no columns.');
  const taken = new Set<string>();
  let text = byName(table.columns, TEXT_NAMES, taken);
  const id = byName(table.columns, ID_NAMES, new Set(text ? [text] : []));
  if (id) taken.add(id);
  const label = byName(table.columns, LABEL_NAMES, new Set([...(text ? [text] : []), ...taken]));
  if (label) taken.add(label);
  if (!text) {
    let best = -1;
    table.columns.forEach((c, i) => {
      const len = meanLength(table, i);
      if (!taken.has(c) && len > best) {
        best = len;
        text = c;
      }
    });
    text ??= table.columns[0];
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
  /** Count texts longer than this many characters in report.tooLong. */
  maxChars?: number;
}

/**
 * Build DataRows. Texts are trimmed; empty texts are left out and reported;
 * duplicate texts are kept and reported; missing or duplicate ids throw.
 * Without an id column, ids are `row-<n>` with n the 1-based data-row number.
 */
export function applyMapping(
  table: RawTable,
  mapping: ColumnMapping,
  opts: ApplyOptions = {},
): { rows: DataRow[]; report: ImportReport } {
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
  };
  const rows: DataRow[] = [];
  const idRow = new Map<string, number>();
  const seenHash = new Set<string>();
  table.rows.forEach((cells, i) => {
    const n = i + 1;
    const text = (cells[ti] ?? '').trim();
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
    if (text === '') {
      addRow(report.emptyTexts, n);
      return;
    }
    const raw = li === -1 ? '' : (cells[li] ?? '').trim();
    let human: string | null = null;
    if (raw !== '') {
      report.labelValues[raw] = (report.labelValues[raw] ?? 0) + 1;
      const mapped = opts.labelMap && raw in opts.labelMap ? opts.labelMap[raw] : raw;
      if (mapped === null) report.excludedLabels++;
      human = mapped;
    }
    if (human === null) report.unlabeled++;
    const hash = hashText(text);
    if (seenHash.has(hash)) addRow(report.duplicateTexts, n);
    seenHash.add(hash);
    if (opts.maxChars !== undefined && text.length > opts.maxChars) report.tooLong++;
    rows.push({ id, text, human, hash });
  });
  report.imported = rows.length;
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
export function labelValuesNotIn(
  values: Iterable<string | null | Pick<DataRow, 'human'>>,
  labelNames: readonly string[],
): string[] {
  const known = new Set(labelNames);
  const out = new Set<string>();
  for (const v of values) {
    const s = v === null || typeof v === 'string' ? v : v.human;
    if (s !== null && s !== '' && !known.has(s)) out.add(s);
  }
  return [...out].sort();
}
