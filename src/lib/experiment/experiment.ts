// The paper's comparison, planned as data: which students to train on which
// training rows. Pure and seeded, so the same project and seed give the same
// plan. Every training id comes from the training pool: validation and test
// rows can never leak into a student (see experiment.spec.ts).
import { sampleStratifiedSteps } from '../data/split';
import { STEP_ROWS, runNow, type Steps } from '../store/yield';
import { HumanLabels } from '../train/train-set';
import type { RowLookup } from '../train/row-index';
import {
  chooseTrainingRowsSteps,
  keepConfident,
  keepConsistent,
  trainingPool,
  usableLabel,
  type ConfidenceBy,
} from '../train/training-rows';
import type { DataRow, Splits } from '../data/types';
import {
  compareConditions,
  headlines,
  learningCurve,
  thresholdSweep,
  type ComparisonRow,
  type Condition,
  type CurvePoint,
  type Headline,
} from '../eval/compare';

/** What one planned student stands for in the paper's design. */
export type Role =
  | { kind: 'main' } // student on N LLM labels
  | { kind: 'human'; size: number } // student on human labels
  | { kind: 'consistency' } // the paper's ablation: LLM labels with consistency = 1 only
  | { kind: 'baseline' } // TF-IDF features on the main LLM labels
  | { kind: 'sweep'; t: number; by?: 'probability' } // LLM labels with consistency (or teacher probability) ≥ t
  | { kind: 'curve'; n: number }; // learning curve point: n LLM labels

/** One student to train. Roles that need the same training set share one student. */
export interface PlannedStudent {
  /** Stable id from the first role, e.g. 'llm-main', 'human-250', 'sweep-0.7'. */
  id: string;
  /** Display name from the first role, e.g. 'Student on 1000 LLM labels'. */
  name: string;
  trainSource: 'llm' | 'human';
  /** 'encoder' = the project's embedding model; 'tfidf' = the TF-IDF baseline. */
  features: 'encoder' | 'tfidf';
  /** Pool row ids, in row order. */
  trainIds: string[];
  /** Trained only on unanimous LLM labels (the ablation), for the headlines. */
  consistencyFilter: boolean;
  roles: Role[];
}

/** The part of a TeacherLabel the plan reads. */
export interface PlanTeacherLabel {
  label: string | null;
  consistency: number;
  /** The teacher's probability of the label (logprobs), when it gave one. */
  probability?: number | null;
}

export interface PlanInput {
  splits: Splits;
  rows: readonly DataRow[];
  /** rowId → teacher label (majority and consistency). */
  teacher: ReadonlyMap<string, PlanTeacherLabel>;
  /** The codebook's label names; other labels (human or LLM) are not trained on. */
  labelNames: readonly string[];
  /** LLM labels for the main student (default 1000, as in the paper). */
  trainN?: number;
  seed: number;
  /** Human-label training sizes (default [250, 1000]). */
  humanSizes?: readonly number[];
  /** Learning-curve sizes besides "all" (default [100, 250, 500, 1000]). */
  curveSizes?: readonly number[];
  /** Thresholds of the sweep (default SWEEP_THRESHOLDS, or PROBABILITY_THRESHOLDS when sweeping on probability). */
  thresholds?: readonly number[];
  /** What the sweep filters on: consistency of the repeats (the paper), or the teacher's probability from logprobs. */
  sweepBy?: ConfidenceBy;
  /**
   * The training pool's rows and the rows by id, when the caller holds them
   * (the page's app state): not rebuilt over every row. With `byId` the human
   * labels are read through it instead of copied into a Map of the pool (at a
   * million rows ~50 MiB allocated per plan, and the preview plans again on
   * every change of the teacher's labels).
   */
  held?: { pool: readonly DataRow[]; byId?: RowLookup<DataRow> };
}

