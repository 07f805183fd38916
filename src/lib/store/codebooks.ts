// Codebook versions per project, keyed [projectId, version]. The version
// object (CodebookVersion from codebook/types.ts) is stored whole.
import { STORES, prefixRange, tx } from './db';
import type { VersionedCodebook } from './types';

/**
 * Saves `cv` as version `cv.version` of `projectId`, replacing a version with
 * the same number. Versions are meant to be immutable: bump, don't edit.
 */
export function saveCodebookVersion<CV extends VersionedCodebook>(projectId: string, cv: CV): Promise<void> {
  return tx([STORES.codebooks], 'readwrite', 'save the codebook version', async (t) => {
    await t.objectStore(STORES.codebooks).put({ projectId, version: cv.version, value: cv });
  });
}

/** Every saved version of `projectId`, oldest (lowest number) first. */
export function listCodebookVersions<CV extends VersionedCodebook>(projectId: string): Promise<CV[]> {
  return tx([STORES.codebooks], 'readonly', 'list codebook versions', async (t) => {
    const records = await t.objectStore(STORES.codebooks).getAll(prefixRange(projectId));
    return records.map((r) => r.value as CV);
  });
}

/** Version `version` of `projectId`'s codebook, or undefined. */
export function getCodebookVersion<CV extends VersionedCodebook>(projectId: string, version: number): Promise<CV | undefined> {
  return tx([STORES.codebooks], 'readonly', 'load the codebook version', async (t) => {
    const record = await t.objectStore(STORES.codebooks).get([projectId, version]);
    return record?.value as CV | undefined;
  });
}
