// The paper's experiment in one click: plan the conditions (experiment.ts),
// embed the texts, train one student per distinct training set, predict the
// human test set, score everything with bootstrap CIs, and save the result so
// a reload shows the last comparison.
import * as store from '../store';
import type { ComparisonData, ComparisonRun, GridChoice } from '../store';
import type { DataRow } from '../data/types';
import { DEFAULT_GRID, type Grid } from '../train/grid-defaults';
import { app, errorText, onProjectOpen } from './app.svelte';
import { stepFacts } from './facts.svelte';
import { embedder, type Embedded } from './embedder.svelte';
import { student, type TrainedStudent } from './student.svelte';
import { teacher } from './teacher.svelte';
import { compareShares, shareWarning, validationPrior } from '../train/shares';
import { decisionText } from '../train/decision';
import { planExperimentSteps, scoreExperimentSteps, type PlanInput, type PlannedStudent, type ScoredPreds } from '../experiment/experiment';
import type { EncoderSettings } from '../project/settings';
import type { ConfidenceBy } from '../train/training-rows';
import { filterSliced, runSliced } from '../store/yield';
import { encoderText } from '../embed/presets';
import { TFIDF_MAX_FIT_TEXTS } from '../embed/tfidf';
import { argmaxRows } from '../train/metrics';
import { positiveIndex } from '../eval/metrics';
import { etaMs } from '../ui/eta';

/** 'paper': the paper's learning-rate × batch-size search; 'quick': one configuration, for a first look. */
export const GRIDS: Record<GridChoice, Grid> = {
  paper: DEFAULT_GRID,
  quick: { lr: [3e-3], batchSize: [16], epochs: [30] },
};

// The stored shapes (store/records.ts), under the names the views import.
export type { ComparisonData, ComparisonRun, GridChoice };

export interface CompareProgress {
  done: number;
  total: number;
  current: string;
  etaMs: number | null;
}

export class ComparisonCancelledError extends Error {
  override name = 'ComparisonCancelledError';
  constructor() {
    super('The comparison was cancelled.');
  }
}

export class CompareState {
  status = $state<'idle' | 'running' | 'done' | 'error' | 'cancelled'>('idle');
  progress = $state<CompareProgress | null>(null);
  error = $state<string | null>(null);
  result = $state.raw<ComparisonData | null>(null);
  grid = $state<GridChoice>('paper');
  /** What the threshold sweep filters on: consistency (the paper) or the teacher's probability (logprobs). */
  sweepBy = $state<ConfidenceBy>('consistency');
  /** Comparisons stored for the open project (the stepper's count). */
  saved = $state(0);
  #cancelled = false;

  /** Back to a fresh page's state (tests): no result, no run, the paper's grid. */
  reset(): void {
    this.#cancelled = false;
    this.status = 'idle';
    this.progress = this.error = this.result = null;
    this.grid = 'paper';
    this.sweepBy = 'consistency';
    this.saved = 0;
  }

  /** What must exist before a comparison can run, in words (empty = ready). */
  get problems(): string[] {
    const out: string[] = [];
    if (!app.project || app.rows.length === 0) return ['Import a dataset first.'];
    if (!app.activeVersion) out.push('Save a codebook first.');
    if (!app.splits || app.splits.test.length === 0)
      out.push('A human-labelled test set is needed (human labels and a split on the Data step).');
    if (teacher.labels.size === 0) out.push('Label texts with the teacher first.');
    return out;
  }

  /** Loads the newest saved comparison of the open project. */
  async load(): Promise<void> {
    const project = app.project;
    if (!project) {
      this.result = null;
      this.saved = 0;
      return;
    }
    const saved = await store.latestComparison(project.id);
    if (app.project?.id !== project.id) return;
    this.result = saved?.result.data ?? null;
    this.saved = saved?.count ?? 0;
  }

  cancel(): void {
    this.#cancelled = true;
    student.cancel();
    embedder.cancel();
  }

  #check(): void {
    if (this.#cancelled) throw new ComparisonCancelledError();
  }

  /** Runs the whole comparison; the result lands in `result` and the store. */
  async run(): Promise<void> {
    if (this.status === 'running') return;
    const problems = this.problems;
    if (problems.length) {
      this.error = problems.join(' ');
      return;
    }
    this.status = 'running';
    this.error = null;
    this.#cancelled = false;
    try {
      this.result = await this.#run();
      this.status = 'done';
      await this.load();
    } catch (e) {
      const cancelled = this.#cancelled || e instanceof ComparisonCancelledError;
      this.status = cancelled ? 'cancelled' : 'error';
      this.error = cancelled ? null : errorText(e);
    } finally {
      this.progress = null;
    }
  }

