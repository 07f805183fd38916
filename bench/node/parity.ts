// Benchmark `parity`: the app's student against scikit-learn on the same
// rows. For each dataset × seed this plans the training sets as the app's
// Compare step does (paperSplits → planExperiment, the recorded LLM answer as
// the teacher label), trains the app's default student (TF-IDF fitted on the
// training pool → searchLinear) on the main LLM-label set and on the largest
// human-label set, and scores both on the human test split. The same rows go
// to bench/python/parity.py (as JSON) for the scikit-learn references.
import type { DataRow } from '../../src/lib/data/types';
import { fitTfidf, transformTfidfSparse } from '../../src/lib/embed/tfidf';
import { aucOf } from '../../src/lib/eval/auc';
import { computeMetrics } from '../../src/lib/eval/metrics';
import { planExperiment, type PlanTeacherLabel } from '../../src/lib/experiment/experiment';
import { predictLinear } from '../../src/lib/train/linear';
import type { DecisionRule } from '../../src/lib/train/decision';
import { searchLinear, type Deploy, type SelectionScore } from '../../src/lib/train/linear-search';
import { argmaxRows } from '../../src/lib/train/metrics';
import type { ReplayDataset } from './datasets';
import { paperSplits } from './quality';

export type ParitySource = 'llm' | 'human';

export interface ParityStudent {
  /** `${dataset}|${seed}|${source}`: joins the app's and scikit-learn's results. */
  key: string;
  source: ParitySource;
  /** The plan's student name, e.g. "Student on 250 LLM labels". */
  name: string;
  /** Training-pool ids, as planExperiment chose them. */
  trainIds: string[];
  /** The training label (codebook label name) of each trainId: the LLM's or the human's. */
  trainLabels: string[];
}

export interface ParitySplit {
  dataset: string;
  llmColumn: string;
  seed: number;
  labelNames: string[];
  positive: string;
  poolIds: string[];
  testIds: string[];
  splitNotes: string[];
  planNotes: string[];
  students: ParityStudent[];
}

/** One case as bench/python/parity.py reads it: y is 1 for the positive class, 0 otherwise. */
export interface PythonCase {
  key: string;
  dataset: string;
  seed: number;
  source: ParitySource;
  /** Cases with the same poolKey share one training pool (and one fitted vectorizer). */
  poolKey: string;
  pool: { texts: string[] };
  train: { ids: string[]; texts: string[]; y: number[] };
  test: { ids: string[]; texts: string[]; y: number[] };
}

/** The figures every bench reports for a classifier on the human test rows (issue 26: never F1 of one class alone). */
export interface TestFigures {
  f1: number;
  precision: number;
  recall: number;
  macroF1: number;
  accuracy: number;
  kappa: number | null;
  /** Null without probabilities (the teacher's recorded labels). */
  auc: number | null;
  /** Share of test rows predicted positive. */
  positiveRate: number;
}

export function testFigures(
  yTrue: Int32Array,
  pred: ArrayLike<number>,
  nClasses: number,
  positive: number,
  probs?: Float32Array,
): TestFigures {
  const m = computeMetrics(yTrue, pred, nClasses, positive);
  return {
    f1: m.f1 ?? 0,
    precision: m.precision ?? 0,
    recall: m.recall ?? 0,
    macroF1: m.macroF1,
    accuracy: m.accuracy,
    kappa: m.kappa,
    auc: probs ? aucOf(yTrue, probs, nClasses, positive) : null,
    positiveRate: m.predictedPositiveRate ?? 0,
  };
}

export interface AppResult extends TestFigures {
  key: string;
  dataset: string;
  seed: number;
  source: ParitySource;
  trainN: number;
  testN: number;
  /** Share of test rows truly positive. */
  truePositiveRate: number;
  /** Share of training labels that are positive. */
  trainPositiveRate: number;
  /** The teacher (its recorded labels) on the same test rows; an unparseable answer counts wrong. */
  teacher: TestFigures;
  /** The trivial baselines on the same rows: always the training majority label, always the positive class. */
  majority: TestFigures;
  alwaysPositive: TestFigures;
  /** Share of the training labels' positive class predicted out of fold (the student as it labels unseen texts). */
  oofPositiveRate: number | null;
  /** The recorded decision rule and the search's own diagnostics, when the search reports them. */
  decision: string | null;
  /** The fold models' mean or a refit on all rows. */
  deploy: string;
  warnings: string[];
  C: number;
  classWeight: string;
  cvF1: number | null;
  folds: number;
  note: string | null;
  unconverged: number;
  features: number;
  ms: number;
}

/** Splits and the app's training sets for one dataset and seed (no training yet). */
export function planParity(d: ReplayDataset, seed: number): ParitySplit {
  const labelNames = d.codebook.labels.map((l) => l.name);
  const { splits, notes: splitNotes } = paperSplits(d.rows, seed);
  // The recorded answer is the teacher's label; one answer per text, so consistency 1.
  // A recorded answer that could not be parsed leaves the row without an LLM label.
  const teacher = new Map<string, PlanTeacherLabel>();
  for (const id of splits.pool) {
    const rec = d.recorded.get(id);
    if (rec) teacher.set(id, { label: rec, consistency: 1 });
  }
  const plan = planExperiment({ splits, rows: d.rows, teacher, labelNames, seed, humanSizes: [250, 1000] });
  const main = plan.students.find((s) => s.roles.some((r) => r.kind === 'main'));
  const human = plan.students
    .filter((s) => s.roles.some((r) => r.kind === 'human'))
    .sort((a, b) => b.trainIds.length - a.trainIds.length)[0];
  const byId = new Map(d.rows.map((r) => [r.id, r]));
  const students: ParityStudent[] = [];
  const add = (
    source: ParitySource,
    s: { name: string; trainIds: string[] } | undefined,
    labelOf: (id: string) => string | null | undefined,
  ) => {
    if (!s) return;
    const ids = s.trainIds.filter((id) => labelOf(id) != null);
    students.push({ key: `${d.name}|${seed}|${source}`, source, name: s.name, trainIds: ids, trainLabels: ids.map((id) => labelOf(id)!) });
  };
  add('llm', main, (id) => teacher.get(id)?.label);
  add('human', human, (id) => byId.get(id)?.human);
  return {
    dataset: d.name,
    llmColumn: d.llmColumn,
    seed,
    labelNames,
    positive: d.codebook.positive!,
    poolIds: splits.pool,
    testIds: splits.test,
    splitNotes,
    planNotes: plan.notes,
    students,
  };
}

