import { describe, expect, it } from 'vitest';
import type { CI } from './bootstrap';
import type { ComparisonRow } from './compare';
import { csvCell, guardFormula, toCsv } from './csv';
import { computeMetrics } from './metrics';
import {
  escapeLatex,
  formatCI,
  labeledCorpusCsv,
  labeledCorpusJsonl,
  methodsParagraph,
  rowsToCsv,
  rowsToLatex,
  rowsToMarkdown,
  tableNotes,
  type CorpusItem,
  type RunDescription,
} from './report';

const ci = (estimate: number, lo: number, hi: number): CI => ({ estimate, lo, hi });

function row(id: string, name: string, extra: Partial<ComparisonRow> = {}): ComparisonRow {
  const metrics = computeMetrics([1, 1, 0, 0], [1, 0, 0, 0], 2, 1);
  return {
    id,
    name,
    kind: 'student',
    trainSource: 'llm',
    trainSize: 1000,
    encoder: 'distilbert',
    backend: 'webgpu',
    consistencyFilter: false,
    metrics,
    ci: {
      accuracy: ci(0.75, 0.5, 1),
      precision: ci(1, 1, 1),
      recall: ci(0.5, 0, 1),
      f1: ci(2 / 3, 0, 1),
      macroF1: ci(0.7333333, 0.4, 1),
    },
    warnings: ['Only 4 test items: confidence intervals will be wide.'],
    ...extra,
  };
}

