// Small numbers for the import preview.
import type { DataRow, RawTable } from './types';

/** How often each trimmed, non-empty value occurs in a column, most frequent first. */
export function valueCounts(table: RawTable, column: string): { value: string; count: number }[] {
  const i = table.columns.indexOf(column);
  if (i === -1) return [];
  const counts = new Map<string, number>();
  for (const r of table.rows) {
    const v = (r[i] ?? '').trim();
    if (v !== '') counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
}

/** Human-label counts over DataRows; unlabeled rows are counted under null. */
export function labelCounts(rows: readonly DataRow[]): Map<string | null, number> {
  const out = new Map<string | null, number>();
  for (const r of rows) out.set(r.human, (out.get(r.human) ?? 0) + 1);
  return out;
}

/** Mean, median and maximum text length in characters (zeros for no rows). */
export function lengthStats(texts: readonly string[]): { mean: number; median: number; max: number } {
  if (texts.length === 0) return { mean: 0, median: 0, max: 0 };
  const lens = texts.map((t) => t.length).sort((a, b) => a - b);
  const mid = lens.length >> 1;
  const median = lens.length % 2 ? lens[mid] : (lens[mid - 1] + lens[mid]) / 2;
  return { mean: lens.reduce((a, b) => a + b, 0) / lens.length, median, max: lens[lens.length - 1] };
}

/** The first `n` rows for a preview table. */
export function previewRows(table: RawTable, n = 10): string[][] {
  return table.rows.slice(0, n);
}