  async #run(): Promise<ComparisonData> {
    const startedAt = Date.now();
    const project = app.project!;
    const splits = app.splits!;
    const version = app.activeVersion!;
    const s = app.projectSettings;
    const cb = version.codebook;
    const labelNames = cb.labels.map((l) => l.name);
    const k = labelNames.length;
    const positive = cb.positive !== null && labelNames.includes(cb.positive) ? cb.positive : null;
    const posIdx = positiveIndex(labelNames, positive);
    const rowById = app.rowById;
    const labels = teacher.labels;

    // The preview's plan, drawn again in slices: the pool can be a million rows.
    const plan = await runSliced(planExperimentSteps(currentPlanInput()!));
    const notes = [...plan.notes];
    const enc: EncoderSettings = $state.snapshot(s.encoder) as EncoderSettings;
    if (enc.kind === 'tfidf') {
      // The project's encoder already is TF-IDF: the baseline would repeat the main student.
      plan.students = plan.students.filter((p) => p.features === 'encoder');
      notes.push('The project encoder is TF-IDF, so the separate TF-IDF baseline is left out.');
    } else if (app.pool.length > TFIDF_MAX_FIT_TEXTS && plan.students.some((p) => p.features === 'tfidf')) {
      // TF-IDF is fitted on the whole pool, which the browser can count only up to a size: the rest of the comparison still runs.
      plan.students = plan.students.filter((p) => p.features === 'encoder');
      notes.push(
        `The training pool has ${app.pool.length.toLocaleString('en-US')} texts, more than TF-IDF can be fitted on in the browser ` +
          `(${TFIDF_MAX_FIT_TEXTS.toLocaleString('en-US')}), so the TF-IDF baseline is left out.`,
      );
    }

    const testRows = splits.test
      .map((id) => rowById.get(id))
      .filter((r): r is DataRow => !!r && r.human !== null && labelNames.includes(r.human));
    if (testRows.length < splits.test.length)
      notes.push(`${splits.test.length - testRows.length} test texts have a human label outside the codebook and are not scored.`);
    if (testRows.length === 0) throw new Error('No test text has a human label that is one of the codebook labels.');
    const testIds = testRows.map((r) => r.id);
    const yTrue = Int32Array.from(testRows, (r) => labelNames.indexOf(r.human!));

    const total = plan.students.length + 1;
    const step = (done: number, current: string) => {
      this.progress = { done, total, current, etaMs: etaMs(startedAt, done, total) };
    };

    // Features: the project's encoder for the students, TF-IDF (fitted on the pool) for the baseline.
    step(0, 'Embedding the training and test texts');
    // In row order, found in slices (a million rows).
    const rowsFor = async (pred: (p: PlannedStudent) => boolean) => {
      const ids = new Set(testIds);
      for (const p of plan.students) if (pred(p)) for (const id of p.trainIds) ids.add(id);
      return filterSliced(app.rows, (r) => ids.has(r.id));
    };
    const features = new Map<'encoder' | 'tfidf', Embedded>();
    // TF-IDF columns (the baseline's, and a hybrid encoder's) are fitted on the training pool only.
    const pool = app.pool;
    if (plan.students.some((p) => p.features === 'encoder'))
      features.set('encoder', await embedder.ensure(await rowsFor((p) => p.features === 'encoder'), enc, pool));
    const embedDevice = embedder.device; // before the TF-IDF run overwrites it
    this.#check();
    if (plan.students.some((p) => p.features === 'tfidf')) {
      features.set('tfidf', await embedder.ensure(await rowsFor((p) => p.features === 'tfidf'), { ...enc, kind: 'tfidf' }, pool));
    }
    this.#check();

    const teacherPreds = Int32Array.from(testIds, (id) => {
      const l = labels.get(id)?.label;
      return l == null ? -1 : labelNames.indexOf(l); // -1 (and unknown labels) count as wrong
    });
    const teacherMissing = teacherPreds.filter((p) => p < 0).length;
    // The share check compares with the teacher where it labelled the test texts, else with the human labels.
    const shareRef =
      teacherMissing < testIds.length ? { preds: teacherPreds, name: 'the teacher' } : { preds: yTrue, name: 'the human labels' };
    const shareOn = `on the ${testIds.length.toLocaleString('en-US')} test texts`;

