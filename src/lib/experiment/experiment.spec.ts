import { describe, expect, it } from 'vitest';
import { runSliced, Slicer } from '../store/yield';
import { RowIndex } from '../train/row-index';
import {
  curveSizes,
  planExperiment,
  planExperimentSteps,
  scoreExperimentSteps,
  scoreExperiment,
  type PlanInput,
  type PlanTeacherLabel,
  type ScoredPreds,
} from './experiment';
import { mulberry32 } from '../data/rng';
import type { DataRow, Splits } from '../data/types';

const LABELS = ['negative', 'positive'];

/** n rows; every 3rd positive; the first v validation, next t test, rest pool. */
function fixture(n: number, v: number, t: number, opts: { human?: boolean; teacherAll?: boolean } = {}): PlanInput {
  const rows: DataRow[] = Array.from({ length: n }, (_, i) => ({
    id: `r${String(i).padStart(4, '0')}`,
    text: `text ${i}`,
    human: opts.human === false ? null : i % 3 === 0 ? 'positive' : 'negative',
    hash: `h${i}`,
  }));
  const ids = rows.map((r) => r.id);
  const splits: Splits = { seed: 1, validation: ids.slice(0, v), test: ids.slice(v, v + t), pool: ids.slice(v + t) };
  const rand = mulberry32(7);
  const teacher = new Map<string, PlanTeacherLabel>();
  // The teacher labels every row (validation and test too, as the app does),
  // with consistency 1, 2/3 or 1/3 so the filters have something to cut.
  for (const r of rows) {
    const c = [1, 1, 2 / 3, 1 / 3][Math.floor(rand() * 4)];
    teacher.set(r.id, { label: rand() < 0.4 ? 'positive' : 'negative', consistency: c });
  }
  return { splits, rows, teacher, labelNames: LABELS, seed: 42 };
}

const allTrainIds = (p: ReturnType<typeof planExperiment>) => p.students.flatMap((s) => s.trainIds);

