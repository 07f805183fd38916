// Issue 3: the API key stays in memory unless "remember on this device" is
// ticked; "Forget key" removes it; "Test connection" explains failures.
import { test, expect } from '@playwright/test';
import { freshApp, MOCK_URL, mockReset } from './helpers';

test('the key is forgotten on reload unless remembered', async ({ page }) => {
  await mockReset();
  await freshApp(page);
  const open = () => page.getByRole('button', { name: /^Settings/ }).click();
  await open();
  await page.getByLabel('Base URL').fill(`${MOCK_URL}/v1`);
  await page.getByLabel('Model', { exact: true }).fill('mock-model');
  await page.getByLabel(/API key/).fill('sk-secret');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status')).toContainText('Connected');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain('sk-secret');

  await page.reload();
  await open();
  await expect(page.getByLabel('Base URL')).toHaveValue(`${MOCK_URL}/v1`);
  await expect(page.getByLabel(/API key/)).toHaveValue('');

  await page.getByLabel(/API key/).fill('sk-secret');
  await page.getByLabel(/Remember the key/).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.reload();
  await open();
  await expect(page.getByLabel(/API key/)).toHaveValue('sk-secret');
  await page.getByRole('button', { name: 'Forget key' }).click();
  expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain('sk-secret');
});

test('an unreachable endpoint is explained in plain words', async ({ page }) => {
  await freshApp(page);
  await page.getByRole('button', { name: /^Settings/ }).click();
  await page.getByLabel('Base URL').fill('http://127.0.0.1:9/v1'); // nothing listens on the discard port
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status')).toContainText(/reach|CORS|running/i);
});
