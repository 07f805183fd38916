// Issue 6: the Train step in real Chromium. The tiny encoder is served by the
// mock server as a self-hosted mirror; embeddings on wasm and on WebGPU agree;
// a student trained on human labels runs its grid search on tfjs WebGPU, and on
// wasm with ?tfjs=wasm; a reload reuses cached embeddings and keeps the
// students; a student exports to a zip and imports back with the same outputs.
import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import Papa from 'papaparse';
import { freshApp, MOCK_URL, storedEmbeddings } from './helpers';

const CSV = 'tests/fixtures/data/tiny-sentiment.csv';

/**
 * Vite's dev server (E2E_DEV=1) discovers the train worker's tfjs backends on
 * first use, re-bundles them and reloads the page, which would interrupt a
 * test mid-step. Let that happen before the test starts. The built app does not.
 */
async function settleDevServer(page: Page) {
  if (process.env.E2E_DEV !== '1') return;
  await page.goto('/?tfjs=webgpu,webgl,wasm,cpu'); // a ?tfjs= preference starts tfjs at once (the default order)
  await expect(page.getByTestId('backend-badge')).not.toHaveAttribute('data-tfjs', '', { timeout: 90_000 });
  await page.waitForEvent('load', { timeout: 10_000 }).catch(() => undefined); // no reload came: nothing to wait for
}

/** The paper's Adam grid (tfjs), so the tfjs backends are exercised; the default linear head needs no tfjs. */
async function setGrid(page: Page) {
  await page.getByLabel('Human labels').check();
  await page.getByLabel('Head').selectOption('logreg');
  await page.getByLabel('Learning rates').fill('1e-2, 3e-2');
  await page.getByLabel('Batch sizes').fill('16');
  await page.getByLabel('Max epochs').fill('30');
}

/** Trains a student and returns the validation scores shown per configuration. */
async function trainAndRead(page: Page): Promise<number[]> {
  await page.getByRole('button', { name: 'Train student' }).click();
  const result = page.getByTestId('train-result');
  await expect(result).toBeVisible({ timeout: 300_000 });
  await expect(page.getByTestId('chosen-config')).toContainText(/learning rate (1e-2|3e-2), batch size 16, \d+ epochs/);
  const cells = await result.locator('tbody tr td:nth-child(6)').allTextContents();
  expect(cells).toHaveLength(2);
  return cells.map(Number);
}

