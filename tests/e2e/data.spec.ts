// Issue 4: import a CSV with the picker, map columns, write a codebook, see
// the splits, reload and find everything still there; a broken file gives a
// clear message and imports nothing; dataset HTML is shown as text.
import { test, expect } from '@playwright/test';
import { freshApp } from './helpers';

const FIXTURES = 'tests/fixtures/data';

test('import, map, codebook, splits — and a reload keeps it all', async ({ page }) => {
  await freshApp(page);
  await page.getByTestId('file-input').setInputFiles(`${FIXTURES}/tiny-sentiment.csv`);
  await expect(page.getByLabel('Text column')).toHaveValue('text');
  await expect(page.getByLabel('Id column')).toHaveValue('id');
  await expect(page.getByLabel('Label column')).toHaveValue('label');
  await expect(page.getByTestId('import-report')).toContainText('58');
  // A wrong id column (labels repeat) is refused with the row named, before anything is stored.
  await page.getByLabel('Id column').selectOption('label');
  await expect(page.getByTestId('mapping-error')).toContainText(/same id .*unique/);
  await expect(page.getByRole('button', { name: /^Import/ })).toBeDisabled();
  await page.getByLabel('Id column').selectOption('id');
  await page.getByRole('button', { name: /Import 58 texts/ }).click();
  await expect(page.getByTestId('row-count')).toHaveText('58 texts');

  // Small splits for a small dataset.
  await page.getByLabel('Validation size').fill('12');
  await page.getByLabel('Test size').fill('12');
  await page.getByRole('button', { name: 'Re-split' }).click();
  const counts = page.getByTestId('split-counts');
  await expect(counts).toContainText('Validation: 12');
  await expect(counts).toContainText('Test: 12');
  await expect(counts).toContainText('Training pool: 34');

  // The injected markup is visible as text and never runs.
  await page.getByLabel('Search texts').fill('charger');
  await expect(page.getByTestId('rows-table')).toContainText('<img src=x onerror="window.__xss=1">');
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page.locator('[data-testid="rows-table"] img').count()).toBe(0);

  // Codebook: labels start from the human labels; fill definitions and save.
  await page.locator('[data-step="codebook"]').click();
  await page.getByLabel('Task name').fill('Review sentiment');
  await page.getByLabel('Instructions').fill('Decide whether the review is positive or negative overall.');
  await expect(page.getByLabel('Label 1 name')).toHaveValue('negative');
  await page.getByLabel('Label 1 definition').fill('Dissatisfied overall.');
  await page.getByLabel('Label 2 definition').fill('Satisfied overall.');
  await page.getByRole('button', { name: 'Add one per label from human-labeled rows' }).click();
  await page.getByRole('button', { name: 'Save version' }).click();
  await expect(page.getByRole('status')).toContainText('Saved as version 1');
  await expect(page.getByTestId('prompt-preview')).toContainText('negative: Dissatisfied overall.');

  // Editing makes version 2; the old one stays selectable.
  await page.getByLabel('Label 2 definition').fill('Satisfied overall; would recommend.');
  await page.getByRole('button', { name: 'Save version' }).click();
  await expect(page.getByRole('status')).toContainText('Saved as version 2');

  await page.reload();
  await expect(page.getByLabel('Codebook version')).toHaveValue('2');
  await expect(page.getByLabel('Label 2 definition')).toHaveValue('Satisfied overall; would recommend.');
  await expect(page.locator('[data-step="data"]')).toContainText('58 texts');
  await page.locator('[data-step="data"]').click();
  await expect(page.getByTestId('split-counts')).toContainText('Validation: 12');
  await expect(page.getByTestId('split-counts')).toContainText('Training pool: 34');
});

test('a broken file gets a clear message and imports nothing', async ({ page }) => {
  await freshApp(page);
  await page.getByTestId('file-input').setInputFiles(`${FIXTURES}/broken.csv`);
  const err = page.getByTestId('import-error');
  await expect(err).toContainText('broken.csv');
  await expect(err).toContainText(/quote/i);
  await expect(err).toContainText(/row|line/i);
  await expect(page.getByRole('button', { name: /^Import \d/ })).toHaveCount(0);

  // Not a table at all.
  await page.getByTestId('file-input').setInputFiles({
    name: 'photo.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  });
  await expect(err).toContainText('photo.csv');
  await page.reload();
  await expect(page.locator('[data-step="data"]')).toContainText('Import texts');
});