describe('CSV writing', () => {
  it('quotes commas, quotes and newlines per RFC 4180', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('cr\r\nlf')).toBe('"cr\r\nlf"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(-0.25)).toBe('-0.25');
    expect(csvCell(NaN)).toBe('');
  });

  it('guards text cells against formula injection but leaves numbers alone', () => {
    expect(guardFormula('=HYPERLINK("http://x")')).toBe('\'=HYPERLINK("http://x")');
    expect(guardFormula('+cmd')).toBe("'+cmd");
    expect(guardFormula('-2+3')).toBe("'-2+3");
    expect(guardFormula('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(guardFormula('\t=1')).toBe("'\t=1");
    expect(guardFormula('-0.25')).toBe('-0.25');
    expect(guardFormula('+12')).toBe('+12');
    expect(guardFormula('a=b')).toBe('a=b');
    // Guarded first, then quoted.
    expect(csvCell('=1+2, "x"')).toBe('"\'=1+2, ""x"""');
  });

  it('ends every line with CRLF and can add a BOM', () => {
    expect(toCsv(['a', 'b'], [[1, 'x']])).toBe('a,b\r\n1,x\r\n');
    expect(toCsv(['a'], [], true)).toBe('\uFEFFa\r\n');
  });
});

describe('labelled corpus exports', () => {
  const items: CorpusItem[] = [
    {
      id: '1',
      text: 'Tax cuts, now!',
      human: 'yes',
      answers: ['yes', 'yes', 'no'],
      majority: 'yes',
      consistency: 2 / 3,
      studentProb: 0.91234567,
      studentLabel: 'yes',
    },
    {
      id: '2',
      text: '=cmd|"/c calc"!A1\nsecond line',
      human: null,
      answers: [null],
      majority: null,
      consistency: null,
      studentProb: null,
      studentLabel: null,
    },
  ];

  it('writes one column per repeat, guarded and quoted texts, empty cells for null', () => {
    const csv = labeledCorpusCsv(items);
    expect(csv).toBe(
      'id,text,human,answer_1,answer_2,answer_3,majority,consistency,student_prob,student_label\r\n' +
        '1,"Tax cuts, now!",yes,yes,yes,no,yes,0.6667,0.9123,yes\r\n' +
        '2,"\'=cmd|""/c calc""!A1\nsecond line",,,,,,,,\r\n',
    );
  });

  it('writes JSON Lines that parse back to the items', () => {
    const lines = labeledCorpusJsonl(items).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    const first = JSON.parse(lines[0]);
    expect(first).toEqual({
      id: '1',
      text: 'Tax cuts, now!',
      human: 'yes',
      answers: ['yes', 'yes', 'no'],
      majority: 'yes',
      consistency: 2 / 3,
      student_prob: 0.91234567,
      student_label: 'yes',
    });
    expect(JSON.parse(lines[1]).text).toBe('=cmd|"/c calc"!A1\nsecond line');
  });
});

describe('comparison tables', () => {
  const rows = [row('a', 'Student on 1000 LLM labels'), row('b', 'TF-IDF & co_50% #1 | x', { trainSource: 'human', trainSize: null })];

  it('formats a CI as estimate [lo, hi] to 3 decimals', () => {
    expect(formatCI(ci(0.81234, 0.7806, 0.84))).toBe('0.812 [0.781, 0.840]');
    expect(formatCI(null)).toBeNull();
  });

  it('writes CSV with metric and bracketed CI columns', () => {
    const lines = rowsToCsv(rows).split('\r\n');
    expect(lines[0]).toBe(
      'condition,kind,train_source,train_size,encoder,backend,consistency_filter,n,accuracy,accuracy_ci,precision,precision_ci,recall,recall_ci,f1,f1_ci,macro_f1,macro_f1_ci,weighted_f1,kappa,decision_rule,warnings',
    );
    expect(lines[1]).toBe(
      'Student on 1000 LLM labels,student,llm,1000,distilbert,webgpu,false,4,0.750,"[0.500, 1.000]",1.000,"[1.000, 1.000]",0.500,"[0.000, 1.000]",0.667,"[0.000, 1.000]",0.733,"[0.400, 1.000]",0.733,0.500,,Only 4 test items: confidence intervals will be wide.',
    );
  });

  it('writes a Markdown table with escaped names and dashes for missing values', () => {
    const md = rowsToMarkdown(rows).split('\n');
    expect(md[0]).toBe('| Condition | Training labels | Train size | Accuracy | Precision | Recall | F1 | Macro F1 |');
    expect(md[2]).toBe(
      '| Student on 1000 LLM labels | LLM | 1000 | 0.750 [0.500, 1.000] | 1.000 [1.000, 1.000] | 0.500 [0.000, 1.000] | 0.667 [0.000, 1.000] | 0.733 [0.400, 1.000] |',
    );
    expect(md[3].startsWith('| TF-IDF & co\\_50% #1 \\| x | human | – |')).toBe(true);
  });

  it('escapes LaTeX specials', () => {
    expect(escapeLatex('TF-IDF & co_50% #1 $x {y} ~ ^ \\ a<b>c|d')).toBe(
      'TF-IDF \\& co\\_50\\% \\#1 \\$x \\{y\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} a\\textless{}b\\textgreater{}c\\textbar{}d',
    );
  });

  it('writes a booktabs table', () => {
    const tex = rowsToLatex(rows);
    expect(tex).toContain('\\begin{tabular}{llrccccc}');
    expect(tex).toContain(
      '\\toprule\nCondition & Training labels & Train size & Accuracy & Precision & Recall & F1 & Macro F1 \\\\\n\\midrule',
    );
    expect(tex).toContain('TF-IDF \\& co\\_50\\% \\#1 \\textbar{} x & human & -- & 0.750 [0.500, 1.000]');
    expect(tex).toContain('95\\% percentile bootstrap');
    expect(tex.trimEnd().endsWith('\\bottomrule\n\\end{tabular}\n\\end{table}')).toBe(true);
  });

  it("names the students' decision rule: a CSV column, and a note under the Markdown and LaTeX tables", () => {
    const ruled = [row('a', 'Student', { decision: 'label like the teacher' }), row('t', 'LLM few-shot', { kind: 'teacher' })];
    const csv = rowsToCsv(ruled).split('\r\n');
    expect(csv[1]).toContain(',0.500,label like the teacher,');
    expect(rowsToMarkdown(ruled)).toContain("The students' decision rule: label like the teacher.");
    expect(rowsToLatex(ruled)).toContain("The students' decision rule: label like the teacher.");
    const two = [...ruled, row('b', 'Other', { decision: 'plain argmax' })];
    expect(rowsToMarkdown(two)).toContain('decision rules: Student: label like the teacher; Other: plain argmax.');
  });

  it('drops positive-class columns for multi-class results', () => {
    const multi = row('m', 'Multi', { ci: { ...rows[0].ci, precision: null, recall: null, f1: null } });
    expect(rowsToMarkdown([multi]).split('\n')[0]).toBe('| Condition | Training labels | Train size | Accuracy | Macro F1 |');
  });
});

describe('methodsParagraph', () => {
  const run: RunDescription = {
    teacherModel: 'gpt-4o-mini',
    endpointHost: 'api.openai.com',
    date: new Date('2025-03-14T10:00:00Z'),
    codebookVersion: 3,
    promptTemplate: 'surrogate-v1',
    repeats: 3,
    temperature: 0.7,
    validationN: 200,
    testN: 500,
    trainN: 2000,
    encoder: 'Xenova/distilbert-base-uncased',
    dtype: 'fp32',
    head: { kind: 'mlp', hidden: 128, dropout: 0.1, patience: 5, monitor: 'valLoss' },
    chosen: { lr: 0.001, batchSize: 32, epochs: 20 },
    backends: { embed: 'webgpu', train: 'webgpu' },
    results: [row('a', 'Student on 1000 LLM labels')],
  };

  it('fills in the run and cites the paper', () => {
    const p = methodsParagraph(run);
    expect(
      p.startsWith(
        'Following the knowledge-distillation workflow of Pangakis and Wolken (2024), we used gpt-4o-mini (accessed through api.openai.com on 2025-03-14) as a teacher to label 2,000 training texts according to version 3 of our codebook.',
      ),
    ).toBe(true);
    for (const s of [
      'prompt template "surrogate-v1"',
      'labelled 3 times at temperature 0.7',
      'Xenova/distilbert-base-uncased (fp32 weights, webgpu backend)',
      'one hidden layer of 128 ReLU units and dropout 0.1',
      'learning rate (0.001), batch size (32) and number of epochs (20) were chosen by a grid search scored by validation F1 on a stratified 20% holdout of the training labels',
      'validation loss had not improved for 5 epochs',
      'evaluated on 500 held-out human-labelled test texts',
      '95% percentile bootstrap confidence intervals (1,000 resamples of the test texts)',
      "McNemar's test",
      'Student on 1000 LLM labels: F1 = 0.667 (95% CI 0.000-1.000)',
    ]) {
      expect(p).toContain(s);
    }
    expect(p).not.toContain('undefined');
  });

  it('names what each comparison test tests, and warns about a small test set', () => {
    const p = methodsParagraph(run);
    expect(p).toContain(
      "We compare two classifiers in two ways: a paired bootstrap interval of the difference in F1 (both scored on the same resamples), and McNemar's test, which asks whether the two disagree on which texts they get right and so compares accuracy, not F1; the two can point different ways.",
    );
    expect(p).toContain(
      'Resamples in which a statistic is not defined, such as precision without a positive prediction, are left out of its interval.',
    );
    // The results were scored on 4 test texts.
    expect(p).toContain(
      'With only 4 test texts (2 of the positive class), these intervals and tests are unreliable (we would need at least 30 test texts and 10 of the positive class), so we draw no conclusions from differences between classifiers.',
    );
    const large = methodsParagraph({ ...run, results: undefined });
    expect(large).not.toContain('With only');
    expect(methodsParagraph({ ...run, results: undefined, testN: 20 })).toContain('With only 20 test texts, these intervals');
  });

  it('says macro F1 for a task without a positive class, and "not defined" for an undefined result', () => {
    const multi = row('m', 'Multi', { ci: { ...row('x', 'x').ci, precision: null, recall: null, f1: null } });
    const p = methodsParagraph({ ...run, results: [multi] });
    expect(p).toContain('a paired bootstrap interval of the difference in macro F1');
    expect(p).toContain('compares accuracy, not macro F1');
    expect(p).toContain('Multi: macro F1 = 0.733');
    const undef = row('u', 'Undefined', { ci: { ...row('x', 'x').ci, f1: { estimate: 0, lo: NaN, hi: NaN, defined: false } } });
    expect(methodsParagraph({ ...run, results: [undef] })).toContain('Undefined: F1 = not defined');
  });

  it('describes the linear head with cross-validated C and class weighting', () => {
    const p = methodsParagraph({
      ...run,
      head: { kind: 'linear' },
      chosen: undefined,
      selection: {
        kind: 'cv-linear',
        folds: 5,
        Cs: [0.01, 0.0316, 0.1, 0.316, 1, 3.16, 10, 31.6, 100],
        classWeights: ['none', 'balanced'],
        chosen: { C: 3.16, classWeight: 'balanced' },
      },
    });
    expect(p).toContain(
      'As the student, we encoded each text with Xenova/distilbert-base-uncased (fp32 weights, webgpu backend) and trained an L2-regularised logistic regression on the frozen embeddings, fitted to convergence with L-BFGS. ' +
        'The inverse regularisation strength C (9 values on a log grid from 0.01 to 100) and the class weighting (none or balanced) were chosen by stratified 5-fold cross-validation on the training labels, scored by F1 of the positive class; ' +
        'the chosen model (C = 3.16, balanced class weights) was refit on all training labels. The human test set was never used for selection.',
    );
    for (const s of ['Adam', 'learning rate', 'holdout', 'epochs']) expect(p).not.toContain(s);
    expect(p).not.toContain('undefined');
  });

  it('names the deployed fold-model mean and the prior-shift rule, and the share rule on uncalibrated scores', () => {
    const sel = {
      kind: 'cv-linear' as const,
      folds: 5,
      Cs: [0.01, 1],
      classWeights: ['none' as const],
      chosen: { C: 0.01, classWeight: 'none' as const },
      score: 'logloss' as const,
      deploy: 'bagged' as const,
    };
    const prior = methodsParagraph({
      ...run,
      head: { kind: 'linear' },
      selection: { ...sel, decision: { rule: 'prior', applied: 'prior', fallback: null } },
    });
    expect(prior).toContain(
      'the 5 models of the chosen setting (C = 0.01, no class weighting), each fitted on 4 of the 5 folds, were averaged',
    );
    expect(prior).toContain('the share of texts the human-labelled validation sample gives it (a prior-shift correction');
    const flat = methodsParagraph({
      ...run,
      head: { kind: 'linear' },
      selection: { ...sel, decision: { rule: 'shares', applied: 'shares', fallback: 'No usable signal…' } },
    });
    expect(flat).toContain(
      'the decision threshold was set on the uncalibrated scores so that, out of fold, the student assigns each label to the same share',
    );
    expect(flat).toContain('carry no usable signal');
  });

  it('states a fold note, a single class weighting, and multi-class scoring for the linear head', () => {
    const multi = row('m', 'Multi', { ci: { ...row('x', 'x').ci, precision: null, recall: null, f1: null } });
    const p = methodsParagraph({
      ...run,
      head: { kind: 'linear' },
      results: [multi],
      selection: {
        kind: 'cv-linear',
        folds: 3,
        Cs: [1],
        classWeights: ['none'],
        chosen: { C: 1, classWeight: 'none' },
        note: 'Only 3 folds: the smallest class has 3 training texts',
      },
    });
    expect(p).toContain(
      'The inverse regularisation strength C (fixed at 1) was, with class weighting fixed at none, chosen by stratified 3-fold cross-validation on the training labels, scored by macro-averaged F1; the chosen model (C = 1, no class weighting) was refit on all training labels. The human test set was never used for selection. Only 3 folds: the smallest class has 3 training texts.',
    );
    // Without selection details the paragraph stays true but general.
    const bare = methodsParagraph({ ...run, head: { kind: 'linear' }, chosen: undefined, results: undefined });
    expect(bare).toContain(
      'C and the class weighting were chosen by stratified cross-validation on the training labels, scored by F1 of the positive class (macro F1 for a task without one)',
    );
  });

  it('says k-fold or holdout for the Adam heads, as the run did', () => {
    const kfold = methodsParagraph({ ...run, selection: { kind: 'kfold', k: 5 } });
    expect(kfold).toContain(
      'number of epochs (20) were chosen by a grid search scored by mean validation F1 over stratified 5-fold cross-validation on the training labels (the human test set was never used for selection)',
    );
    expect(kfold).not.toContain('holdout');
    expect(methodsParagraph({ ...run, selection: { kind: 'holdout', fraction: 0.25 } })).toContain(
      'on a stratified 25% holdout of the training labels',
    );
    // Unknown chosen values are left out rather than printed as NaN.
    const unknown = methodsParagraph({ ...run, chosen: { lr: NaN, batchSize: NaN, epochs: NaN } });
    expect(unknown).toContain('The learning rate, batch size and number of epochs were chosen by a grid search');
    expect(unknown).not.toContain('NaN');
  });

  it('describes a single-answer logistic-regression run', () => {
    const p = methodsParagraph({ ...run, repeats: 1, head: { kind: 'logreg' }, results: undefined, promptTemplate: 'x'.repeat(200) });
    expect(p).toContain('Each text was labelled once at temperature 0.7.');
    expect(p).toContain('a multinomial logistic-regression layer');
    expect(p).toContain('prompt reproduced in the appendix');
    expect(p).not.toContain('On the test set');
  });
});

describe('undefined statistics and small test sets in the tables', () => {
  const never = row('n', 'Never positive', {
    ci: { ...row('x', 'x').ci, precision: { estimate: 0, lo: NaN, hi: NaN, dropped: 1000, defined: false } },
  });

  it('writes "undefined" for an undefined precision, not 0.000 [0.000, 0.000]', () => {
    expect(formatCI(never.ci.precision)).toBe('undefined');
    expect(rowsToMarkdown([never]).split('\n')[2]).toContain('| 0.750 [0.500, 1.000] | undefined |');
    expect(rowsToLatex([never])).toContain('0.750 [0.500, 1.000] & undefined &');
    // CSV: an empty (NA) number and "undefined" in its interval column.
    expect(rowsToCsv([never]).split('\r\n')[1]).toContain(',0.750,"[0.500, 1.000]",,undefined,0.500,');
  });

  it('adds the small-sample warning and the dropped-resamples note beside the table', () => {
    const dropped = row('d', 'Some dropped', { ci: { ...row('x', 'x').ci, precision: { estimate: 1, lo: 1, hi: 1, dropped: 37 } } });
    const notes = tableNotes([dropped]);
    expect(notes[0]).toMatch(/^Only 4 test texts \(2 of the positive class\): too few/);
    expect(notes[1]).toContain('leave out bootstrap resamples in which the statistic was undefined');
    expect(rowsToMarkdown([dropped])).toContain(`\n\n${notes[0]}\n`);
    expect(rowsToLatex([dropped])).toContain('Only 4 test texts (2 of the positive class): too few');
    // A large test set with nothing dropped needs no notes.
    const big = row('b', 'Big', {
      metrics: computeMetrics(
        Array.from({ length: 100 }, (_, i) => i % 2),
        Array.from({ length: 100 }, (_, i) => i % 2),
        2,
        1,
      ),
    });
    expect(tableNotes([big])).toEqual([]);
    expect(rowsToMarkdown([big]).trimEnd().split('\n')).toHaveLength(3);
  });
});