test('embed on wasm and WebGPU, train on WebGPU and wasm, reload, export and re-import', async ({ page }) => {
  test.setTimeout(900_000);
  await settleDevServer(page);
  await freshApp(page);
  await page.getByTestId('file-input').setInputFiles(CSV);
  await page.getByRole('button', { name: /Import 58 texts/ }).click();
  await page.getByLabel('Validation size').fill('10');
  await page.getByLabel('Test size').fill('10');
  await page.getByRole('button', { name: 'Re-split' }).click();
  await expect(page.getByTestId('split-counts')).toContainText('Training pool: 38');

  await page.locator('[data-step="train"]').click();
  await page.getByLabel('Encoder kind').selectOption('transformers');
  await page.getByLabel('Model id').fill('tiny-distilbert');
  await page.getByLabel('Model id').press('Tab');
  await page.getByLabel('Model source').selectOption('url');
  await page.getByLabel('Mirror base URL').fill(`${MOCK_URL}/models`);
  await page.getByLabel('Mirror base URL').press('Tab');

  await test.step('embed on wasm', async () => {
    await page.getByLabel('Device').selectOption('wasm');
    await page.getByRole('button', { name: 'Embed all texts' }).click();
    await expect(page.getByTestId('embed-summary')).toContainText(/58 distinct texts: 0 cached, 58 embedded now/, { timeout: 120_000 });
    await expect(page.getByTestId('embed-facts')).toContainText('device: wasm');
    await expect(page.getByTestId('backend-badge')).toContainText('transformers.js: wasm');
  });

  await test.step('embed on WebGPU; the vectors agree with wasm', async () => {
    await page.getByLabel('Device').selectOption('webgpu');
    await page.getByRole('button', { name: 'Embed all texts' }).click();
    await expect(page.getByTestId('embed-facts')).toContainText('device: webgpu', { timeout: 120_000 });
    await expect(page.getByTestId('embed-summary')).toContainText(/58 embedded now/, { timeout: 120_000 });
    const stored = await storedEmbeddings(page);
    const wasm = stored['emb-v1|tiny-distilbert|q8|mean|l2'];
    const gpu = stored['emb-v1|tiny-distilbert|fp32|mean|l2'];
    expect(Object.keys(wasm)).toHaveLength(58);
    expect(Object.keys(gpu).sort()).toEqual(Object.keys(wasm).sort());
    let worst = 0;
    for (const [hash, v] of Object.entries(wasm)) v.forEach((x, k) => (worst = Math.max(worst, Math.abs(x - gpu[hash][k]))));
    expect(worst).toBeLessThan(1e-3);
  });

  await test.step('train on human labels with tfjs on WebGPU', async () => {
    await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-tfjs', 'webgpu', { timeout: 90_000 });
    await setGrid(page);
    await expect(page.getByTestId('train-available')).toContainText('38 of 38');
    const scores = await trainAndRead(page);
    expect(Math.max(...scores)).toBeGreaterThanOrEqual(0.7); // cue words make this easy
    await expect(page.getByTestId('train-backend')).toHaveText('webgpu');
    await expect(page.getByTestId('student-row')).toHaveCount(1);
    await expect(page.locator('[data-step="train"]')).toContainText('1 student trained');
  });

  await test.step('label the corpus, export the model and import it back', async () => {
    const row = page.getByTestId('student-row').first();
    await row.getByRole('button', { name: 'Label the whole corpus' }).click();
    const dist = page.getByTestId('distribution').first();
    await expect(dist).toContainText(/negative: \d+.*positive: \d+/);
    const counts = (await dist.textContent())!.match(/\d+/g)!.map(Number);
    expect(counts[0] + counts[1]).toBe(58);

    const downloading = page.waitForEvent('download');
    await row.getByRole('button', { name: 'Export model' }).click();
    const file = await downloading;
    expect(file.suggestedFilename()).toMatch(/\.zip$/);
    const path = await file.path();
    await page.getByLabel('Import model').setInputFiles({ name: 'student.zip', mimeType: 'application/zip', buffer: readFileSync(path) });
    await expect(page.getByTestId('student-row')).toHaveCount(2);
    const imported = page.getByTestId('student-row').nth(1);
    await expect(imported).toContainText('(imported)');
    await imported.getByRole('button', { name: 'Label the whole corpus' }).click();
    await expect(page.getByTestId('distribution').nth(1)).toHaveText((await dist.textContent())!);
  });

  await test.step('the project with its embeddings as one file, back in an emptied browser with every vector', async () => {
    const before = await storedEmbeddings(page);
    await page.locator('[data-step="export"]').click();
    await page.getByLabel('Include embeddings (large)').check();
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export project' }).click()]);
    const bytes = readFileSync((await file.path())!);
    const names = Object.keys(unzipSync(bytes));
    expect(names[0]).toBe('surrogate.json');
    expect(names.filter((n) => /^vectors\/\d+\.bin$/.test(n))).toHaveLength(2); // one chunk per key: wasm's q8, WebGPU's fp32
    // An emptied browser: the database deleted (the app and its workers step aside), the page reloaded.
    await page.evaluate(
      () =>
        new Promise<void>((ok, fail) => {
          const del = indexedDB.deleteDatabase('surrogate');
          del.onsuccess = () => ok();
          del.onerror = () => fail(del.error);
        }),
    );
    await page.reload();
    expect(await storedEmbeddings(page)).toEqual({});
    await page.getByTestId('file-input').setInputFiles(CSV);
    await page.getByRole('button', { name: /Import 58 texts/ }).click();
    await page.locator('[data-step="export"]').click();
    await page.getByLabel('Import project').setInputFiles({ name: 'project.surrogate.zip', mimeType: 'application/zip', buffer: bytes });
    await expect(page.getByText(/^Imported “/)).toBeVisible();
    // Every vector is back, as the imported project's own (store/embeddings.ts projectVectorKey): none in the shared cache.
    const after = await storedEmbeddings(page);
    expect(Object.keys(after).every((k) => k.startsWith('project|'))).toBe(true);
    expect(Object.fromEntries(Object.entries(after).map(([k, v]) => [k.replace(/^project\|[^|]+\|/, ''), v]))).toEqual(before);
    // The corpus labels came back with their ids packed: every row of the corpus file has the student's label.
    await expect(page.getByText(/, and the label of “/)).toBeVisible();
    const [corpus] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Corpus CSV' }).click()]);
    const csv = Papa.parse<Record<string, string>>(readFileSync((await corpus.path())!, 'utf8'), { header: true, skipEmptyLines: true });
    expect(csv.data).toHaveLength(58);
    expect(csv.data.filter((r) => ['negative', 'positive'].includes(r.student_label) && Number(r.student_prob) >= 0.5)).toHaveLength(58);
    await page.locator('[data-step="train"]').click();
  });

  await test.step('reload with ?tfjs=wasm: cached embeddings, students kept, training on wasm', async () => {
    await page.goto('/?tfjs=wasm');
    await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-tfjs', 'wasm', { timeout: 90_000 });
    await expect(page.getByTestId('student-row')).toHaveCount(2);
    await page.getByRole('button', { name: 'Embed all texts' }).click();
    await expect(page.getByTestId('embed-summary')).toContainText('58 distinct texts: 58 cached, 0 embedded now');
    await setGrid(page);
    const scores = await trainAndRead(page);
    expect(Math.max(...scores)).toBeGreaterThanOrEqual(0.7);
    await expect(page.getByTestId('train-backend')).toHaveText('wasm');
    await expect(page.getByTestId('student-row')).toHaveCount(3);
  });

  await test.step('the default linear head: C and class weights by cross-validation, label shares beside the humans’', async () => {
    await page.getByLabel('Head').selectOption('linear');
    await expect(page.getByTestId('linear-note')).toContainText('5-fold cross-validation');
    await expect(page.getByLabel('Learning rates')).toHaveCount(0);
    await page.getByRole('button', { name: 'Train student' }).click();
    const result = page.getByTestId('train-result');
    await expect(result).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('chosen-config')).toContainText(/C = [\d.]+, (balanced|no) class weights/);
    await expect(page.getByTestId('chosen-config')).toContainText(
      /selected by out-of-fold log loss; decision rule: (label like the teacher|plain argmax)/,
    );
    await expect(page.getByTestId('train-backend')).toHaveText('plain JS (L-BFGS)');
    await expect(result.getByTestId('label-shares')).toContainText(/out-of-fold \(5-fold cross-validation\) on its 38 training texts/);
    // 9 values of C × 2 class weightings, each with a cross-validated F1.
    await result.getByText(/Cross-validated score per configuration/).click();
    const cells = await result.locator('tbody tr td:nth-child(4)').allTextContents();
    expect(cells).toHaveLength(18);
    expect(Math.max(...cells.map(Number))).toBeGreaterThanOrEqual(0.7);
    await expect(page.getByTestId('student-row')).toHaveCount(4);
    await page.screenshot({ path: 'test-results/train-step.png', fullPage: true });
  });
});

test('a model folder picked on this computer is read in the browser, not fetched', async ({ page }) => {
  test.setTimeout(300_000);
  const fetched: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/models/')) fetched.push(r.url());
  });
  await settleDevServer(page);
  await freshApp(page);
  await page.getByTestId('file-input').setInputFiles(CSV);
  await page.getByRole('button', { name: /Import 58 texts/ }).click();
  await page.locator('[data-step="train"]').click();
  await page.getByLabel('Encoder kind').selectOption('transformers');
  await page.getByLabel('Model id').fill('tiny-distilbert');
  await page.getByLabel('Model id').press('Tab');
  await page.getByLabel('Model source').selectOption('files');
  await page.getByLabel('Device').selectOption('wasm');
  await page.getByLabel('Model folder').setInputFiles('tests/fixtures/models/tiny-distilbert');
  await expect(page.getByText(/Using \d+ files from “tiny-distilbert”/)).toBeVisible();
  await page.getByRole('button', { name: 'Embed all texts' }).click();
  await expect(page.getByTestId('embed-summary')).toContainText('58 distinct texts: 0 cached, 58 embedded now', { timeout: 120_000 });
  expect(fetched).toEqual([]);
});
