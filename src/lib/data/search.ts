// Searching the dataset's texts on the page. A million texts lower-cased in
// one go hold the page for about a second per keystroke, so the scan runs in
// slices (Slicer) and a newer query makes an older scan give up.
import { Slicer } from '../store/yield';
import type { DataRow } from './types';

/**
 * The rows whose text contains `query` (case-insensitive, trimmed; every row
 * for a blank query), in order. Resolves null when `stale()` turns true
 * between slices: a newer search superseded this one.
 */
export async function searchRows(
  rows: readonly DataRow[],
  query: string,
  stale: () => boolean = () => false,
  slicer = new Slicer(),
): Promise<DataRow[] | null> {
  const q = query.trim().toLowerCase();
  if (!q) return rows.slice();
  const out: DataRow[] = [];
  for (const r of rows) {
    if (r.text.toLowerCase().includes(q)) out.push(r);
    if (slicer.due()) {
      await slicer.next();
      if (stale()) return null;
    }
  }
  return stale() ? null : out;
}
