// The Export step's inputs, assembled from the project's state. Pure: the
// component gathers rows, teacher labels, stored predictions and the last
// comparison, and these functions shape them for eval/report.
import type { CorpusItem, RunDescription } from '$lib/eval/report';
import { studentColumns, type CorpusSource } from '$lib/eval/corpus-export';
import type { PredictionsView } from '$lib/eval/validation';
import type { DataRow } from '$lib/data/types';
import type { TeacherLabel } from '$lib/teacher/types';
import type { ComparisonData } from '$lib/state/compare.svelte';
import { dtypeOfFeatureKey } from '$lib/embed/keys';
import type { SelectionDescription } from '$lib/eval/methods';

/**
 * The corpus read one row at a time: human label, every LLM answer, majority
 * and consistency, and the student's label with the probability it gave that
 * label (from `predictions`, null where it has not labelled the row; found by
 * studentColumns when the source is prepared). Nothing is built per row.
 */
export function corpusSource(
  rows: readonly DataRow[],
  labels: ReadonlyMap<string, Pick<TeacherLabel, 'label' | 'consistency' | 'n'>>,
  answersOf: (id: string) => (string | null)[],
  predictions: PredictionsView | null,
): CorpusSource {
  const student = predictions && studentColumns(predictions, rows);
  // Answer columns: the most repeats any row has (n counts a row's answers, as answersOf returns them).
  let repeats = 0;
  for (const t of labels.values()) repeats = Math.max(repeats, t.n);
  return {
    length: rows.length,
    repeats,
    prepare: async (slicer) => student?.prepare(slicer),
    item(index: number): CorpusItem {
      const r = rows[index];
      const t = labels.get(r.id);
      const answered = (t?.n ?? 0) > 0;
      const s = student?.of(index);
      return {
        id: r.id,
        text: r.text,
        human: r.human,
        answers: answered ? answersOf(r.id) : [],
        majority: t?.label ?? null,
        consistency: answered ? t!.consistency : null,
        studentProb: s?.prob ?? null,
        studentLabel: s?.label ?? null,
      };
    },
  };
}

/** Every corpus item at once (small corpora, tests); the Export step streams corpusSource instead. */
export async function corpusItems(...args: Parameters<typeof corpusSource>): Promise<CorpusItem[]> {
  const src = corpusSource(...args);
  await src.prepare?.();
  return Array.from({ length: src.length }, (_, i) => src.item(i));
}

/** What the methods paragraph needs from outside the comparison: the run's facts as the settings and the stored answers give them. */
export interface MethodsContext extends Pick<
  RunDescription,
  'teacherModel' | 'promptTemplate' | 'repeats' | 'temperature' | 'validationN' | 'testN' | 'trainN' | 'encoder' | 'dtype'
> {
  endpoint: string;
  /** When the newest stored LLM answer arrived (epoch ms), or null. */
  labelledAt: number | null;
  codebookVersion: number | null;
  embedBackend: string;
  /** The main student's chosen configuration and backend, when one was trained. */
  main: ChosenHead | null;
}

/** A trained student's facts the paragraph states: its configuration and how it was chosen. */
export type ChosenHead = Pick<ComparisonData['students'][number], 'best' | 'backend' | 'trainSize' | 'search' | 'selection'>;

/** How a student's configuration was chosen, in the methods paragraph's terms (undefined: not recorded). */
export function selectionOf(s: ChosenHead): SelectionDescription | undefined {
  if (s.best.kind === 'linear' && s.search) {
    const { folds, Cs, classWeights, chosen, note, calibration, score, decision, deploy } = s.search;
    return {
      kind: 'cv-linear',
      folds,
      Cs,
      classWeights,
      chosen,
      calibrated: !!calibration,
      ...(note ? { note } : {}),
      ...(deploy ? { deploy } : {}),
      ...(score && decision ? { score, decision: { rule: decision.rule, applied: decision.applied, fallback: decision.fallback } } : {}),
    };
  }
  return s.selection;
}

function host(url: string): string {
  if (url.startsWith('local:')) return url; // the in-browser teacher's name, not a URL
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The dtype of a feature key's sentence vectors (sentence or hybrid keys), 'TF-IDF' for TF-IDF, else 'default'. */
export function dtypeOfKey(key: string): string {
  return dtypeOfFeatureKey(key) ?? (key.startsWith('tfidf') ? 'TF-IDF' : 'default');
}

/** The RunDescription for eval methodsParagraph, preferring the last comparison's facts. */
export function runDescription(ctx: MethodsContext, cmp: ComparisonData | null): RunDescription {
  const main = cmp?.students.find((s) => s.id === 'llm-main') ?? null;
  const chosen = main ?? ctx.main;
  const best = chosen?.best;
  return {
    teacherModel: cmp?.run.teacherModel ?? ctx.teacherModel,
    endpointHost: host(cmp?.run.endpoint ?? ctx.endpoint),
    date: ctx.labelledAt === null ? 'an unrecorded date' : new Date(ctx.labelledAt),
    codebookVersion: cmp?.run.codebookVersion ?? ctx.codebookVersion ?? 'unsaved',
    promptTemplate: ctx.promptTemplate,
    repeats: cmp?.run.repeats ?? ctx.repeats,
    temperature: ctx.temperature,
    validationN: cmp?.run.validationN ?? ctx.validationN,
    testN: cmp?.run.testN ?? ctx.testN,
    trainN: chosen?.trainSize ?? ctx.trainN,
    encoder: cmp?.run.encoder ?? ctx.encoder,
    dtype: cmp ? dtypeOfKey(cmp.run.embeddingKey) : ctx.dtype,
    head: best
      ? {
          kind: best.kind,
          hidden: best.hidden,
          dropout: best.dropout,
          l2: best.l2,
          classWeights: best.classWeights,
          patience: best.patience,
          monitor: best.monitor,
        }
      : {},
    ...(best && best.kind !== 'linear' ? { chosen: { lr: best.lr, batchSize: best.batchSize, epochs: best.epochs } } : {}),
    ...(chosen && selectionOf(chosen) ? { selection: selectionOf(chosen) } : {}),
    backends: { embed: cmp?.run.embedDevice ?? ctx.embedBackend, train: chosen?.backend ?? 'unknown' },
    ...(cmp ? { results: cmp.rows } : {}),
  };
}
