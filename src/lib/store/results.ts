// Saved results: each student's corpus predictions and each comparison run.
// Read by kind through the [projectId, kind, createdAt] index, so the newest
// comparison is one record, not every student's predictions as well; every
// read runs the kind's guard (records.ts). Predictions are written with their
// ids packed (packed-ids.ts); records from before, with an id list, are packed
// as they are read, after the transaction (packing yields, and a wait on
// anything but IndexedDB ends a transaction).
import { STORES, tx, type Tx } from './db';
import { DamagedRecordError } from './errors';
import { packIds } from './packed-ids';
import { comparisonProblem, predictionsProblem, type ComparisonData, type PredictionsData, type StoredPredictionsData } from './records';
import type { ComparisonResult, PredictionsResult, ResultKind, StoredResult } from './types';
import type { Checked, Reason } from './guards';

/** The one predictions result of a student. */
export const predictionsId = (modelId: string): string => `predictions|${modelId}`;

const GUARDS: { [K in ResultKind]: (data: unknown) => Reason } = {
  predictions: predictionsProblem,
  comparison: comparisonProblem,
};
const WHAT: Record<ResultKind, string> = { predictions: 'set of corpus labels', comparison: 'comparison' };

type Of<K extends ResultKind> = Extract<StoredResult, { kind: K }>;

/** A predictions result as a record may hold it (see StoredPredictionsData). */
type StoredPredictionsResult = Omit<PredictionsResult, 'data'> & { data: StoredPredictionsData };

/** `data` with its ids packed (older records hold a list). */
export async function withPackedIds(data: StoredPredictionsData): Promise<PredictionsData> {
  const { ids } = data;
  return Array.isArray(ids) ? { ...data, ids: await packIds(ids, (id) => id) } : { ...data, ids };
}

const packedResult = async (r: StoredPredictionsResult): Promise<PredictionsResult> => ({ ...r, data: await withPackedIds(r.data) });

/**
 * A result record as a project file carries it (format 3 on): predictions
 * with their ids packed. Other records, and damaged ones, pass as they are.
 */
export async function withPackedRecordIds<T>(r: T): Promise<T> {
  const o = r as Partial<StoredPredictionsResult> | null;
  if (o?.kind !== 'predictions' || predictionsProblem(o.data) !== null || !Array.isArray(o.data!.ids)) return r;
  return { ...r, data: await withPackedIds(o.data!) };
}

/** Why a stored result is not a usable one of its kind, or null. */
function resultProblem(r: unknown): Reason {
  const o = r as Partial<StoredResult> | undefined;
  if (!o || typeof o.id !== 'string' || typeof o.projectId !== 'string' || typeof o.createdAt !== 'number')
    return 'its id or time is missing';
  const guard = GUARDS[o.kind as ResultKind] as ((data: unknown) => Reason) | undefined;
  return guard ? guard(o.data) : `its kind "${String(o.kind)}" is unknown`;
}

function checked<K extends ResultKind>(kind: K, op: string, r: unknown): Of<K> {
  const why = resultProblem(r);
  if (why) throw new DamagedRecordError(op, WHAT[kind], why);
  return r as Of<K>;
}

/** A kind's results of a project, in the index's order (oldest first). */
function kindRange(projectId: string, kind: ResultKind): IDBKeyRange {
  return IDBKeyRange.bound([projectId, kind, -Infinity], [projectId, kind, Infinity]);
}

async function put(result: StoredResult, op: string): Promise<void> {
  const why = resultProblem(result);
  // Refuse to write what no reader could use: the bug shows where it is made.
  if (why) throw new DamagedRecordError(op, WHAT[result.kind] ?? 'result', why);
  await tx([STORES.results], 'readwrite', op, async (t) => {
    await t.objectStore(STORES.results).put(result);
  });
}

/** Saves `data` as the student's corpus labels, replacing earlier ones (ids packed beforehand: see packIds). */
export function putPredictions(projectId: string, data: PredictionsData, createdAt = Date.now()): Promise<void> {
  return put({ id: predictionsId(data.modelId), projectId, createdAt, kind: 'predictions', data }, 'save the corpus labels');
}

