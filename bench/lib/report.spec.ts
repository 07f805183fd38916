import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dateStamp, fmtRatio, markdown, writeResults } from './report.mjs';

const run = {
  date: '2025-01-02',
  mode: 'default',
  env: { cpus: 2, loadavg: [1, 2, 3], node: 'v20', browser: 'Chromium 1', gpu: null },
  results: [
    {
      name: 'a',
      title: 'Alpha',
      status: 'ok',
      figures: [{ figure: 'x / y', ratio: 0.256, detail: '1 | 2' }],
      notes: ['n1'],
      raw: { k: 1 },
    },
    { name: 'b', title: 'Beta', status: 'skipped', reason: 'no weights', figures: [], raw: null },
  ],
};

describe('report', () => {
  it('formats ratios and dates', () => {
    expect(fmtRatio(0.2561)).toBe('0.26');
    expect(fmtRatio(12.34)).toBe('12.3');
    expect(fmtRatio(null)).toBe('—');
    expect(fmtRatio(NaN)).toBe('—');
    expect(dateStamp(new Date(2024, 0, 5))).toBe('2024-01-05');
  });

  it('renders one row per figure, a line per skip, and escapes pipes', () => {
    const md = markdown(run);
    expect(md).toContain('| Alpha | x / y | 0.26 | 1 \\| 2 |');
    expect(md).toContain('| Beta | skipped | — | no weights |');
    expect(md).toContain('- **Alpha**: n1');
  });

  it('keeps the newest stored result of every other benchmark in latest.md', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    try {
      writeResults(dir, {
        ...run,
        date: '2024-12-01',
        results: [{ ...run.results[0], name: 'old', title: 'Old one', figures: [{ figure: 'f', ratio: 1, detail: 'older' }] }],
      });
      writeResults(dir, {
        ...run,
        date: '2024-12-05',
        results: [{ ...run.results[0], name: 'old', title: 'Old one', figures: [{ figure: 'f', ratio: 2, detail: 'newer' }] }],
      });
      writeResults(dir, run);
      const md = readFileSync(join(dir, 'latest.md'), 'utf8');
      expect(md).toContain('| Alpha | x / y | 0.26 |');
      expect(md).toContain('| Old one (2024-12-05) | f | 2.00 | newer |');
      expect(md).not.toContain('older');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes one JSON per benchmark plus latest.md', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    try {
      const paths = writeResults(dir, run);
      expect(paths.map((p) => p.slice(dir.length + 1))).toEqual(['2025-01-02-a.json', '2025-01-02-b.json', 'latest.md']);
      const a = JSON.parse(readFileSync(paths[0], 'utf8'));
      expect(a).toMatchObject({ benchmark: 'a', status: 'ok', raw: { k: 1 }, env: { cpus: 2 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
