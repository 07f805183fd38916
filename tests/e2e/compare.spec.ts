// Issue 7: the paper's experiment in one click. From import to the Compare
// table in real Chromium: the mock LLM labels the texts (cue-word rules, with
// flips so repeats disagree), Validate scores the teacher, Compare trains every
// student on the tiny encoder and scores them on the human test set, the charts
// draw, and the corpus and results exports carry everything.
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { test, expect, type Page, type Download } from '@playwright/test';
import { mockConfig, mockReset, setupProject, SENTIMENT_RULES, useTinyEncoder } from './helpers';

const SHOTS = process.env.SHOTS_DIR ?? 'test-results/compare';
const RULES = SENTIMENT_RULES;

async function text(d: Promise<Download>): Promise<string> {
  return readFileSync((await (await d).path())!, 'utf8');
}

/** Import, split 12/12, codebook, endpoint: everything the teacher needs, through the UI. */
async function setup(page: Page): Promise<void> {
  // tfjs on wasm: SwiftShader WebGPU is slow for training many students.
  await setupProject(page, { path: '/?tfjs=wasm' });
}

test.beforeEach(async () => {
  await mockReset();
  await mockConfig({ models: ['mock-model'], rules: RULES, flip: 0.3, seed: 5 });
});

test('from import to the Compare table, charts and exports', async ({ page }) => {
  test.setTimeout(360_000);
  await setup(page);

  await test.step('the teacher labels every text', async () => {
    await page.locator('[data-step="teacher"]').click();
    await page.getByRole('button', { name: 'Start labeling' }).click();
    await expect(page.getByTestId('teacher-state')).toHaveText('Done', { timeout: 90_000 });
  });

  await test.step('Validate shows the teacher against people', async () => {
    await page.locator('[data-step="validate"]').click();
    const metrics = page.getByTestId('teacher-metrics');
    await expect(metrics).toContainText('Scored on 12 of 12 validation texts');
    await expect(metrics).toContainText('F1 (positive)');
    await expect(metrics).toContainText("Cohen's kappa");
    await expect(page.getByTestId('confusion').locator('tbody td')).toHaveCount(4);
    await expect(page.getByTestId('consistency-chart').locator('svg rect').first()).toBeVisible();
    await expect(page.getByTestId('version-table')).toContainText('v1 (active)');
    // Every validation text is listed under "all", with its three answers.
    await page.getByLabel(/^All validation texts/).check();
    await expect(page.getByTestId('review-table').locator('tbody tr')).toHaveCount(12);
    const answers = await page.getByTestId('review-table').locator('td.answers').first().textContent();
    expect(answers!.split(' · ')).toHaveLength(3);
    // The disagreement filter's count matches its rows.
    const disagree = page.getByLabel(/^Teacher ≠ human/);
    const n = Number((await disagree.locator('..').textContent())!.match(/\((\d+)\)/)![1]);
    await disagree.check();
    await expect(page.getByTestId('review-table').locator('tbody tr')).toHaveCount(n);
    await page.getByLabel(/^All validation texts/).check();
    await page.screenshot({ path: `${SHOTS}/validate.png`, fullPage: true });
  });

  await test.step('the tiny encoder from the mock mirror, on wasm', async () => {
    await useTinyEncoder(page);
  });

  const names: string[] = [];
  await test.step('Compare runs every condition', async () => {
    // The decision rule is a project setting: chosen on Train, used and named by Compare.
    await page.locator('[data-step="train"]').click();
    await page.getByLabel('Decision rule').selectOption('argmax');
    await page.locator('[data-step="compare"]').click();
    await expect(page.getByText(/decision rule: plain argmax \(set on the Train step\)/)).toBeVisible();
    // The default linear head: no Adam grid to choose.
    await expect(page.getByLabel('Hyper-parameter search')).toHaveCount(0);
    // Cancel stops the run at once and saves nothing.
    await page.getByRole('button', { name: 'Run comparison' }).click();
    await page.getByTestId('compare-progress').getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByText('Cancelled; no comparison was saved.')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('comparison-table')).toHaveCount(0);

    await page.getByRole('button', { name: 'Run comparison' }).click();
    const table = page.getByTestId('comparison-table');
    await expect(table).toBeVisible({ timeout: 240_000 });
    names.push(...(await table.locator('tbody tr td .cond').allTextContents()));
    const all = names.join('\n');
    expect(all).toContain('LLM few-shot (mock-model)');
    expect(all).toContain('Student on 34 LLM labels');
    expect(all).toContain('Student on 34 human labels');
    expect(all).toMatch(/Student on \d+ LLM labels with consistency = 1/);
    expect(all).toContain('TF-IDF baseline on 34 LLM labels');
    expect(all).toContain('Student on 17 LLM labels'); // learning curve
    expect(all).toMatch(/Always the majority label \(“.+”\)/); // the trivial baselines beside the students
    await expect(table.locator('thead')).toContainText('κ');
    await expect(table.locator('thead')).toContainText('AUC');
    await expect(table).toContainText('tiny-distilbert');
    await expect(table).toContainText('L-BFGS'); // the linear head's fitter, in the backend column
    await expect(page.getByTestId('table-note').filter({ hasText: 'decision rule' })).toHaveText(
      "The students' decision rule: plain argmax.",
    );
    await expect(page.getByLabel('Results')).toContainText('decision rule: plain argmax · seed');
    await expect(page.getByTestId('headlines')).toContainText('Pangakis & Wolken (2024)');
    await expect(page.getByTestId('paper-reference')).toContainText('0.586');
    for (const id of ['chart-bars', 'chart-sweep', 'chart-curve']) {
      const svg = page.getByTestId(id).locator('svg').first();
      await expect(svg).toBeVisible();
      expect(await svg.locator('path, rect, circle').count()).toBeGreaterThan(2);
    }
    await expect(page.locator('[data-step="compare"]')).toContainText('Comparison ready');
    await page.screenshot({ path: `${SHOTS}/compare.png`, fullPage: true });
    await page.getByLabel('Results').screenshot({ path: `${SHOTS}/compare-results.png` });
    await page.getByLabel('Charts').screenshot({ path: `${SHOTS}/compare-charts.png` });

    const svgFile = await text(
      Promise.all([page.waitForEvent('download'), page.getByTestId('chart-bars').getByRole('button', { name: 'SVG' }).click()]).then(
        ([d]) => d,
      ),
    );
    expect(svgFile).toMatch(/^<\?xml[\s\S]*<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const png = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('chart-curve').getByRole('button', { name: 'PNG' }).click(),
    ]).then(([d]) => d);
    expect(png.suggestedFilename()).toBe('comparison-learning-curve.png');
    expect(
      readFileSync((await png.path())!)
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  await test.step('a reload shows the last comparison', async () => {
    await page.reload();
    await expect(page.getByTestId('comparison-table').locator('tbody tr')).toHaveCount(names.length);
  });

  await test.step("Compare's students are folded away in the Train list", async () => {
    await page.locator('[data-step="train"]').click();
    const toggle = page.getByLabel(/students trained by Compare runs/);
    await expect(toggle).toBeVisible();
    await expect(page.getByTestId('student-row')).toHaveCount(0);
    await toggle.check();
    expect(await page.getByTestId('student-row').count()).toBeGreaterThan(0);
  });

  await test.step('exports: corpus CSV and results Markdown', async () => {
    await page.locator('[data-step="export"]').click();
    const csv = await text(
      Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Corpus CSV' }).click()]).then(([d]) => d),
    );
    const parsed = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data).toHaveLength(58);
    expect(parsed.meta.fields).toEqual([
      'id',
      'text',
      'human',
      'answer_1',
      'answer_2',
      'answer_3',
      'majority',
      'consistency',
      'student_prob',
      'student_label',
    ]);
    expect(parsed.data.filter((r) => r.majority === 'positive' || r.majority === 'negative').length).toBeGreaterThan(50);

    const md = await text(
      Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Results Markdown' }).click()]).then(([d]) => d),
    );
    for (const n of names) expect(md).toContain(n.replace(/[\\|*_`]/g, (c) => `\\${c}`).trim());
    await expect(page.getByTestId('methods')).toHaveValue(
      /Following the knowledge-distillation workflow of Pangakis and Wolken \(2024\), we used mock-model/,
    );
  });

  await test.step('the whole project leaves as one file and comes back', async () => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export project' }).click()]);
    expect(file.suggestedFilename()).toMatch(/\.surrogate\.zip$/);
    await page.getByLabel('Import project').setInputFiles((await file.path())!);
    await expect(page.getByText(/^Imported “/)).toBeVisible();
    // The copy opens with its comparison.
    await page.locator('[data-step="compare"]').click();
    await expect(page.getByTestId('comparison-table').locator('tbody tr')).toHaveCount(names.length);
  });
});
