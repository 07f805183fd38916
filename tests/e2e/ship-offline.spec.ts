// Issue 15: after one online visit the app works without a network: the
// service worker serves the app shell and runtimes, and a whole project runs
// offline: import a CSV, fit TF-IDF, train the default (linear) head, label the
// corpus. Nothing is sent anywhere: the privacy log is empty.
import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { FIXTURES, MOCK_URL } from './helpers';
import { serveDist, type StaticSite } from './ship-server';

// A server per test: the offline tests shut theirs down.
let site: StaticSite;
test.beforeEach(async () => {
  site = await serveDist('/surrogate/');
});
test.afterEach(async () => {
  await site.close();
});

test('after one online visit: import, TF-IDF, train and predict offline, nothing sent', async ({ page, context }) => {
  test.setTimeout(240_000);
  await page.goto(site.url);
  // The first visit saves the app and the runtime wasm (the badge turns "Offline ready").
  const status = page.getByTestId('offline-status');
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(status).toHaveText('Offline ready');
  await status.click();
  await expect(page.getByTestId('runtime-offline')).toContainText('Works offline');

  // Offline, and the host gone too: the browser's own update check for sw.js
  // is not covered by the offline emulation, a closed server answers nothing.
  await context.setOffline(true);
  await site.close();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Surrogate' })).toBeVisible();
  await expect(status).toHaveAttribute('data-status', 'ready');

  await test.step('import a CSV and split it', async () => {
    const csv = readFileSync(`${FIXTURES}/tiny-sentiment.csv`);
    await page.getByTestId('file-input').setInputFiles({ name: 'reviews.csv', mimeType: 'text/csv', buffer: csv });
    await page.getByRole('button', { name: 'Import 58 texts' }).click();
    await expect(page.getByTestId('row-count')).toHaveText('58 texts');
    await page.getByLabel('Validation size').fill('10');
    await page.getByLabel('Test size').fill('10');
    await page.getByRole('button', { name: 'Re-split' }).click();
    await expect(page.getByTestId('split-counts')).toContainText('Training pool: 38');
  });

  await test.step('fit TF-IDF', async () => {
    await page.locator('[data-step="train"]').click();
    await page.getByLabel('Encoder kind').selectOption('tfidf');
    await page.getByRole('button', { name: 'Fit TF-IDF on the training pool' }).click();
    await expect(page.getByTestId('embed-summary')).toBeVisible({ timeout: 60_000 });
  });

  await test.step('train the default linear head on human labels and label the corpus', async () => {
    await page.getByLabel('Human labels').check();
    await page.getByRole('button', { name: 'Train student' }).click();
    await expect(page.getByTestId('train-result')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('student-row')).toHaveCount(1);
    await page.getByTestId('student-row').getByRole('button', { name: 'Label the whole corpus' }).click();
    const dist = page.getByTestId('distribution').first();
    await expect(dist).toContainText(/negative: \d+.*positive: \d+/, { timeout: 60_000 });
    const counts = (await dist.textContent())!.match(/\d+/g)!.map(Number);
    expect(counts[0] + counts[1]).toBe(58);
  });

  await test.step('the privacy log shows nothing sent', async () => {
    await page.locator('[data-step="teacher"]').click();
    await expect(page.getByLabel('Privacy log')).toContainText('No text of this project has been sent yet.');
  });
});

test('"make this model available offline" saves the encoder; it then embeds without a network', async ({ page, context }) => {
  test.setTimeout(240_000);
  await page.goto(site.url);
  await expect(page.getByTestId('offline-status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await page.getByTestId('file-input').setInputFiles(`${FIXTURES}/tiny-sentiment.csv`);
  await page.getByRole('button', { name: 'Import 58 texts' }).click();
  await expect(page.getByTestId('row-count')).toHaveText('58 texts');

  // The tiny encoder from the mock server's mirror, on wasm.
  await page.locator('[data-step="train"]').click();
  await page.getByLabel('Model id').fill('tiny-distilbert');
  await page.getByLabel('Model id').press('Tab');
  await page.getByLabel('Model source').selectOption('url');
  await page.getByLabel('Mirror base URL').fill(`${MOCK_URL}/models`);
  await page.getByLabel('Mirror base URL').press('Tab');
  await page.getByLabel('Device').selectOption('wasm');

  await page.getByTestId('backend-badge').click();
  const model = page.getByTestId('model-offline');
  await expect(model).toContainText('not saved in this browser yet');
  await page.getByRole('button', { name: 'Make this model available offline' }).click();
  await expect(model).toContainText(/saved in this browser \(\d+ files, [\d.]+ [kM]B\), available offline/, { timeout: 60_000 });

  await context.setOffline(true);
  await site.close();
  await page.reload();
  await page.getByRole('button', { name: 'Embed all texts' }).click();
  await expect(page.getByTestId('embed-summary')).toContainText(/58 embedded now/, { timeout: 120_000 });
});

test('installable: the manifest gives a start URL inside the app, standalone display and 192/512 px icons', async ({ page }) => {
  await page.goto(site.url);
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  const at = new URL(href!, site.url);
  const m = (await (await fetch(at)).json()) as {
    display: string;
    start_url: string;
    scope: string;
    name: string;
    icons: { src: string; sizes: string; type: string; purpose?: string }[];
  };
  expect(m.name).toContain('Surrogate');
  expect(m.display).toBe('standalone');
  expect(new URL(m.start_url, at).href).toBe(site.url);
  expect(new URL(m.scope, at).href).toBe(site.url);
  for (const size of [192, 512]) {
    const icon = m.icons.find((i) => i.sizes === `${size}x${size}` && i.type === 'image/png' && i.purpose !== 'maskable');
    expect(icon, `${size}px icon`).toBeDefined();
    const png = Buffer.from(await (await fetch(new URL(icon!.src, at))).arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]); // IHDR width, height
  }
  expect(m.icons.some((i) => i.purpose === 'maskable')).toBe(true);
});
