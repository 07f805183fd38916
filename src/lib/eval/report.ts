// Exports of the comparison table as CSV, Markdown and LaTeX (booktabs).
// Metrics are written to 3 decimals with the bootstrap CI in brackets.
// The labelled-corpus exports and the methods paragraph live beside this
// file and are re-exported here so the Export step imports one module.
import type { CI } from './bootstrap';
import type { ComparisonRow } from './compare';
import { toCsv, type CsvValue } from './csv';
import { fmt3 } from './format';
import { smallSampleWarning, testSetSize } from './metrics';

export { labeledCorpusCsv, labeledCorpusJsonl, type CorpusItem, type CorpusCsvOptions } from './corpus-export';
export { methodsParagraph, type RunDescription, type HeadDescription } from './methods';

export interface TableOptions {
  /** Confidence level of the CIs, for the caption (default 0.95). */
  confidence?: number;
  /** LaTeX caption, inserted as raw LaTeX; the default states the test size and CI method. */
  caption?: string;
  /** LaTeX \label (default 'tab:surrogate-comparison'). */
  label?: string;
}

const f3 = fmt3;

/**
 * "0.812 [0.781, 0.840]"; "undefined" for a statistic undefined on the test
 * set (precision of a classifier that never predicts the positive class);
 * null when the metric does not apply.
 */
export function formatCI(ci: CI | null): string | null {
  if (ci === null) return null;
  return ci.defined === false ? 'undefined' : `${f3(ci.estimate)} [${f3(ci.lo)}, ${f3(ci.hi)}]`;
}

/**
 * Sentences a table of these rows needs beside it: the small-sample warning,
 * and that some intervals leave out resamples where the statistic was undefined.
 */
export function tableNotes(rows: readonly ComparisonRow[]): string[] {
  const out: string[] = [];
  const first = rows[0];
  const small = first && first.metrics.n > 0 ? smallSampleWarning(testSetSize(first.metrics)) : null;
  if (small) out.push(small);
  // The decision rule sets each student's label shares, so a table of them says which it was.
  const rules = [...new Set(rows.flatMap((r) => (r.decision ? [r.decision] : [])))];
  if (rules.length === 1) out.push(`The students' decision rule: ${rules[0]}.`);
  else if (rules.length > 1)
    out.push(
      `The students' decision rules: ${rows
        .filter((r) => r.decision)
        .map((r) => `${r.name}: ${r.decision}`)
        .join('; ')}.`,
    );
  const dropped = rows.some((r) => METRICS.some((m) => r.ci[m.key]?.dropped && r.ci[m.key]?.defined !== false));
  if (dropped)
    out.push(
      'Some intervals leave out bootstrap resamples in which the statistic was undefined (e.g. precision without a positive prediction); the counts are in the warnings.',
    );
  return out;
}

type MetricKey = 'accuracy' | 'precision' | 'recall' | 'f1' | 'macroF1';
const METRICS: { key: MetricKey; title: string }[] = [
  { key: 'accuracy', title: 'Accuracy' },
  { key: 'precision', title: 'Precision' },
  { key: 'recall', title: 'Recall' },
  { key: 'f1', title: 'F1' },
  { key: 'macroF1', title: 'Macro F1' },
];

/** Positive-class columns only when some row has them (binary tasks). */
function shownMetrics(rows: readonly ComparisonRow[]) {
  const binary = rows.some((r) => r.ci.f1 !== null);
  return METRICS.filter((m) => binary || m.key === 'accuracy' || m.key === 'macroF1');
}

const sourceText = (r: ComparisonRow) =>
  r.trainSource === null
    ? 'none (few-shot)'
    : `${r.trainSource === 'llm' ? 'LLM' : 'human'}${r.consistencyFilter ? ', consistency = 1' : ''}`;

/**
 * CSV with one row per condition: metadata, n, each metric to 3 decimals with
 * its CI in a separate bracketed "_ci" column, weighted F1, kappa, warnings.
 */