    // The 'prior' rule's prevalence: the validation split's human labels (the test split stays locked).
    const prior = validationPrior(splits.validation, (id) => rowById.get(id)?.human, labelNames);
    const preds = new Map<string, ScoredPreds>();
    const trained: ComparisonData['students'] = [];
    for (const [i, p] of plan.students.entries()) {
      step(i + 1, `Training “${p.name}” (${i + 1} of ${plan.students.length})`);
      const X = features.get(p.features)!;
      let model: TrainedStudent;
      try {
        model = await student.train({
          name: p.name,
          trainSource: p.trainSource,
          X,
          trainIds: p.trainIds,
          labelOf: p.trainSource === 'llm' ? (id) => labels.get(id)?.label ?? null : (id) => rowById.get(id)?.human ?? null,
          labelNames,
          positive,
          headKind: s.headKind,
          ...(s.headKind === 'linear' ? { decision: s.decision } : {}),
          ...(s.headKind === 'linear' && s.decision === 'prior' && prior ? { priorShares: prior.shares } : {}),
          seed: s.seed,
          grid: s.headKind === 'linear' ? undefined : GRIDS[this.grid],
          origin: 'compare',
          ...(p.features === 'tfidf' ? { encoder: { ...enc, kind: 'tfidf' as const } } : {}),
        });
      } catch (e) {
        this.#check();
        notes.push(`“${p.name}” was not trained: ${errorText(e)}`);
        continue;
      }
      this.#check();
      const probs = await student.predict(model, X, testIds);
      const predicted = argmaxRows(probs, k);
      const degenerate = model.search?.warnings ?? [];
      const rule = model.search?.decision;
      preds.set(p.id, {
        ...(rule ? { decision: decisionText(rule, positive) } : {}),
        preds: predicted,
        probs,
        backend: model.backend,
        encoder: model.spec.encoder,
        trainSize: model.spec.trainSize,
        ...(degenerate.length ? { degenerate } : {}),
      });
      for (const w of degenerate) notes.push(`“${p.name}”: ${w}`);
      const shares = compareShares(labelNames, predicted, shareRef.preds, shareRef.name, shareOn);
      const warning = p.trainSource === 'llm' ? shareWarning(shares, `“${p.name}”`) : null;
      if (warning) notes.push(warning);
      trained.push({
        id: p.id,
        name: p.name,
        modelId: model.modelId,
        best: model.best,
        backend: model.backend,
        trainSize: model.spec.trainSize,
        shares,
        search: model.search,
        selection: model.selection,
      });
    }
    step(total, 'Scoring on the human test set');
    const model = teacher.endpoint.model;
    let teacherCond: (ScoredPreds & { name: string }) | null = null;
    if (teacherMissing === testIds.length) {
      notes.push(
        'The teacher has not labelled the test texts, so the LLM few-shot condition is left out. Label the test set on the Teacher step to add it.',
      );
    } else {
      if (teacherMissing > 0)
        notes.push(`${teacherMissing} of ${testIds.length} test texts have no valid teacher label; they count as wrong for LLM few-shot.`);
      teacherCond = {
        name: `LLM few-shot (${model})`,
        preds: teacherPreds,
        backend: teacher.endpoint.host,
        encoder: null,
        trainSize: null,
      };
    }

    const scored = await runSliced(
      scoreExperimentSteps({
        plan,
        yTrue,
        labelNames,
        positive: posIdx,
        teacher: teacherCond,
        students: preds,
        seed: s.seed,
        majority: majorityOf(
          [...teacher.labels.values()].map((l) => labelNames.indexOf(l.label ?? '')),
          labelNames.length,
        ),
      }),
    );
    const data: ComparisonData = {
      v: 1,
      ...scored,
      labelNames,
      positive,
      notes,
      students: trained,
      teacherMissing,
      run: {
        startedAt,
        finishedAt: Date.now(),
        codebookVersion: version.version,
        teacherModel: teacher.endpoint.description,
        endpoint: teacher.endpoint.baseURL,
        repeats: s.teacher.repeats,
        encoder: enc.kind === 'tfidf' ? 'TF-IDF' : encoderText(enc),
        embeddingKey: features.get('encoder')?.key ?? '',
        embedDevice: features.has('encoder') ? embedDevice : null,
        headKind: s.headKind,
        ...(s.headKind === 'linear' ? { decision: s.decision } : {}),
        grid: this.grid,
        seed: s.seed,
        trainN: s.trainN,
        testN: testIds.length,
        validationN: splits.validation.length,
      },
    };
    await store.putComparison(project.id, data);
    return data;
  }
}

export const compare = new CompareState();

/** The most frequent valid class among labels (−1 = none), or null when there is none. */
export function majorityOf(labels: readonly number[], nClasses: number): number | null {
  const counts = new Array<number>(nClasses).fill(0);
  for (const c of labels) if (c >= 0 && c < nClasses) counts[c]++;
  const top = Math.max(...counts);
  return top > 0 ? counts.indexOf(top) : null;
}
stepFacts.provide(() => ({ comparisons: compare.saved }));

/** What the plan a run would use now is drawn from, for the Compare step's preview (null before the inputs exist). */
export function currentPlanInput(): PlanInput | null {
  const splits = app.splits;
  const version = app.activeVersion;
  if (!splits || !version) return null;
  const s = app.projectSettings;
  return {
    splits,
    rows: app.rows,
    teacher: teacher.labels,
    labelNames: version.codebook.labels.map((l) => l.name),
    trainN: s.trainN,
    seed: s.seed,
    sweepBy: compare.sweepBy,
    held: { pool: app.pool, byId: app.rowById },
  };
}

// Load the newest saved comparison on startup and whenever another project opens.
onProjectOpen(
  () => compare.load(),
  (e) => (compare.error = `Could not read the saved comparison: ${errorText(e)}`),
);