export interface ExperimentPlan {
  students: PlannedStudent[];
  /** One point per threshold t: training-set size (confidence ≥ t) and its student (null when empty). */
  sweep: { t: number; size: number; studentId: string | null }[];
  /** What the sweep filtered on (consistency when probabilities were asked for but no label has one). */
  sweepBy: ConfidenceBy;
  /** One point per learning-curve size and its student. */
  curve: { n: number; studentId: string }[];
  /** Pool rows with a usable LLM label / human label. */
  llmAvailable: number;
  humanAvailable: number;
  /** Plain-language notes on sizes that were cut or conditions left out. */
  notes: string[];
}

export const PAPER_HUMAN_SIZES = [250, 1000] as const;
export const PAPER_CURVE_SIZES = [100, 250, 500, 1000] as const;
export const SWEEP_THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0] as const;
/** A probability of exactly 1 is rare, so the probability sweep stops short of it. */
export const PROBABILITY_THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99] as const;
/** Smaller training sets than this make no useful learning-curve point. */
const MIN_CURVE_SIZE = 10;

function roleName(role: Role, n: number, t?: number, by?: 'probability'): string {
  switch (role.kind) {
    case 'human':
      return `Student on ${n} human labels`;
    case 'consistency':
      return `Student on ${n} LLM labels with consistency = 1`;
    case 'baseline':
      return `TF-IDF baseline on ${n} LLM labels`;
    case 'sweep':
      return `Student on ${n} LLM labels with ${by === 'probability' ? 'teacher probability' : 'consistency'} ≥ ${t}`;
    default:
      return `Student on ${n} LLM labels`;
  }
}

function roleId(role: Role): string {
  switch (role.kind) {
    case 'main':
      return 'llm-main';
    case 'human':
      return `human-${role.size}`;
    case 'consistency':
      return 'llm-consistent';
    case 'baseline':
      return 'tfidf-llm';
    case 'sweep':
      return role.by === 'probability' ? `sweep-p${role.t}` : `sweep-${role.t}`;
    case 'curve':
      return `curve-${role.n}`;
  }
}

/**
 * Plan the paper's comparison. Training sets follow train/training-rows (the
 * Train step's rule): the main set is a stratified sample of N LLM-labelled
 * pool rows; the consistency subsets filter that sample (so their size shows
 * what the filter costs); learning-curve subsets are drawn from it (or from
 * all labelled pool rows for sizes above N). Students whose training set and
 * features coincide are merged and carry every role.
 */
export function planExperiment(input: PlanInput): ExperimentPlan {
  return runNow(planExperimentSteps(input));
}

