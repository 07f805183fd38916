// The Teacher step's view of the answer cache at corpus scale: what a reload
// reads costs the answers stored, not the rows (a key per row of a million
// texts was a million lookups), and the loops that still visit every row
// give the page back in slices (store/yield.ts).
import { eachSliced } from '../store/yield';
import { jobKeyPrefix, keyOf, type TeacherJob } from './tasks';
import type { TeacherResponse } from './types';

/** Reads up to `count` stored responses whose key starts with `prefix`, after the key `after` (store.listResponsesByKeyPrefix). */
export type ListByPrefix = (prefix: string, after: string | null, count: number) => Promise<TeacherResponse[]>;

const PAGE = 5_000;

/**
 * Every stored answer a run of `job` would find, for any text: its setup's
 * key range read page by page, keeping the keys the run itself would look up
 * (a repeat it asks for, at that repeat's temperature).
 */
export async function setupAnswers(
  job: TeacherJob,
  temperatureAllowed: boolean,
  list: ListByPrefix,
  page = PAGE,
): Promise<TeacherResponse[]> {
  const prefix = jobKeyPrefix(job);
  const out: TeacherResponse[] = [];
  for (let after: string | null = null; ;) {
    const part = await list(prefix, after, page);
    for (const r of part)
      if (r.repeat >= 0 && r.repeat < job.settings.repeats && r.key === keyOf(job, r.textHash, r.repeat, temperatureAllowed)) out.push(r);
    if (part.length < page) return out;
    after = part[part.length - 1].key;
  }
}

type Row = { id: string; hash: string };

/** Each row's text hash by row id, built in slices. */
export async function hashesById(rows: readonly Row[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await eachSliced(rows.length, (i) => out.set(rows[i].id, rows[i].hash));
  return out;
}

/** The rows (as label items, in row order) whose text has an answer in `answered`, found in slices. */
export async function answeredItems(
  rows: readonly Row[],
  answered: { has(textHash: string): boolean },
): Promise<{ rowId: string; textHash: string }[]> {
  const out: { rowId: string; textHash: string }[] = [];
  await eachSliced(rows.length, (i) => {
    if (answered.has(rows[i].hash)) out.push({ rowId: rows[i].id, textHash: rows[i].hash });
  });
  return out;
}
