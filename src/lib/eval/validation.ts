// The Validate step's numbers: the teacher scored against the human
// validation sample, the texts to review, and the same metrics for earlier
// codebook versions (rebuilt from the response cache). Pure: rows, labels
// and answers in, plain objects out.
import { metricsWithCI, type MetricCIs } from './bootstrap';
import { computeMetrics, positiveIndex, warnings, type Metrics } from './metrics';
import { consistencyLevels } from './consistency-stats';
import type { DataRow } from '../data/types';
import { confidenceOf, meetsConsistency, type ConfidenceBy } from '../train/training-rows';
import { argmaxRow } from '../train/metrics';
import type { RowLookup } from '../train/row-index';
import { idIndex, idIs } from '../store/packed-ids';
import { STEP_ROWS, runNow, runSliced, type Steps } from '../store/yield';
import type { PredictionsData } from '../store/records';

/** The part of a teacher label (teacher/types.ts TeacherLabel) this reads: its label, the share of answers agreeing, the answers. */
export interface TeacherView {
  label: string | null;
  consistency: number;
  n: number;
}

export interface TeacherScore {
  /** Validation texts with a human label of the codebook. */
  validation: number;
  /** Of those, texts the teacher has answered (scored); a text without a valid answer counts wrong. */
  scored: number;
  metrics: Metrics;
  ci: MetricCIs;
  warnings: string[];
  levels: { value: number; count: number; share: number }[];
}

/**
 * The teacher's metrics with 95% bootstrap CIs on the validation texts it has
 * answered. Null when none is answered yet.
 */
export function scoreTeacher(
  validationIds: readonly string[],
  rowById: RowLookup<DataRow>,
  labels: ReadonlyMap<string, TeacherView>,
  labelNames: readonly string[],
  positive: string | null,
  seed = 1,
): TeacherScore | null {
  const rows = validationIds
    .map((id) => rowById.get(id))
    .filter((r): r is DataRow => !!r && r.human !== null && labelNames.includes(r.human));
  const answered = rows.filter((r) => (labels.get(r.id)?.n ?? 0) > 0);
  if (answered.length === 0) return null;
  const yTrue = answered.map((r) => labelNames.indexOf(r.human!));
  const yPred = answered.map((r) => {
    const l = labels.get(r.id)!.label;
    return l === null ? -1 : labelNames.indexOf(l);
  });
  const pos = positiveIndex(labelNames, positive);
  const { metrics, ci } = metricsWithCI(yTrue, yPred, labelNames.length, pos, { seed });
  return {
    validation: rows.length,
    scored: answered.length,
    metrics,
    ci,
    warnings: warnings(metrics, labelNames).map((w) => w.replaceAll('test', 'validation')),
    levels: consistencyLevels(answered.map((r) => labels.get(r.id)!.consistency)),
  };
}

export type ReviewFilter = 'disagree' | 'low' | 'student' | 'all';

export interface ReviewItem {
  id: string;
  text: string;
  human: string | null;
  teacher: string | null;
  consistency: number | null;
  answers: (string | null)[];
  /** The newest student's label and its probability, when it has labelled this text. */
  student: { label: string; prob: number } | null;
  disagree: boolean;
  low: boolean;
  /** A confident student (prob ≥ CONFIDENT) disagrees with the teacher. */
  studentDisagrees: boolean;
}

export const CONFIDENT = 0.9;

/** Stored corpus predictions of a student (the 'predictions' result's data). */
export type PredictionsView = Pick<PredictionsData, 'labels' | 'ids' | 'probs'>;

/** A student's label and top probability by row id; `at`, the row's place in the corpus, is tried first. */
export interface StudentLookup {
  get(id: string, at?: number): { label: string; prob: number } | undefined;
}

/**
 * Student labels by row id, found by position when the predictions are in
 * the rows' order (labelCorpus stores them so), else through an id map
 * built on the first miss: a million texts need no million-entry map.
 */
export function studentLabels(p: PredictionsView | null): StudentLookup {
  if (!p) return { get: () => undefined };
  const k = p.labels.length;
  const labelOf = (i: number) => {
    const best = argmaxRow(p.probs, k, i);
    return { label: p.labels[best], prob: p.probs[i * k + best] };
  };
  let byId: Map<string, number> | null = null;
  return {
    get(id, at) {
      if (at !== undefined && idIs(p.ids, at, id)) return labelOf(at);
      byId ??= runNow(idIndex(p.ids));
      const i = byId.get(id);
      return i === undefined ? undefined : labelOf(i);
    },
  };
}

/**
 * Review items, in row order: every validation text, plus every other text
 * where a confident student disagrees with the teacher. `lowBelow` marks low
 * consistency. The rows are walked in slices (a million texts).
 */
export function reviewItems(...args: Parameters<typeof reviewItemsSteps>): Promise<ReviewItem[]> {
  return runSliced(reviewItemsSteps(...args));
}

