// The teacher's labels of the validation texts under each codebook version,
// rebuilt from the stored answers of one endpoint, model and prompt template:
// the Validate step's version table scores them (eval/validation.ts
// versionScores), which so gets plain label arrays and never reads answers.
import type { CodebookVersion } from '../codebook/types';
import type { DataRow } from '../data/types';
import { normaliseEndpoint } from './cache-key';
import { labelsFromResponses } from './labels';
import type { TeacherResponse } from './types';

export interface VersionLabels {
  version: number;
  createdAt: number;
  /** The version's label names, in codebook order. */
  names: string[];
  positive: string | null;
  /** The answered validation texts whose human label is one of `names` (label null = no valid answer). */
  labels: { rowId: string; label: string | null }[];
}

/** Each version's labels from its own answers (matched by codebook hash) of the same setup; a version without answers gets none. */
export function versionLabels(
  versions: readonly CodebookVersion[],
  responses: readonly TeacherResponse[],
  validationRows: readonly DataRow[],
  setup: { endpoint: string; model: string; template: string; repeats: number },
): VersionLabels[] {
  const endpoint = normaliseEndpoint(setup.endpoint);
  const mine = responses.filter(
    (r) => normaliseEndpoint(r.endpoint) === endpoint && r.model === setup.model && r.template === setup.template,
  );
  return versions.map((v) => {
    const own = mine.filter((r) => r.codebookHash === v.hash);
    const names = v.codebook.labels.map((l) => l.name);
    const rows = validationRows.filter((r) => r.human !== null && names.includes(r.human));
    const labels = labelsFromResponses(
      rows.map((r) => ({ rowId: r.id, textHash: r.hash })),
      own,
      setup.repeats,
    )
      .filter((l) => l.n > 0)
      .map((l) => ({ rowId: l.rowId, label: l.label }));
    return { version: v.version, createdAt: v.createdAt, names, positive: v.codebook.positive ?? null, labels };
  });
}