/** Saves a comparison run (id `comparison|<finishedAt>`). */
export function putComparison(projectId: string, data: ComparisonData): Promise<void> {
  const at = data.run.finishedAt;
  return put({ id: `comparison|${at}`, projectId, createdAt: at, kind: 'comparison', data }, 'save the comparison');
}

/** The corpus labels of student `modelId`, or undefined when it has not labelled the corpus. */
export async function getPredictions(modelId: string): Promise<PredictionsData | undefined> {
  const op = 'load the corpus labels';
  const r = await tx([STORES.results], 'readonly', op, async (t) => {
    const r = await t.objectStore(STORES.results).get(predictionsId(modelId));
    return r && (checked('predictions', op, r) as StoredPredictionsResult);
  });
  return r && withPackedIds(r.data);
}

async function newest<K extends ResultKind>(t: Tx<'results'[], 'readonly'>, projectId: string, kind: K, op: string): Promise<Of<K> | null> {
  const cursor = await t.objectStore(STORES.results).index('projectKind').openCursor(kindRange(projectId, kind), 'prev');
  return cursor ? checked(kind, op, cursor.value) : null;
}

/** The project's newest corpus labels, or null when no student has labelled the corpus. */
export async function latestPredictions(projectId: string): Promise<PredictionsResult | null> {
  const op = 'load the corpus labels';
  const r = await tx([STORES.results], 'readonly', op, (t) => newest(t, projectId, 'predictions', op));
  return r && packedResult(r as StoredPredictionsResult);
}

/** The project's newest comparison and how many are saved, or null when none is. */
export function latestComparison(projectId: string): Promise<{ result: ComparisonResult; count: number } | null> {
  const op = 'load the saved comparison';
  return tx([STORES.results], 'readonly', op, async (t) => {
    const [result, count] = await Promise.all([
      newest(t, projectId, 'comparison', op),
      t.objectStore(STORES.results).index('projectKind').count(kindRange(projectId, 'comparison')),
    ]);
    return result && { result, count };
  });
}

/**
 * Calls `use` with every student's corpus labels in the project, oldest
 * first, one record per request: a million rows' labels are tens of MiB, and
 * one getAll of every student's held the page for all their clones at once,
 * with all of them in memory. Damaged ones are skipped; their reasons are returned.
 */
export async function eachPredictions(projectId: string, use: (r: PredictionsResult) => void): Promise<string[]> {
  const op = 'list the corpus labels';
  const keys = await tx([STORES.results], 'readonly', op, (t) =>
    t.objectStore(STORES.results).index('projectKind').getAllKeys(kindRange(projectId, 'predictions')),
  );
  const skipped: string[] = [];
  for (const key of keys) {
    const r = await tx([STORES.results], 'readonly', op, (t) => t.objectStore(STORES.results).get(key));
    if (!r) continue; // deleted meanwhile
    const why = resultProblem(r);
    if (why) skipped.push(`the corpus labels saved as ${r.id} (${why})`);
    else use(await packedResult(r as StoredPredictionsResult));
  }
  return skipped;
}

/** Every student's corpus labels in the project, oldest first; damaged ones are skipped with their reason. */
export async function listPredictions(projectId: string): Promise<Checked<PredictionsResult>> {
  const items: PredictionsResult[] = [];
  const skipped = await eachPredictions(projectId, (r) => items.push(r));
  return { items, skipped };
}

/** Deletes the corpus labels of student `modelId` (no error if absent). */
export function deletePredictions(modelId: string): Promise<void> {
  return deleteResult(predictionsId(modelId));
}

/** Deletes the result with `id` (no error if absent). */
export function deleteResult(id: string): Promise<void> {
  return tx([STORES.results], 'readwrite', 'delete the result', async (t) => {
    await t.objectStore(STORES.results).delete(id);
  });
}