/** reviewItems as a Steps loop (store/yield.ts): the Validate step runs it from an effect (ui/sliced.ts). */
export function* reviewItemsSteps(
  validationIds: readonly string[],
  rows: readonly DataRow[],
  labels: ReadonlyMap<string, TeacherView>,
  answersOf: (id: string) => (string | null)[],
  students: StudentLookup,
  lowBelow: number,
): Steps<ReviewItem[]> {
  const validation = new Set(validationIds);
  const out: ReviewItem[] = [];
  for (let at = 0; at < rows.length; at++) {
    if (at % STEP_ROWS === 0) yield;
    const r = rows[at];
    const t = labels.get(r.id);
    // A student disagrees only with a teacher label: other rows' predictions are not read.
    const s = t || validation.has(r.id) ? (students.get(r.id, at) ?? null) : null;
    const teacherLabel = t?.label ?? null;
    const studentDisagrees = !!s && !!t && s.prob >= CONFIDENT && s.label !== teacherLabel;
    if (!validation.has(r.id) && !studentDisagrees) continue;
    const answered = (t?.n ?? 0) > 0;
    out.push({
      id: r.id,
      text: r.text,
      human: r.human,
      teacher: teacherLabel,
      consistency: answered ? t!.consistency : null,
      answers: answered ? answersOf(r.id) : [],
      student: s,
      disagree: validation.has(r.id) && answered && r.human !== null && teacherLabel !== r.human,
      low: answered && t!.consistency < lowBelow - 1e-9,
      studentDisagrees,
    });
  }
  return out;
}

export function filterItems(items: readonly ReviewItem[], f: ReviewFilter, validationIds: ReadonlySet<string>): ReviewItem[] {
  switch (f) {
    case 'disagree':
      return items.filter((i) => i.disagree);
    case 'low':
      return items.filter((i) => i.low && validationIds.has(i.id));
    case 'student':
      return items.filter((i) => i.studentDisagrees);
    default:
      return items.filter((i) => validationIds.has(i.id));
  }
}

export interface VersionScore {
  version: number;
  createdAt: number;
  scored: number;
  metrics: Metrics | null;
}

/** One codebook version's teacher labels on the validation texts (teacher/version-labels.ts builds them from stored answers). */
export interface VersionLabels {
  version: number;
  createdAt: number;
  names: readonly string[];
  positive: string | null;
  labels: readonly { rowId: string; label: string | null }[];
}

/**
 * Teacher metrics per codebook version on the validation texts, each version
 * scored with its own label names against the human labels of `validationRows`;
 * versions without labels get metrics null.
 */
export function versionScores(versions: readonly VersionLabels[], validationRows: readonly DataRow[]): VersionScore[] {
  const human = new Map(validationRows.map((r) => [r.id, r.human]));
  return versions.map(({ version, createdAt, names, positive, labels }) => {
    const scored = labels.filter((l) => names.includes(human.get(l.rowId) ?? ''));
    if (scored.length === 0) return { version, createdAt, scored: 0, metrics: null };
    const metrics = computeMetrics(
      scored.map((l) => names.indexOf(human.get(l.rowId)!)),
      scored.map((l) => (l.label === null ? -1 : names.indexOf(l.label))),
      names.length,
      positiveIndex(names, positive),
    );
    return { version, createdAt, scored: scored.length, metrics };
  });
}

/**
 * The version table with the active version's row from the live score (the
 * labels as they stream in during a run), the other rows as stored.
 */
export function withLiveScore(versions: readonly VersionScore[], active: number, live: TeacherScore | null): VersionScore[] {
  return versions.map((v) => (v.version === active ? { ...v, scored: live?.scored ?? 0, metrics: live?.metrics ?? null } : v));
}

/** One threshold of the Validate step's confidence sweep. */
export interface ConfidencePoint {
  t: number;
  /** Validation texts whose teacher confidence is ≥ t (of those the teacher answered). */
  kept: number;
  share: number;
  /** The teacher against the human labels on the kept texts; null when none is kept. */
  accuracy: number | null;
  /** Positive-class F1, else macro F1; null when none is kept. */
  f1: number | null;
}

export const VALIDATE_THRESHOLDS: Record<ConfidenceBy, readonly number[]> = {
  consistency: [0.5, 0.6, 0.7, 0.8, 0.9, 1],
  probability: [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99],
};

/**
 * How good the teacher is on the validation texts it is confident about:
 * per threshold t, the answered texts with consistency (or teacher
 * probability) ≥ t — the rule the Train and Compare filters use — and the
 * teacher's accuracy and F1 on them. Shows what a threshold buys and costs
 * before a student is trained on it.
 */
export function confidenceSweep(
  validationIds: readonly string[],
  rowById: RowLookup<DataRow>,
  labels: ReadonlyMap<string, TeacherView & { probability?: number | null }>,
  labelNames: readonly string[],
  positive: string | null,
  by: ConfidenceBy,
  thresholds: readonly number[] = VALIDATE_THRESHOLDS[by],
): ConfidencePoint[] {
  const rows = validationIds
    .map((id) => rowById.get(id))
    .filter((r): r is DataRow => !!r && r.human !== null && labelNames.includes(r.human) && (labels.get(r.id)?.n ?? 0) > 0);
  const pos = positiveIndex(labelNames, positive);
  return thresholds.map((t) => {
    const kept = rows.filter((r) => meetsConsistency(confidenceOf(labels.get(r.id), by), t));
    if (kept.length === 0) return { t, kept: 0, share: 0, accuracy: null, f1: null };
    const m = computeMetrics(
      kept.map((r) => labelNames.indexOf(r.human!)),
      kept.map((r) => {
        const l = labels.get(r.id)!.label;
        return l === null ? -1 : labelNames.indexOf(l);
      }),
      labelNames.length,
      pos,
    );
    return { t, kept: kept.length, share: kept.length / rows.length, accuracy: m.accuracy, f1: m.f1 ?? m.macroF1 };
  });
}