export function rowsToCsv(rows: readonly ComparisonRow[], opts: { bom?: boolean } = {}): string {
  const header = [
    'condition',
    'kind',
    'train_source',
    'train_size',
    'encoder',
    'backend',
    'consistency_filter',
    'n',
    'accuracy',
    'accuracy_ci',
    'precision',
    'precision_ci',
    'recall',
    'recall_ci',
    'f1',
    'f1_ci',
    'macro_f1',
    'macro_f1_ci',
    'weighted_f1',
    'kappa',
    'decision_rule',
    'warnings',
  ];
  const num = (x: number | null): CsvValue => (x === null ? null : f3(x));
  const body = rows.map((r): CsvValue[] => {
    const cells: CsvValue[] = [r.name, r.kind, r.trainSource, r.trainSize, r.encoder, r.backend, r.consistencyFilter, r.metrics.n];
    for (const m of METRICS) {
      const ci = r.ci[m.key];
      // An undefined statistic: no number (NA), and the interval column says why.
      if (ci?.defined === false) cells.push(null, 'undefined');
      else cells.push(ci === null ? null : num(ci.estimate), ci === null ? null : `[${f3(ci.lo)}, ${f3(ci.hi)}]`);
    }
    cells.push(num(r.metrics.weightedF1), num(r.metrics.kappa), r.decision ?? null, r.warnings.join(' '));
    return cells;
  });
  return toCsv(header, body, opts.bom);
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\|*_`]/g, (c) => `\\${c}`).replace(/\s*[\r\n]+\s*/g, ' ');
}

/** A GitHub-flavoured Markdown table (condition, training labels, size, metrics). */
export function rowsToMarkdown(rows: readonly ComparisonRow[]): string {
  const shown = shownMetrics(rows);
  const head = ['Condition', 'Training labels', 'Train size', ...shown.map((m) => m.title)];
  const align = ['---', '---', '---:', ...shown.map(() => ':---:')];
  const lines = [head, align].map((cells) => `| ${cells.join(' | ')} |`);
  for (const r of rows) {
    const cells = [
      escapeMarkdown(r.name),
      escapeMarkdown(sourceText(r)),
      r.trainSize === null ? '–' : String(r.trainSize),
      ...shown.map((m) => formatCI(r.ci[m.key]) ?? '–'),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const notes = tableNotes(rows).map((n) => `\n${escapeMarkdown(n)}`);
  return `${[...lines, ...notes].join('\n')}\n`;
}

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  // Not special, but the default OT1 font encoding prints them as other glyphs.
  '|': '\\textbar{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
};

/** Escape LaTeX's special characters so a name prints literally in text mode. */
export function escapeLatex(text: string): string {
  return text.replace(/[\\&%$#_{}~^|<>]/g, (c) => LATEX_SPECIALS[c]).replace(/\s*[\r\n]+\s*/g, ' ');
}

/** A booktabs table (needs \usepackage{booktabs}) inside a table float. */
export function rowsToLatex(rows: readonly ComparisonRow[], opts: TableOptions = {}): string {
  const shown = shownMetrics(rows);
  const level = Math.round((opts.confidence ?? 0.95) * 100);
  const n = rows[0]?.metrics.n ?? 0;
  const notes = tableNotes(rows)
    .map((t) => ` ${escapeLatex(t)}`)
    .join('');
  const caption =
    opts.caption ??
    `Classifier performance on ${n} human-labelled test texts. ${level}\\% percentile bootstrap confidence intervals in brackets.${notes}`;
  const cols = `llr${'c'.repeat(shown.length)}`;
  const out = [
    '\\begin{table}[t]',
    '\\centering',
    `\\caption{${caption}}`,
    `\\label{${opts.label ?? 'tab:surrogate-comparison'}}`,
    `\\begin{tabular}{${cols}}`,
    '\\toprule',
    `Condition & Training labels & Train size & ${shown.map((m) => m.title).join(' & ')} \\\\`,
    '\\midrule',
  ];
  for (const r of rows) {
    const cells = [
      escapeLatex(r.name),
      escapeLatex(sourceText(r)),
      r.trainSize === null ? '--' : String(r.trainSize),
      ...shown.map((m) => formatCI(r.ci[m.key]) ?? '--'),
    ];
    out.push(`${cells.join(' & ')} \\\\`);
  }
  out.push('\\bottomrule', '\\end{tabular}', '\\end{table}');
  return `${out.join('\n')}\n`;
}
