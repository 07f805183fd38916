// Issue 15, then 25: after one online visit the app works without a network.
// The service worker saves the app shell on install and a runtime (ONNX
// Runtime, tfjs wasm) the first time it is used; transformers.js keeps the
// model files it loaded. So a TF-IDF user never downloads ONNX Runtime and
// works offline after one look; an embedding user works offline after one
// embedding run; and what was never used says plainly that its first use needs
// a connection. Nothing is sent anywhere: the privacy log stays empty.
import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { FIXTURES, useTinyEncoder } from './helpers';
import { serveDist, type StaticSite } from './ship-server';

// A server per test: the offline tests shut theirs down.
let site: StaticSite;
test.beforeEach(async () => {
  site = await serveDist('/surrogate/');
});
test.afterEach(async () => {
  await site.close();
});

const ortRequests = () => site.requests.filter((r) => r.path.includes('/ort/'));

/** The first visit: the app is saved (the badge turns "Offline ready"). */
async function firstVisit(page: Page) {
  await page.goto(site.url);
  const status = page.getByTestId('offline-status');
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(status).toHaveText('Offline ready');
}

/** Offline, and the host gone too: the browser's own update check for sw.js is not covered by the offline emulation. */
async function goOffline(page: Page, context: import('@playwright/test').BrowserContext) {
  await context.setOffline(true);
  await site.close();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Surrogate' })).toBeVisible();
  await expect(page.getByTestId('offline-status')).toHaveAttribute('data-status', 'ready');
}

async function importCsv(page: Page) {
  const csv = readFileSync(`${FIXTURES}/tiny-sentiment.csv`);
  await page.getByTestId('file-input').setInputFiles({ name: 'reviews.csv', mimeType: 'text/csv', buffer: csv });
  await page.getByRole('button', { name: 'Import 58 texts' }).click();
  await expect(page.getByTestId('row-count')).toHaveText('58 texts');
}

test('a TF-IDF user: one look online, then import, TF-IDF, train and predict offline; ONNX Runtime never downloaded', async ({
  page,
  context,
}) => {
  test.setTimeout(240_000);
  await firstVisit(page);
  await page.getByTestId('offline-status').click();
  await expect(page.getByTestId('runtime-offline')).toContainText('The app works offline');
  const ort = page.getByTestId('runtimes-offline').getByRole('listitem').filter({ hasText: 'ONNX Runtime' });
  await expect(ort).toHaveAttribute('data-saved', 'false');
  await expect(ort).toContainText('not saved yet');
  await expect(ort).toContainText('needs a connection');

  await goOffline(page, context);

  await test.step('import a CSV and split it', async () => {
    await importCsv(page);
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

  await test.step('an encoder never used: its first use needs a connection, and the app says so', async () => {
    await page.getByLabel('Encoder kind').selectOption('transformers');
    await useTinyEncoder(page);
    await page.getByRole('button', { name: 'Embed all texts' }).click();
    await expect(page.getByTestId('embed-error')).toContainText('needs a connection once', { timeout: 60_000 });
  });

  await test.step('an in-browser teacher never loaded: the same plain words, not a raw fetch error', async () => {
    await page.locator('[data-step="teacher"]').click();
    await page.getByLabel('In this browser').check();
    await page.getByLabel('Local model id').fill('tiny-causal-lm');
    await page.getByLabel('Local model id').press('Tab');
    await page.getByRole('button', { name: 'Load model' }).click();
    const alert = page.getByRole('region', { name: 'Teacher model' }).getByRole('alert');
    await expect(alert).toContainText('You are offline', { timeout: 60_000 });
    await expect(alert).toContainText('the model files of tiny-causal-lm');
    await expect(alert).toContainText('needs a connection once');
    await page.getByLabel(/An OpenAI-compatible endpoint/).check();
  });

  await test.step('the privacy log shows nothing sent', async () => {
    await page.locator('[data-step="teacher"]').click();
    await expect(page.getByLabel('Privacy log')).toContainText('No text of this project has been sent yet.');
  });
  expect(ortRequests()).toEqual([]);
});

test('an embedding user: after one embedding run online, embedding works offline', async ({ page, context }) => {
  test.setTimeout(240_000);
  await firstVisit(page);
  expect(ortRequests()).toEqual([]); // not on install: on first use
  await importCsv(page);
  await useTinyEncoder(page);
  await page.getByRole('button', { name: 'Embed all texts' }).click();
  await expect(page.getByTestId('embed-summary')).toContainText(/58 embedded now/, { timeout: 120_000 });
  expect(ortRequests().map((r) => r.status)).toEqual([200, 200]); // its glue and its wasm, once

  await page.getByTestId('backend-badge').click();
  const ort = page.getByTestId('runtimes-offline').getByRole('listitem').filter({ hasText: 'ONNX Runtime' });
  await expect(ort).toHaveAttribute('data-saved', 'true');
  await expect(ort).toContainText(/saved \([\d.]+ MB\), works offline/);
  await expect(page.getByTestId('model-offline')).toContainText(/saved in this browser \(\d+ files, [\d.]+ [kM]B\), available offline/);

  await goOffline(page, context);
  // Another recipe of the same model (a prefix changes every vector), so it really embeds again, offline.
  await page.locator('[data-step="train"]').click();
  await page.getByLabel('Prefix').fill('again: ');
  await page.getByLabel('Prefix').press('Tab');
  await page.getByRole('button', { name: 'Embed all texts' }).click();
  await expect(page.getByTestId('embed-summary')).toContainText(/58 embedded now/, { timeout: 120_000 });
});

test('"make this model available offline" saves the encoder and ONNX Runtime; it then embeds without a network', async ({
  page,
  context,
}) => {
  test.setTimeout(240_000);
  await firstVisit(page);
  await importCsv(page);
  await useTinyEncoder(page);

  await page.getByTestId('backend-badge').click();
  const model = page.getByTestId('model-offline');
  await expect(model).toContainText('not saved in this browser yet');
  await expect(model).toContainText('needs a connection once');
  await page.getByRole('button', { name: 'Make this model available offline' }).click();
  await expect(model).toContainText(/saved in this browser \(\d+ files, [\d.]+ [kM]B\), available offline/, { timeout: 60_000 });
  const ort = page.getByTestId('runtimes-offline').getByRole('listitem').filter({ hasText: 'ONNX Runtime' });
  await expect(ort).toHaveAttribute('data-saved', 'true');

  await goOffline(page, context);
  await page.getByRole('button', { name: 'Embed all texts' }).click();
  await expect(page.getByTestId('embed-summary')).toContainText(/58 embedded now/, { timeout: 120_000 });
});

test('"save all runtimes now" saves ONNX Runtime and tfjs wasm before any use', async ({ page }) => {
  await firstVisit(page);
  await page.getByTestId('offline-status').click();
  await page.getByRole('button', { name: /Save all runtimes now \(28\.\d MB\)/ }).click();
  const items = page.getByTestId('runtimes-offline').getByRole('listitem');
  await expect(items.and(page.locator('[data-saved="true"]'))).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByRole('button', { name: /Save all runtimes now/ })).toHaveCount(0);
  expect(ortRequests().map((r) => r.status)).toEqual([200, 200]);
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
