// Result files and the Markdown table. A benchmark returns
//   { name, title, status: 'ok' | 'skipped' | 'failed', reason?, figures, notes, raw }
// where each figure is { figure, ratio, detail }: `ratio` is a number (or null
// when the figure could not be measured) and `detail` carries the raw numbers
// it was computed from. Extra Markdown (e.g. the quality table) goes in `extra`.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** YYYY-MM-DD in local time (the date the run started). */
export function dateStamp(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** A ratio shown with 2 significant decimals, '—' when missing. */
export function fmtRatio(r) {
  if (r === null || r === undefined || Number.isNaN(r)) return '—';
  if (Math.abs(r) >= 100) return r.toFixed(0);
  if (Math.abs(r) >= 10) return r.toFixed(1);
  return r.toFixed(2);
}

const cell = (s) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

/** The Markdown summary of a run: header, one table of figures, skip/fail lines, extras. */
export function markdown(run) {
  const lines = [
    run.mode === 'report'
      ? `# Benchmarks — newest result of each (table rebuilt ${run.date})`
      : `# Benchmarks — ${run.date}${run.mode !== 'default' ? ` (${run.mode})` : ''}`,
    '',
    run.mode === 'report'
      ? 'Each row is the newest stored result of its benchmark, dated in its title; the machine of each run is in its JSON file.'
      : `Machine: ${run.env.cpus} CPU cores, load average ${run.env.loadavg.map((l) => l.toFixed(1)).join(' / ')} at start; ` +
        `Node ${run.env.node}; ${run.env.browser ?? 'no browser started'}${run.env.gpu ? `; WebGPU adapter: ${run.env.gpu}` : ''}.`,
    '',
    '| benchmark | figure | ratio | raw numbers |',
    '|---|---|---:|---|',
  ];
  for (const b of run.results) {
    if (b.status !== 'ok') {
      lines.push(`| ${cell(b.title)} | ${b.status} | — | ${cell(b.reason)} |`);
      continue;
    }
    for (const f of b.figures) lines.push(`| ${cell(b.title)} | ${cell(f.figure)} | ${fmtRatio(f.ratio)} | ${cell(f.detail)} |`);
  }
  const notes = run.results.flatMap((b) => (b.notes ?? []).map((n) => `- **${b.title}**: ${n}`));
  if (notes.length > 0) lines.push('', '## Notes', '', ...notes);
  for (const b of run.results) if (b.extra) lines.push('', b.extra);
  return lines.join('\n') + '\n';
}

/** Writes results/<date>-<name>.json per benchmark and results/latest.md; returns the paths. */
export function writeResults(dir, run) {
  mkdirSync(dir, { recursive: true });
  const paths = [];
  for (const b of run.results) {
    const path = join(dir, `${run.date}-${b.name}.json`);
    const body = { benchmark: b.name, date: run.date, mode: run.mode, env: run.env, ...b };
    writeFileSync(path, JSON.stringify(body, null, 1) + '\n');
    paths.push(path);
  }
  const md = join(dir, 'latest.md');
  writeFileSync(md, markdown(latestOfEach(dir, run)));
  paths.push(md);
  return paths;
}

/**
 * The run to show in latest.md: this run's results, plus the newest stored
 * result of every other benchmark in `dir` (a `--only` run no longer drops the
 * rest). Rows of earlier runs carry their date in the title. This run's order
 * first, then the others by name.
 */
export function latestOfEach(dir, run) {
  const newest = new Map();
  for (const f of readdirSync(dir)) {
    const m = /^(\d{4}-\d{2}-\d{2})-(.+)\.json$/.exec(f);
    if (!m || run.results.some((r) => r.name === m[2])) continue;
    if (!newest.has(m[2]) || newest.get(m[2]).date < m[1]) newest.set(m[2], { date: m[1], file: f });
  }
  const older = [...newest.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .flatMap(([, { file }]) => {
      try {
        const b = JSON.parse(readFileSync(join(dir, file), 'utf8'));
        return [{ ...b, name: b.benchmark ?? b.name, title: `${b.title} (${b.date})` }];
      } catch {
        return []; // an unreadable old file is left out of the table, not fatal
      }
    });
  return { ...run, results: [...run.results, ...older] };
}