/** planExperiment as a Steps loop (store/yield.ts): the Compare step plans over a pool of a million in slices. */
export function* planExperimentSteps(input: PlanInput): Steps<ExperimentPlan> {
  const trainN = Math.max(1, Math.floor(input.trainN ?? 1000));
  const notes: string[] = [];
  const held = input.held;
  // Only pool ids are asked about: with the pool's rows held, the labels of those rows are enough. A Map of
  // them is faster to ask over the plan's several passes than the rows-by-id index, but costs memory.
  const labelled = held?.pool ?? input.rows;
  let human: ReadonlyMap<string, string | null>;
  if (held?.byId) human = new HumanLabels(input.rows, held.byId);
  else {
    const copy = new Map<string, string | null>();
    for (let i = 0; i < labelled.length; i++) {
      copy.set(labelled[i].id, labelled[i].human);
      if (i % STEP_ROWS === 0) yield;
    }
    human = copy;
  }
  const pool = (held?.pool ?? trainingPool(input.rows, input.splits)).map((r) => r.id);
  // Every training set goes through the rule the Train step uses too.
  const rowsFor = (source: 'llm' | 'human', size: number) =>
    chooseTrainingRowsSteps({
      pool,
      human,
      teacher: input.teacher,
      labelNames: input.labelNames,
      source,
      size,
      consistencyMin: null,
      seed: input.seed,
    });

  const students: PlannedStudent[] = [];
  const byKey = new Map<string, PlannedStudent>();
  /** Adds (or merges into) a student; returns its id, or null for an empty training set. */
  const add = (role: Role, source: 'llm' | 'human', features: 'encoder' | 'tfidf', ids: string[]): string | null => {
    if (ids.length === 0) return null;
    const key = `${source}|${features}|${[...ids].sort().join('\u0000')}`;
    const found = byKey.get(key);
    if (found) {
      found.roles.push(role);
      return found.id;
    }
    const s: PlannedStudent = {
      id: roleId(role),
      name: roleName(role, ids.length, role.kind === 'sweep' ? role.t : undefined, role.kind === 'sweep' ? role.by : undefined),
      trainSource: source,
      features,
      trainIds: ids,
      consistencyFilter: role.kind === 'consistency',
      roles: [role],
    };
    byKey.set(key, s);
    students.push(s);
    return s.id;
  };

  const mainRows = yield* rowsFor('llm', trainN);
  const llmAvailable = mainRows.available;
  const main = mainRows.ids;
  if (llmAvailable === 0) notes.push('No training-pool text has an LLM label yet, so no student can be trained on LLM labels.');
  else if (llmAvailable < trainN)
    notes.push(
      `Only ${llmAvailable} training-pool texts have an LLM label, so the main student uses ${llmAvailable} instead of ${trainN}.`,
    );
  add({ kind: 'main' }, 'llm', 'encoder', main);

  const humanLabel = usableLabel({ human, teacher: input.teacher, labelNames: input.labelNames, source: 'human' });
  let humanAvailable = 0;
  for (let i = 0; i < pool.length; i++) {
    if (humanLabel(pool[i]) !== null) humanAvailable++;
    if (i % STEP_ROWS === 0) yield;
  }
  if (humanAvailable === 0) {
    notes.push('No training-pool text has a human label, so there is no student on human labels to compare with.');
  } else {
    const requested = input.humanSizes ?? PAPER_HUMAN_SIZES;
    const sizes = [...new Set(requested.map((s) => Math.min(Math.floor(s), humanAvailable)))];
    if (requested.some((s) => s > humanAvailable)) {
      notes.push(`The training pool has ${humanAvailable} human-labelled texts, so human-label students use at most ${humanAvailable}.`);
    }
    for (const size of sizes.filter((s) => s > 0)) add({ kind: 'human', size }, 'human', 'encoder', (yield* rowsFor('human', size)).ids);
  }

  // The consistency subsets filter the main sample: chooseTrainingRows with a
  // threshold, without drawing the same sample once per threshold.
  const unanimous = keepConsistent(mainRows, input.teacher, 1).ids;
  if (main.length > 0 && unanimous.length === 0)
    notes.push('No LLM label is unanimous (consistency = 1), so the consistency ablation is left out.');
  if (main.length > 0 && unanimous.length === main.length) {
    notes.push(
      'Every LLM label is unanimous (consistency = 1; with one answer per text it always is), so the consistency filter changes nothing.',
    );
  }
  add({ kind: 'consistency' }, 'llm', 'encoder', unanimous);
  add({ kind: 'baseline' }, 'llm', 'tfidf', main);

  // The sweep filters the main sample too, on consistency (the paper) or on the teacher's probability.
  let sweepBy: ConfidenceBy = input.sweepBy ?? 'consistency';
  if (sweepBy === 'probability' && main.length > 0 && !main.some((id) => input.teacher.get(id)?.probability != null)) {
    notes.push(
      'No LLM label of the training sample has a teacher probability (the server gave no logprobs), so the threshold sweep uses consistency.',
    );
    sweepBy = 'consistency';
  }
  const sweep: ExperimentPlan['sweep'] = [];
  for (const t of input.thresholds ?? (sweepBy === 'probability' ? PROBABILITY_THRESHOLDS : SWEEP_THRESHOLDS)) {
    const ids = keepConfident(mainRows, input.teacher, sweepBy, t).ids;
    const role: Role = sweepBy === 'probability' ? { kind: 'sweep', t, by: 'probability' } : { kind: 'sweep', t };
    sweep.push({ t, size: ids.length, studentId: add(role, 'llm', 'encoder', ids) });
  }

  // Curve points below N are nested in the main sample; above N, fresh samples of the pool.
  const curve: ExperimentPlan['curve'] = [];
  for (const n of curveSizes(input.curveSizes ?? PAPER_CURVE_SIZES, llmAvailable)) {
    const ids =
      n === main.length
        ? main
        : n < main.length
          ? yield* sampleStratifiedSteps(
              main,
              main.map((id) => mainRows.labelOf(id)!),
              n,
              input.seed,
            )
          : (yield* rowsFor('llm', n)).ids;
    curve.push({ n, studentId: add({ kind: 'curve', n }, 'llm', 'encoder', ids)! });
  }

  return { students, sweep, sweepBy, curve, llmAvailable, humanAvailable, notes };
}