/** The split's cases with texts and 0/1 labels, for parity.py. */
export function pythonCases(split: ParitySplit, d: ReplayDataset): PythonCase[] {
  const byId = new Map(d.rows.map((r) => [r.id, r]));
  const text = (id: string) => byId.get(id)!.text;
  const bin = (label: string | null) => (label === split.positive ? 1 : 0);
  const poolKey = `${split.dataset}|${split.seed}`;
  const pool = { texts: split.poolIds.map(text) };
  const test = { ids: split.testIds, texts: split.testIds.map(text), y: split.testIds.map((id) => bin(byId.get(id)!.human)) };
  return split.students.map((s) => ({
    key: s.key,
    dataset: split.dataset,
    seed: split.seed,
    source: s.source,
    poolKey,
    pool,
    train: { ids: s.trainIds, texts: s.trainIds.map(text), y: s.trainLabels.map(bin) },
    test,
  }));
}

/** Trains the app's default student for each of the split's training sets and scores it on the human test rows. */
export async function appStudents(split: ParitySplit, d: ReplayDataset): Promise<AppResult[]> {
  const byId = new Map(d.rows.map((r) => [r.id, r]));
  const rowsOf = (ids: string[]): DataRow[] => ids.map((id) => byId.get(id)!);
  const nClasses = split.labelNames.length;
  const positive = split.labelNames.indexOf(split.positive);
  // TF-IDF is fitted on the training pool only, as the app's embedder does.
  const model = fitTfidf(rowsOf(split.poolIds).map((r) => r.text));
  const testRows = rowsOf(split.testIds);
  const testX = transformTfidfSparse(
    model,
    testRows.map((r) => r.text),
  );
  const yTrue = Int32Array.from(testRows, (r) => split.labelNames.indexOf(r.human!));
  const teacher = testFigures(
    yTrue,
    testRows.map((r) => split.labelNames.indexOf(d.recorded.get(r.id) ?? '')),
    nClasses,
    positive,
  );
  const constant = (c: number) => testFigures(yTrue, new Int32Array(yTrue.length).fill(c), nClasses, positive);
  const out: AppResult[] = [];
  // PARITY_SOURCES=llm trains only the LLM-label students (a busy machine).
  const sources = process.env.PARITY_SOURCES?.split(',');
  for (const s of split.students) {
    if (sources && !sources.includes(s.source)) continue;
    const t0 = performance.now();
    const X = transformTfidfSparse(
      model,
      rowsOf(s.trainIds).map((r) => r.text),
    );
    const y = Int32Array.from(s.trainLabels, (l) => split.labelNames.indexOf(l));
    const res = await searchLinear({
      X,
      y,
      nClasses,
      positive,
      seed: split.seed,
      labelNames: split.labelNames,
      // PARITY_DECISION=shares|f1|argmax and PARITY_SCORE=logloss|macroF1 run the other choices (defaults: the app's).
      ...(process.env.PARITY_DECISION ? { decision: process.env.PARITY_DECISION as DecisionRule } : {}),
      ...(process.env.PARITY_SCORE ? { score: process.env.PARITY_SCORE as SelectionScore } : {}),
      ...(process.env.PARITY_DEPLOY ? { deploy: process.env.PARITY_DEPLOY as Deploy } : {}),
    });
    const probs = predictLinear(res.final.head, testX);
    const pred = argmaxRows(probs, nClasses);
    const best = res.scores.find((q) => q.C === res.best.C && q.classWeight === res.best.classWeight);
    const counts = new Array<number>(nClasses).fill(0);
    for (const v of y) counts[v]++;
    const oof = Array.from(res.oofPreds).filter((v) => v >= 0);
    out.push({
      key: s.key,
      dataset: split.dataset,
      seed: split.seed,
      source: s.source,
      trainN: s.trainIds.length,
      testN: testRows.length,
      ...testFigures(yTrue, pred, nClasses, positive, probs),
      truePositiveRate: yTrue.filter((v) => v === positive).length / Math.max(1, yTrue.length),
      teacher,
      majority: constant(counts.indexOf(Math.max(...counts))),
      alwaysPositive: constant(positive),
      oofPositiveRate: oof.length ? oof.filter((v) => v === positive).length / oof.length : null,
      decision: res.decision.applied,
      deploy: res.deploy,
      warnings: res.warnings,
      trainPositiveRate: s.trainLabels.filter((l) => l === split.positive).length / Math.max(1, s.trainLabels.length),
      C: res.best.C,
      classWeight: res.best.classWeight,
      cvF1: best ? best.f1 : null,
      folds: res.folds,
      note: res.note,
      unconverged: res.scores.reduce((n, q) => n + q.unconverged, 0) + (res.final.converged ? 0 : 1),
      features: model.dim,
      ms: performance.now() - t0,
    });
  }
  return out;
}