describe('planExperiment', () => {
  it('plans the same students from the pool rows the caller holds', () => {
    const input = fixture(3000, 250, 250);
    const byId = new Map(input.rows.map((r) => [r.id, r]));
    const pool = input.splits.pool.map((id) => byId.get(id)!);
    expect(planExperiment({ ...input, held: { pool } })).toEqual(planExperiment(input));
    expect(planExperiment({ ...input, held: { pool, byId: RowIndex.of(input.rows) } })).toEqual(planExperiment(input));
  });

  it('draws the same plan in slices (planExperimentSteps), yielding on the way', async () => {
    const input = fixture(20_000, 250, 250);
    let pauses = 0;
    const sliced = await runSliced(planExperimentSteps(input), new Slicer(async () => void pauses++, 0));
    expect(sliced).toEqual(planExperiment(input));
    expect(pauses).toBeGreaterThan(10);
  });

  it('never trains on validation or test rows', () => {
    const input = fixture(3000, 250, 250);
    const plan = planExperiment(input);
    const heldOut = new Set([...input.splits.validation, ...input.splits.test]);
    const pool = new Set(input.splits.pool);
    expect(plan.students.length).toBeGreaterThan(5);
    for (const id of allTrainIds(plan)) {
      expect(heldOut.has(id)).toBe(false);
      expect(pool.has(id)).toBe(true);
    }
  });

  it('plans every condition of the paper with the requested sizes', () => {
    const input = fixture(3000, 250, 250);
    const plan = planExperiment(input);
    const byId = new Map(plan.students.map((s) => [s.id, s]));
    expect(byId.get('llm-main')!.trainIds).toHaveLength(1000);
    expect(byId.get('llm-main')!.name).toBe('Student on 1000 LLM labels');
    expect(byId.get('human-250')!.trainIds).toHaveLength(250);
    expect(byId.get('human-1000')!.trainIds).toHaveLength(1000);
    expect(byId.get('human-1000')!.trainSource).toBe('human');
    expect(byId.get('tfidf-llm')!.features).toBe('tfidf');
    expect(byId.get('tfidf-llm')!.trainIds).toEqual(byId.get('llm-main')!.trainIds);
    expect(byId.get('llm-consistent')!.consistencyFilter).toBe(true);
    expect(plan.sweep.map((p) => p.t)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(plan.curve.map((p) => p.n)).toEqual([100, 250, 500, 1000, plan.llmAvailable]);
    // The curve point at N is the main student: trained once, two roles.
    expect(plan.curve.find((p) => p.n === 1000)!.studentId).toBe('llm-main');
    expect(byId.get('llm-main')!.roles.map((r) => r.kind)).toContain('curve');
    const curveStudent = byId.get(plan.curve[0].studentId)!;
    expect(curveStudent.trainIds).toHaveLength(100);
    // Human-label students train on the human labels' classes, stratified.
    const human = byId.get('human-250')!.trainIds.map((id) => input.rows.find((r) => r.id === id)!.human);
    expect(human.filter((h) => h === 'positive').length).toBeGreaterThan(70);
  });

  it('filters by consistency within the main training set', () => {
    const input = fixture(3000, 250, 250);
    const plan = planExperiment(input);
    const main = plan.students.find((s) => s.id === 'llm-main')!;
    const consistent = plan.students.find((s) => s.id === 'llm-consistent')!;
    const mainSet = new Set(main.trainIds);
    expect(consistent.trainIds.length).toBeLessThan(main.trainIds.length);
    for (const id of consistent.trainIds) {
      expect(mainSet.has(id)).toBe(true);
      expect(input.teacher.get(id)!.consistency).toBe(1);
    }
    expect(consistent.trainIds).toHaveLength(main.trainIds.filter((id) => input.teacher.get(id)!.consistency === 1).length);
    // Sizes fall as the threshold rises; 2/3 passes 0.5 and 0.6, not 0.7.
    const sizes = plan.sweep.map((p) => p.size);
    expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
    expect(plan.sweep[0].size).toBe(main.trainIds.filter((id) => input.teacher.get(id)!.consistency > 0.6).length);
    expect(plan.sweep[1].studentId).toBe(plan.sweep[0].studentId);
    // consistency ≥ 1.0 is the ablation itself: one student, not two.
    expect(plan.sweep.at(-1)!.studentId).toBe('llm-consistent');
  });

  it('sweeps on the teacher probability when asked, filtering the same main sample; falls back to consistency without one', () => {
    const input = fixture(3000, 250, 250);
    const rand = mulberry32(11);
    const teacher = new Map([...input.teacher].map(([id, l]) => [id, { ...l, probability: 0.5 + 0.5 * rand() }]));
    const plain = planExperiment({ ...input, teacher });
    const plan = planExperiment({ ...input, teacher, sweepBy: 'probability' });
    expect(plan.sweepBy).toBe('probability');
    expect(plan.sweep.map((p) => p.t)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]);
    const main = plan.students.find((s) => s.id === 'llm-main')!;
    expect(main.trainIds).toEqual(plain.students.find((s) => s.id === 'llm-main')!.trainIds);
    const p90 = plan.sweep.find((p) => p.t === 0.9)!;
    const kept = main.trainIds.filter((id) => teacher.get(id)!.probability >= 0.9);
    expect(p90.size).toBe(kept.length);
    const student = plan.students.find((s) => s.id === p90.studentId)!;
    expect(student).toMatchObject({ id: 'sweep-p0.9', name: `Student on ${kept.length} LLM labels with teacher probability ≥ 0.9` });
    expect(student.trainIds).toEqual(kept);
    expect(student.roles).toContainEqual({ kind: 'sweep', t: 0.9, by: 'probability' });
    // The paper's ablation (consistency = 1) is still there.
    expect(plan.students.some((s) => s.id === 'llm-consistent')).toBe(true);
    // Asked for, but no label has a probability: consistency, and a note says so.
    const fallback = planExperiment({ ...input, sweepBy: 'probability' });
    expect(fallback.sweepBy).toBe('consistency');
    expect(fallback.sweep.map((p) => p.t)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(fallback.notes.some((n) => /no logprobs/.test(n))).toBe(true);
  });

  it('is reproducible for a seed and changes with it', () => {
    const input = fixture(3000, 250, 250);
    const a = planExperiment(input);
    const b = planExperiment(input);
    const c = planExperiment({ ...input, seed: 43 });
    expect(a).toEqual(b);
    const main = (p: typeof a) => p.students.find((s) => s.id === 'llm-main')!.trainIds;
    expect(main(c)).not.toEqual(main(a));
  });

  it('leaves out human-label students when there are no human labels, and says so', () => {
    const input = fixture(600, 0, 0, { human: false });
    const plan = planExperiment(input);
    expect(plan.students.some((s) => s.trainSource === 'human')).toBe(false);
    expect(plan.students.map((s) => s.id)).toEqual(expect.arrayContaining(['llm-main', 'llm-consistent', 'tfidf-llm']));
    expect(plan.humanAvailable).toBe(0);
    expect(plan.notes.join(' ')).toMatch(/no student on human labels/);
    // Fewer LLM labels than N: the main student takes them all.
    expect(plan.students.find((s) => s.id === 'llm-main')!.trainIds).toHaveLength(600);
  });

  it('trains each distinct human size once on a small pool', () => {
    const input = fixture(58, 12, 12);
    const plan = planExperiment({ ...input, trainN: 1000 });
    const human = plan.students.filter((s) => s.trainSource === 'human');
    expect(human).toHaveLength(1);
    expect(human[0].trainIds).toHaveLength(34);
    expect(plan.notes.join(' ')).toMatch(/at most 34/);
    // Small pools get a quarter and a half of the pool as extra curve points.
    expect(plan.curve.map((p) => p.n)).toEqual([17, 34]);
    for (const id of allTrainIds(plan)) expect(input.splits.pool).toContain(id);
  });

  it('uses only labels of the codebook and skips rows without an LLM label', () => {
    const input = fixture(300, 20, 20);
    const teacher = new Map(input.teacher);
    const pool = input.splits.pool;
    teacher.set(pool[0], { label: null, consistency: 0 });
    teacher.set(pool[1], { label: 'banana', consistency: 1 });
    teacher.delete(pool[2]);
    const plan = planExperiment({ ...input, teacher });
    expect(plan.llmAvailable).toBe(pool.length - 3);
    const llmIds = plan.students.filter((s) => s.trainSource === 'llm').flatMap((s) => s.trainIds);
    for (const id of pool.slice(0, 3)) expect(llmIds).not.toContain(id);
  });

  it('says when no LLM label exists and plans only human students', () => {
    const input = fixture(300, 20, 20);
    const plan = planExperiment({ ...input, teacher: new Map() });
    expect(plan.students.every((s) => s.trainSource === 'human')).toBe(true);
    expect(plan.sweep.every((p) => p.size === 0 && p.studentId === null)).toBe(true);
    expect(plan.curve).toEqual([]);
    expect(plan.notes[0]).toMatch(/No training-pool text has an LLM label/);
  });
});

describe('curveSizes', () => {
  it('keeps the paper sizes below the pool and adds all of it', () => {
    expect(curveSizes([100, 250, 500, 1000], 5000)).toEqual([100, 250, 500, 1000, 5000]);
    expect(curveSizes([100, 250, 500, 1000], 300)).toEqual([100, 250, 300]);
    expect(curveSizes([100, 250, 500, 1000], 30)).toEqual([15, 30]);
    expect(curveSizes([100], 12)).toEqual([12]);
    expect(curveSizes([100], 0)).toEqual([]);
  });
});

describe('scoreExperiment', () => {
  it('scores the teacher and every trained student on the same test rows (at once or a bootstrap a slice)', async () => {
    const input = fixture(3000, 250, 250);
    const plan = planExperiment(input);
    const yTrue = Int32Array.from(input.splits.test, (id) => LABELS.indexOf(input.rows.find((r) => r.id === id)!.human!));
    const rand = mulberry32(3);
    // Students right 90% of the time; the human one over-predicts nothing.
    const noisy = (acc: number) => Int32Array.from(yTrue, (y) => (rand() < acc ? y : 1 - y));
    const students = new Map<string, ScoredPreds>(
      plan.students
        .filter((s) => s.id !== 'human-250')
        .map((s) => [
          s.id,
          { preds: noisy(0.9), backend: 'cpu', encoder: s.features === 'tfidf' ? 'tfidf' : 'enc', trainSize: s.trainIds.length },
        ]),
    );
    const teacherPreds = noisy(0.85);
    teacherPreds[0] = -1;
    const scoreInput = {
      plan,
      yTrue,
      labelNames: LABELS,
      positive: 1,
      teacher: { name: 'LLM few-shot (m)', preds: teacherPreds, backend: 'host', encoder: null, trainSize: null },
      students,
      seed: 42,
    };
    let pauses = 0;
    const sliced = await runSliced(scoreExperimentSteps(scoreInput), new Slicer(async () => void pauses++, 0));
    expect(pauses).toBeGreaterThan(plan.students.length); // a bootstrap a slice
    const out = scoreExperiment({
      ...scoreInput,
    });
    expect(sliced).toEqual(out);
    expect(out.rows[0]).toMatchObject({ id: 'teacher', kind: 'teacher' });
    expect(out.rows[0].metrics.abstained).toBe(1);
    // human-250 was not trained, so it has no row; every other student has one.
    expect(out.rows.map((r) => r.id)).toEqual(['teacher', ...plan.students.filter((s) => s.id !== 'human-250').map((s) => s.id)]);
    expect(out.rows.find((r) => r.id === 'tfidf-llm')!.encoder).toBe('tfidf');
    expect(out.headlines.map((h) => h.kind)).toEqual(expect.arrayContaining(['llm-vs-human', 'student-vs-teacher', 'consistency-filter']));
    expect(out.curve.map((p) => p.x)).toEqual(plan.curve.map((p) => p.n));
    expect(out.sweep.map((p) => p.size)).toEqual(plan.sweep.map((p) => p.size));
    expect(out.sweep.every((p) => p.f1 !== null && p.lo! <= p.f1 && p.f1 <= p.hi!)).toBe(true);
    expect(out.references.map((r) => r.label)).toEqual(['LLM few-shot', 'Human labels (1000)']);
  });

  it('adds the trivial baselines (always the majority label, always the positive class) after the students', () => {
    const input = fixture(3000, 250, 250);
    const plan = planExperiment(input);
    const yTrue = Int32Array.from(input.splits.test, (id) => LABELS.indexOf(input.rows.find((r) => r.id === id)!.human!));
    const out = scoreExperiment({
      plan,
      yTrue,
      labelNames: LABELS,
      positive: 1,
      teacher: null,
      students: new Map(),
      seed: 42,
      majority: 0,
    });
    expect(out.rows.map((r) => [r.id, r.kind])).toEqual([
      ['always-majority', 'baseline'],
      ['always-positive', 'baseline'],
    ]);
    expect(out.rows[0].name).toBe(`Always the majority label (“${LABELS[0]}”)`);
    expect(out.rows[0].metrics.kappa).toBe(0);
    expect(out.rows[1].metrics.predictedPositiveRate).toBe(1);
    expect(out.headlines).toEqual([]);
  });
});
