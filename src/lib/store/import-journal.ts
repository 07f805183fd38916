// The journal of a project import. A project file is written part by part
// (its rows, answers, students and vectors do not fit one transaction's
// memory), so a tab closed half way would leave parts of a project that is
// not listed. Before the first part an import puts a journal record naming
// itself; the project record lands in the same transaction that deletes it.
// A journal found with no import running (the tab closed, the worker died)
// is undone when the app opens: everything the import wrote is found by its
// project id (and its answers by their origin), so the record stays small.
//
// A running import holds a Web Lock named after its project, so a second
// tab opening meanwhile leaves its journal alone; where the browser has no
// Web Locks, the import's last transaction refuses to list a project whose
// journal another tab undid.
import { STORES, prefixRange, runAll, tx, type Tx } from './db';
import { deleteProjectVectorsIn, VECTOR_STORES } from './embeddings';
import { ImportError } from './errors';
import type { Project } from './types';

const PREFIX = 'import.journal.v1|';

/** What an interrupted import is undone from: its project id, and the origin its answers carry. */
export interface ImportJournal {
  pid: string;
  file: string;
  at: number;
}

const journalKey = (pid: string) => `${PREFIX}${pid}`;
const TAKEN = 'A project with this id appeared while importing (another tab?); import again.';
const lockName = (pid: string) => `surrogate-import|${pid}`;

function isJournal(v: unknown): v is ImportJournal {
  const j = v as ImportJournal | null;
  return typeof j === 'object' && j !== null && typeof j.pid === 'string' && typeof j.file === 'string' && typeof j.at === 'number';
}

/**
 * Inside `t` (with projects and kv): records that import `j` is writing. Put
 * with its first part; refuses (writing nothing) when the id was taken, or
 * another import of it is writing, since the id was chosen.
 */
export async function openJournalIn(t: Pick<Tx<['projects', 'kv'], 'readwrite'>, 'objectStore'>, j: ImportJournal): Promise<void> {
  const [taken, open] = await Promise.all([
    t.objectStore(STORES.projects).getKey(j.pid),
    t.objectStore(STORES.kv).getKey(journalKey(j.pid)),
  ]);
  if (taken !== undefined || open !== undefined) throw new ImportError(TAKEN);
  await t.objectStore(STORES.kv).put(j, journalKey(j.pid));
}

/**
 * Lists the imported project and closes its journal, in one transaction.
 * Refuses when the journal is gone (another tab undid it as interrupted) or
 * the id was taken meanwhile.
 */
export async function commitImport(j: ImportJournal, project: Project): Promise<void> {
  await tx([STORES.projects, STORES.kv], 'readwrite', 'import the project', async (t) => {
    const [open, taken] = await Promise.all([
      t.objectStore(STORES.kv).get(journalKey(j.pid)),
      t.objectStore(STORES.projects).getKey(j.pid),
    ]);
    if (!open) throw new ImportError('Another tab interrupted this import and removed what it had written; import the file again.');
    if (taken !== undefined) throw new ImportError(TAKEN);
    await runAll([() => t.objectStore(STORES.projects).put(project), () => t.objectStore(STORES.kv).delete(journalKey(j.pid))]);
  });
}

const UNDO_STORES = [
  STORES.projects,
  STORES.rows,
  STORES.codebooks,
  STORES.models,
  STORES.results,
  STORES.responses,
  STORES.kv,
  ...VECTOR_STORES,
];

/**
 * Deletes everything import `j` wrote, and its journal, in one transaction:
 * the rows, codebooks, students, results and own vectors of its project id
 * (none of which can exist without the project record), and the answers it
 * added (those of that id carrying its origin: answers stored before under
 * the same id, e.g. paid ones of a project deleted since, stay).
 */
export async function undoImport(j: ImportJournal): Promise<void> {
  await tx(UNDO_STORES, 'readwrite', 'undo an unfinished import', async (t) => {
    // Listed after all (its last transaction committed): nothing to undo.
    if ((await t.objectStore(STORES.projects).getKey(j.pid)) !== undefined) {
      await t.objectStore(STORES.kv).delete(journalKey(j.pid));
      return;
    }
    const models = t.objectStore(STORES.models);
    const results = t.objectStore(STORES.results);
    const [modelIds, resultIds] = await Promise.all([
      models.index('projectId').getAllKeys(j.pid),
      results.index('projectId').getAllKeys(j.pid),
    ]);
    const answers: string[] = [];
    for (let c = await t.objectStore(STORES.responses).index('projectId').openCursor(j.pid); c; c = await c.continue()) {
      const o = c.value.origin as { kind: string; at?: unknown; file?: unknown } | undefined;
      if (o?.kind === 'imported' && o.at === j.at && o.file === j.file) answers.push(c.value.key);
    }
    await runAll([
      () => t.objectStore(STORES.rows).delete(prefixRange(j.pid)),
      () => t.objectStore(STORES.codebooks).delete(prefixRange(j.pid)),
      ...modelIds.map((k) => () => models.delete(k)),
      ...resultIds.map((k) => () => results.delete(k)),
      ...answers.map((k) => () => t.objectStore(STORES.responses).delete(k)),
      () => deleteProjectVectorsIn(t, j.pid),
      () => t.objectStore(STORES.kv).delete(journalKey(j.pid)),
    ]);
  });
}

type Locks = { request<T>(name: string, opts: { ifAvailable?: boolean }, fn: (lock: unknown) => Promise<T>): Promise<T> };

function locks(): Locks | null {
  const l = (globalThis.navigator as { locks?: Locks } | undefined)?.locks;
  return l && typeof l.request === 'function' ? l : null;
}

/** Runs import `pid`'s write pass holding its lock (released when it ends, or when its tab or worker dies). */
export function withImportLock<T>(pid: string, fn: () => Promise<T>): Promise<T> {
  const l = locks();
  return l ? l.request(lockName(pid), {}, fn) : fn();
}

/**
 * Undoes the imports that stopped half way (their tab closed, their worker
 * died): run when the app opens. A journal whose import still runs (its
 * lock is held, in another tab) is left alone. Returns how many were undone.
 */
export async function undoInterruptedImports(): Promise<number> {
  const found = await tx([STORES.kv], 'readonly', 'look for unfinished imports', async (t) =>
    t.objectStore(STORES.kv).getAll(IDBKeyRange.bound(PREFIX, `${PREFIX}\uffff`)),
  );
  let undone = 0;
  for (const j of found.filter(isJournal)) {
    const l = locks();
    const run = async (lock: unknown) => {
      if (lock === null) return; // held: that import is running
      await undoImport(j);
      undone++;
    };
    if (l) await l.request(lockName(j.pid), { ifAvailable: true }, run);
    else await run(true);
  }
  return undone;
}
