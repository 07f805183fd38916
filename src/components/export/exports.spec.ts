import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { corpusItems, dtypeOfKey, runDescription, type MethodsContext } from './exports';
import { labeledCorpusCsv, methodsParagraph } from '$lib/eval/report';
import { DEFAULT_HEAD_CONFIG } from '$lib/train/types';
import type { DataRow } from '$lib/data/types';
import { packIdList } from '$lib/store/packed-ids';

const rows: DataRow[] = [
  { id: 'a', text: 'Great, "really" great', human: 'positive', hash: 'h1' },
  { id: 'b', text: '=cmd()', human: null, hash: 'h2' },
  { id: 'c', text: 'meh', human: 'negative', hash: 'h3' },
];

describe('corpusItems', () => {
  it('joins human labels, LLM answers and the student into CSV rows that parse back', async () => {
    const labels = new Map([
      ['a', { label: 'positive', consistency: 2 / 3, n: 3 }],
      ['b', { label: null, consistency: 0, n: 3 }],
    ]);
    const answers: Record<string, (string | null)[]> = { a: ['positive', 'positive', 'negative'], b: [null, null, null] };
    const items = await corpusItems(rows, labels, (id) => answers[id] ?? [], {
      labels: ['negative', 'positive'],
      ids: packIdList(['a', 'c']),
      probs: Float32Array.from([0.1, 0.9, 0.7, 0.3]),
    });
    expect(items[0]).toMatchObject({ majority: 'positive', studentLabel: 'positive', answers: ['positive', 'positive', 'negative'] });
    expect(items[0].studentProb).toBeCloseTo(0.9);
    expect(items[1]).toMatchObject({ majority: null, consistency: 0, studentLabel: null, studentProb: null });
    expect(items[2]).toMatchObject({ majority: null, consistency: null, answers: [], studentLabel: 'negative' });
    const parsed = Papa.parse<Record<string, string>>(labeledCorpusCsv(items), { header: true, skipEmptyLines: true });
    expect(parsed.data).toHaveLength(3);
    expect(parsed.data[0].text).toBe('Great, "really" great');
    expect(parsed.data[0].answer_3).toBe('negative');
    expect(parsed.data[0].consistency).toBe('0.6667');
  });

  it('reads the student’s columns by position when its ids are the rows’ order, by id when not', async () => {
    const probs = Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4]);
    const student = (ids: string[]) => ({ labels: ['negative', 'positive'], ids: packIdList(ids), probs });
    const columns = async (ids: string[]) =>
      (await corpusItems(rows, new Map(), () => [], student(ids))).map((it) => [it.id, it.studentLabel]);
    expect(await columns(['a', 'b', 'c'])).toEqual([
      ['a', 'negative'],
      ['b', 'positive'],
      ['c', 'negative'],
    ]);
    expect(await columns(['c', 'a', 'b'])).toEqual([
      ['a', 'positive'],
      ['b', 'negative'],
      ['c', 'negative'],
    ]);
  });
});

describe('runDescription', () => {
  const ctx: MethodsContext = {
    teacherModel: 'gpt-4o-mini',
    endpoint: 'https://api.openai.com/v1',
    labelledAt: Date.UTC(2025, 0, 2),
    codebookVersion: 3,
    promptTemplate: 'v1',
    repeats: 3,
    temperature: 0,
    validationN: 250,
    testN: 250,
    trainN: 1000,
    encoder: 'Xenova/distilbert-base-uncased',
    dtype: 'fp32',
    embedBackend: 'webgpu',
    main: { best: { ...DEFAULT_HEAD_CONFIG, lr: 0.003, batchSize: 16, epochs: 12 }, backend: 'webgpu', trainSize: 800 },
  };
  it('fills the methods paragraph from the project when no comparison exists', () => {
    const text = methodsParagraph(runDescription(ctx, null));
    expect(text).toContain('gpt-4o-mini (accessed through api.openai.com on 2025-01-02)');
    expect(text).toContain('label 800 training texts according to version 3');
    expect(text).toContain('learning rate (0.003), batch size (16) and number of epochs (12)');
  });
  it('states the linear head’s cross-validated choice of C, not a learning-rate grid', () => {
    const linear: MethodsContext = {
      ...ctx,
      main: {
        best: { ...DEFAULT_HEAD_CONFIG, kind: 'linear', C: 0.316, classWeights: true },
        backend: 'plain JS (L-BFGS)',
        trainSize: 800,
        search: {
          kind: 'linear-cv',
          folds: 3,
          note: 'The smallest class has only 3 training labels, so 3-fold instead of 5-fold cross-validation was used.',
          Cs: [0.01, 0.1, 0.316, 1],
          classWeights: ['none', 'balanced'],
          chosen: { C: 0.316, classWeight: 'balanced' },
          calibration: { a: 0.8, c: [0.2] },
        },
        selection: { kind: 'kfold', k: 3 },
      },
    };
    const d = runDescription(linear, null);
    expect(d.chosen).toBeUndefined();
    expect(d.selection).toMatchObject({ kind: 'cv-linear', folds: 3, chosen: { C: 0.316, classWeight: 'balanced' } });
    const text = methodsParagraph(d);
    expect(text).not.toContain('learning rate');
    expect(text).toMatch(/3-fold cross-validation/);
    expect(text).not.toContain('20% holdout');
    expect(text).toContain('recalibrated');
  });
  it('says k-fold, not a 20% holdout, when the Adam grid was scored by k-fold', () => {
    const text = methodsParagraph(runDescription({ ...ctx, main: { ...ctx.main!, selection: { kind: 'kfold', k: 5 } } }, null));
    expect(text).toMatch(/5-fold/);
    expect(text).not.toContain('20% holdout');
  });
  it('reads the dtype from an embedding key', () => {
    expect(dtypeOfKey('emb-v1|Xenova/distilbert-base-uncased|q8|mean|l2')).toBe('q8');
    expect(dtypeOfKey('tfidf-v1|abc')).toBe('TF-IDF');
    expect(dtypeOfKey('hyb-v1|emb-v1|m|fp16|cls|l2|tfidf-v2|abc')).toBe('fp16');
  });
});
