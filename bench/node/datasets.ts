// The shared real datasets (../shared/datasets) as the app would import them:
// parseFile → applyMapping with a label map, plus the recorded LLM answers
// and a codebook built from the dataset's own <name>.codebook.md.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Codebook } from '../../src/lib/codebook/types';
import { applyMapping } from '../../src/lib/data/mapping';
import { parseFile } from '../../src/lib/data/parse';
import type { DataRow } from '../../src/lib/data/types';

/** Readable class names for the known datasets (label 1 first); others get positive/negative. */
const CLASS_NAMES: Record<string, [string, string]> = {
  tornberg_uk_party: ['Labour', 'Conservative'],
  ziems_conv_go_awry: ['derails', 'stays civil'],
  ziems_persuasion: ['persuasive', 'not persuasive'],
};
/** Columns holding recorded real LLM answers (0/1, empty = unparseable), in order of preference. */
export const LLM_COLUMNS = ['gpt4_label', 'chatgpt_label'] as const;

export interface ReplayDataset {
  name: string;
  rows: DataRow[];
  /** rowId → the recorded LLM label name, or null when its answer could not be parsed. */
  recorded: Map<string, string | null>;
  llmColumn: string;
  codebook: Codebook;
}

export type DatasetOutcome = { ok: true; dataset: ReplayDataset } | { ok: false; name: string; reason: string };

/** CSV files in `dir` (empty when the folder is missing). */
export function datasetFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => join(dir, f));
}

/** Loads one dataset, or says in one line why it cannot be replayed. */
export async function loadReplayDataset(file: string): Promise<DatasetOutcome> {
  const name = basename(file, '.csv');
  const buf = readFileSync(file);
  const table = await parseFile(new Blob([buf]), basename(file));
  const llmColumn = LLM_COLUMNS.find((c) => table.columns.includes(c));
  if (!table.columns.includes('label')) return { ok: false, name, reason: 'no `label` column (human labels)' };
  if (!llmColumn) return { ok: false, name, reason: 'no recorded LLM labels (`gpt4_label` / `chatgpt_label`)' };
  const labelCol = table.columns.indexOf('label');
  const other = table.rows.find((r) => !['0', '1', ''].includes(r[labelCol]?.trim() ?? ''));
  if (other) return { ok: false, name, reason: `labels are not 0 / 1 (e.g. “${other[labelCol]}”): the replay benches are binary` };
  const [pos, neg] = CLASS_NAMES[name] ?? ['positive', 'negative'];
  const { rows } = applyMapping(table, { text: 'text', id: 'id', label: 'label' }, { labelMap: { '1': pos, '0': neg } });
  const col = table.columns.indexOf(llmColumn);
  const idCol = table.columns.indexOf('id');
  const recorded = new Map<string, string | null>();
  for (const r of table.rows) {
    const v = r[col]?.trim();
    recorded.set(r[idCol], v === '1' ? pos : v === '0' ? neg : null);
  }
  return { ok: true, dataset: { name, rows, recorded, llmColumn, codebook: codebookFor(file, name, pos, neg) } };
}

/** The codebook.md text as the task (the teacher prompt's content does not change replayed answers). */
function codebookFor(file: string, name: string, pos: string, neg: string): Codebook {
  const md = file.replace(/\.csv$/, '.codebook.md');
  const task = existsSync(md) ? readFileSync(md, 'utf8').trim() : `Classify each text of ${name}.`;
  return {
    task,
    instructions: `Answer ${pos} for the positive class (label 1) and ${neg} otherwise.`,
    labels: [
      { name: pos, definition: 'The positive class (label 1) of the original study.' },
      { name: neg, definition: 'Everything else (label 0).' },
    ],
    positive: pos,
    examples: [],
  };
}
