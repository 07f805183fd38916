// Projects: the root record everything else hangs off.
import { STORES, newId, prefixRange, runAll, tx } from './db';
import { deleteProjectVectorsIn, VECTOR_STORES } from './embeddings';
import { DamagedRecordError, NotFoundError } from './errors';
import { mappingProblem, splitsProblem } from './records';
import type { Project, ProjectPatch } from './types';

/** A new, empty project (not yet saved). */
export function blankProject(name: string, id = newId(), now = Date.now()): Project {
  return { id, name, createdAt: now, updatedAt: now, step: 'data', mapping: null, splits: null, settings: {}, rowCount: 0 };
}

/** Creates and saves an empty project named `name`. */
export function createProject(name: string): Promise<Project> {
  const project = blankProject(name);
  return tx([STORES.projects], 'readwrite', 'create the project', async (t) => {
    await t.objectStore(STORES.projects).add(project);
    return project;
  });
}

/** All projects, most recently updated first. */
export function listProjects(): Promise<Project[]> {
  return tx([STORES.projects], 'readonly', 'list projects', async (t) => {
    const all = await t.objectStore(STORES.projects).getAll();
    return all.sort((a, b) => b.updatedAt - a.updatedAt);
  });
}

/**
 * The project with `id`, or undefined. Its column mapping and splits are
 * checked here, where it is opened: a damaged one throws DamagedRecordError.
 */
export function getProject(id: string): Promise<Project | undefined> {
  const op = 'open the project';
  return tx([STORES.projects], 'readonly', op, async (t) => {
    const p = await t.objectStore(STORES.projects).get(id);
    if (!p) return undefined;
    const mapping = p.mapping == null ? null : mappingProblem(p.mapping);
    if (mapping) throw new DamagedRecordError(op, 'column mapping', mapping);
    const splits = p.splits == null ? null : splitsProblem(p.splits);
    if (splits) throw new DamagedRecordError(op, 'split into validation, test and pool', splits);
    return p;
  });
}

/** A later timestamp than `prev` even when the clock has not moved. */
export function nextStamp(prev: number): number {
  return Math.max(Date.now(), prev + 1);
}

/**
 * Shallow-merges `patch` into project `id` and bumps updatedAt.
 * Throws NotFoundError if the project does not exist.
 */
export function updateProject(id: string, patch: ProjectPatch): Promise<Project> {
  return tx([STORES.projects], 'readwrite', 'save the project', async (t) => {
    const store = t.objectStore(STORES.projects);
    const current = await store.get(id);
    if (!current) throw new NotFoundError('save the project', `project ${id}`);
    // Identity, timestamps and the row count are the store's to manage.
    const { id: _i, createdAt: _c, updatedAt: _u, rowCount: _r, ...safe } = patch as Partial<Project>;
    const next: Project = { ...current, ...safe, updatedAt: nextStamp(current.updatedAt) };
    await store.put(next);
    return next;
  });
}

/**
 * Deletes a project with its rows, codebook versions, models, results, send
 * log and its own vectors (those its project file brought), in one
 * transaction. Responses and the shared vectors are a cache shared by
 * content and stay (see deleteCachedResponses / deleteEmbeddings).
 */
export function deleteProject(id: string): Promise<void> {
  const names = [STORES.projects, STORES.rows, STORES.codebooks, STORES.models, STORES.results, STORES.sendLog, ...VECTOR_STORES];
  return tx(names, 'readwrite', 'delete the project', async (t) => {
    const range = prefixRange(id);
    const models = t.objectStore(STORES.models);
    const results = t.objectStore(STORES.results);
    const log = t.objectStore(STORES.sendLog);
    const [modelIds, resultIds, logSeqs] = await Promise.all([
      models.index('projectId').getAllKeys(id),
      results.index('projectId').getAllKeys(id),
      log.index('projectId').getAllKeys(id),
    ]);
    await runAll([
      () => t.objectStore(STORES.projects).delete(id),
      () => t.objectStore(STORES.rows).delete(range),
      () => t.objectStore(STORES.codebooks).delete(range),
      ...modelIds.map((k) => () => models.delete(k)),
      ...resultIds.map((k) => () => results.delete(k)),
      ...logSeqs.map((k) => () => log.delete(k)),
      () => deleteProjectVectorsIn(t, id),
    ]);
  });
}