/**
 * Learning-curve sizes: the requested sizes below `available`, plus all of
 * them. On a small pool that leaves one or two points, so a quarter and a
 * half of the pool are added (when at least MIN_CURVE_SIZE texts).
 */
export function curveSizes(requested: readonly number[], available: number): number[] {
  if (available <= 0) return [];
  const out = new Set(requested.map(Math.floor).filter((n) => n >= 1 && n < available));
  out.add(available);
  if (out.size < 3) {
    for (const f of [0.25, 0.5]) {
      const n = Math.round(available * f);
      if (n >= MIN_CURVE_SIZE && n < available) out.add(n);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** Predictions of one trained condition on the test rows (class indices; -1 = no answer). */
export interface ScoredPreds {
  preds: Int32Array;
  backend: string | null;
  encoder: string | null;
  trainSize: number | null;
  /** Class probabilities on the test rows (n × classes), for the AUC. */
  probs?: Float32Array;
  /** The student's degenerate-student warnings from its training (no usable signal, near-constant). */
  degenerate?: string[];
  /** The decision rule it deployed, in words (linear head only). */
  decision?: string;
}

export interface ScoreInput {
  plan: ExperimentPlan;
  /** True class index per test row. */
  yTrue: Int32Array;
  labelNames: readonly string[];
  /** Positive class index, or null for multi-class tasks. */
  positive: number | null;
  /** The LLM few-shot condition on the same test rows, if scored. */
  teacher: (ScoredPreds & { name: string }) | null;
  /** Predictions per planned student id; students missing here were not trained. */
  students: ReadonlyMap<string, ScoredPreds>;
  seed: number;
  /** The teacher's majority label: with it the table gains the baselines "always the majority label" and "always the positive class". */
  majority?: number | null;
}

/** A table row with the roles its student plays in the design. */
export type ResultRow = ComparisonRow & { roles: Role[] };

export interface SweepResult {
  t: number;
  size: number;
  f1: number | null;
  lo: number | null;
  hi: number | null;
  precision: number | null;
  recall: number | null;
}

export interface ScoredExperiment {
  rows: ResultRow[];
  headlines: Headline[];
  curve: CurvePoint[];
  sweep: SweepResult[];
  /** What the sweep filtered on; absent in comparisons saved before it could be probability. */
  sweepBy?: ConfidenceBy;
  /** Horizontal reference lines for the learning curve: the teacher and the human-label students. */
  references: { label: string; value: number }[];
}

/**
 * Scores every trained condition on the same test rows (same bootstrap seed,
 * so intervals are comparable), writes the headline findings for the paper's
 * conditions, and shapes the learning-curve and sweep points for the charts.
 */
export function scoreExperiment(input: ScoreInput): ScoredExperiment {
  return runNow(scoreExperimentSteps(input));
}

/**
 * scoreExperiment as a Steps loop (store/yield.ts): one bootstrap per step (a
 * condition's row, then the headlines, the curve, the sweep), so the Compare
 * step's scoring gives the page back between them (all at once it was a
 * 230 ms task). Each bootstrap seeds its own resamples, so the answer is the same.
 */
export function* scoreExperimentSteps(input: ScoreInput): Steps<ScoredExperiment> {
  const { plan, yTrue, labelNames, positive, seed } = input;
  const k = labelNames.length;
  const opts = { seed, labelNames };
  const conditions: (Condition & { roles: Role[] })[] = [];
  if (input.teacher) {
    const t = input.teacher;
    conditions.push({
      id: 'teacher',
      name: t.name,
      kind: 'teacher',
      trainSource: null,
      trainSize: null,
      encoder: t.encoder,
      backend: t.backend,
      preds: t.preds,
      roles: [],
    });
  }
  for (const s of plan.students) {
    const p = input.students.get(s.id);
    if (!p) continue;
    conditions.push({
      id: s.id,
      name: s.name,
      kind: 'student',
      trainSource: s.trainSource,
      trainSize: p.trainSize ?? s.trainIds.length,
      encoder: p.encoder,
      backend: p.backend,
      consistencyFilter: s.consistencyFilter,
      preds: p.preds,
      ...(p.probs ? { probs: p.probs } : {}),
      ...(p.degenerate?.length ? { degenerate: p.degenerate } : {}),
      ...(p.decision ? { decision: p.decision } : {}),
      roles: s.roles,
    });
  }
  // Trivial baselines beside them, so a student no better than a constant shows as such.
  const constant = (id: string, name: string, c: number) =>
    conditions.push({
      id,
      name,
      kind: 'baseline',
      trainSource: null,
      trainSize: null,
      encoder: null,
      backend: null,
      preds: new Int32Array(yTrue.length).fill(c),
      roles: [],
    });
  if (input.majority != null) {
    constant('always-majority', `Always the majority label (“${labelNames[input.majority]}”)`, input.majority);
    if (positive !== null && positive !== input.majority) constant('always-positive', `Always “${labelNames[positive]}”`, positive);
  }
  const rows: ResultRow[] = [];
  for (const c of conditions) {
    rows.push({ ...compareConditions(yTrue, [c], k, positive, opts)[0], roles: c.roles });
    yield;
  }
  const primary = conditions.filter((c) => c.kind === 'teacher' || c.roles.some((r) => PRIMARY.has(r.kind)));
  const heads = headlines(rows, yTrue, primary, k, positive, { seed, labelNames });
  yield;

  const predsOf = new Map(conditions.map((c) => [c.id, c.preds]));
  const curve = learningCurve(
    yTrue,
    plan.curve.filter((p) => predsOf.has(p.studentId)).map((p) => ({ x: p.n, preds: predsOf.get(p.studentId)!, series: 'LLM labels' })),
    k,
    positive,
    { seed },
  );
  yield;
  const scoredSweep = thresholdSweep(
    yTrue,
    plan.sweep.filter((p) => p.studentId !== null && predsOf.has(p.studentId)).map((p) => ({ x: p.t, preds: predsOf.get(p.studentId!)! })),
    k,
    positive,
    { seed },
  );
  const sweep = plan.sweep.map((p): SweepResult => {
    const s = scoredSweep.find((q) => q.x === p.t);
    return {
      t: p.t,
      size: p.size,
      f1: s?.f1 ?? null,
      lo: s?.lo ?? null,
      hi: s?.hi ?? null,
      precision: s?.precision ?? null,
      recall: s?.recall ?? null,
    };
  });
  const references = rows
    .filter((r) => r.kind === 'teacher' || r.trainSource === 'human')
    .map((r) => ({
      label: r.kind === 'teacher' ? 'LLM few-shot' : `Human labels (${r.trainSize})`,
      value: r.metrics.f1 ?? r.metrics.macroF1,
    }));
  return { rows, headlines: heads, curve, sweep, sweepBy: plan.sweepBy, references };
}

const PRIMARY = new Set<Role['kind']>(['main', 'human', 'consistency', 'baseline']);
