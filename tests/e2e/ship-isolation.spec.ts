// Issue 15: a host that sends no COOP/COEP headers (GitHub Pages, a university
// web folder) still gets a cross-origin isolated page: the service worker adds
// the headers, the page reloads once when it takes over, and the badge says
// which mode it runs in. The built app is served under a sub-path, as there.
import { test, expect } from '@playwright/test';
import { serveDist, type StaticSite } from './ship-server';

let site: StaticSite;
test.beforeAll(async () => {
  site = await serveDist('/lab/surrogate/');
});
test.afterAll(async () => {
  await site?.close();
});

test('a header-less host: isolated by the service worker after one reload, under a sub-path', async ({ page }) => {
  // The host itself sends no isolation headers.
  const raw = await fetch(site.url);
  expect(raw.headers.get('cross-origin-embedder-policy')).toBeNull();
  expect(raw.headers.get('cross-origin-opener-policy')).toBeNull();

  let loads = 0;
  page.on('load', () => loads++);
  await page.goto(site.url);
  const badge = page.getByTestId('backend-badge');
  // The service worker installs, takes over and the page reloads itself once.
  await expect.poll(async () => page.evaluate(() => crossOriginIsolated).catch(() => false), { timeout: 60_000 }).toBe(true);
  await expect(badge).toHaveAttribute('data-isolation', 'service-worker');
  await expect(badge).toContainText('isolated (service worker)');
  expect(loads).toBe(2);
  expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
  // The runtime panel says it in words.
  await badge.click();
  await expect(page.getByTestId('runtime-isolation')).toContainText('isolated by the service worker');

  // Everything came from under the sub-path, and nothing was missing.
  expect(site.requests.length).toBeGreaterThan(5);
  expect(site.requests.filter((r) => r.status !== 200)).toEqual([]);

  // A further reload stays isolated (the worker now serves the page) and does not loop.
  await page.reload();
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(badge).toHaveAttribute('data-isolation', 'service-worker');
  expect(loads).toBe(3);
});

test('a host that sends the headers: the badge says the headers isolate it', async ({ page }) => {
  await page.goto('/'); // vite preview sends COOP/COEP (vite.config.ts)
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-isolation', 'headers');
  await expect(page.getByTestId('backend-badge')).toContainText('isolated (headers)');
});
