// What a first visit downloads, with the service worker on (issue 25): three
// visitors in fresh browser profiles against a built app on a header-less
// static host (tests/e2e/ship-server.ts) and a model host on another origin,
// both counting the body bytes they send. Each visitor's total includes what
// the service worker fetches for itself (its install, any background saving):
// the count is taken once both servers have been quiet for QUIET_MS.
//  - look: opens the app, waits until it is saved for offline use, visits every step;
//  - tfidf: imports a CSV, fits TF-IDF, trains a head, labels the corpus;
//  - embed: imports the CSV and embeds it with the tiny test encoder (wasm).
import { join } from 'node:path';

const QUIET_MS = 3000;
const CSV = 'tests/fixtures/data/tiny-sentiment.csv';
const STEPS = ['data', 'codebook', 'teacher', 'validate', 'train', 'compare', 'export'];

const sum = (reqs) => reqs.reduce((s, r) => s + r.bytes, 0);

/** Resolves once no new request reached any of `sites` for QUIET_MS. */
async function quiet(sites) {
  let seen = -1;
  for (;;) {
    const n = sites.reduce((s, x) => s + x.requests.length, 0);
    if (n === seen) return;
    seen = n;
    await new Promise((ok) => setTimeout(ok, QUIET_MS));
  }
}

async function importCsv(page, root) {
  await page.getByTestId('file-input').setInputFiles(join(root, CSV));
  await page.getByRole('button', { name: 'Import 58 texts' }).click();
  await page.getByTestId('row-count').filter({ hasText: '58 texts' }).waitFor({ timeout: 60_000 });
}

const FLOWS = {
  async look(page) {
    for (const step of STEPS) {
      const tab = page.locator(`[data-step="${step}"]`);
      if (await tab.isEnabled()) await tab.click();
    }
  },
  async tfidf(page, { root }) {
    await importCsv(page, root);
    await page.getByLabel('Validation size').fill('10');
    await page.getByLabel('Test size').fill('10');
    await page.getByRole('button', { name: 'Re-split' }).click();
    await page.locator('[data-step="train"]').click();
    await page.getByLabel('Encoder kind').selectOption('tfidf');
    await page.getByRole('button', { name: 'Fit TF-IDF on the training pool' }).click();
    await page.getByTestId('embed-summary').waitFor({ timeout: 120_000 });
    await page.getByLabel('Human labels').check();
    await page.getByRole('button', { name: 'Train student' }).click();
    await page.getByTestId('train-result').waitFor({ timeout: 120_000 });
    await page.getByTestId('student-row').getByRole('button', { name: 'Label the whole corpus' }).click();
    await page
      .getByTestId('distribution')
      .first()
      .filter({ hasText: /positive: \d+/ })
      .waitFor({ timeout: 120_000 });
  },
  async embed(page, { root, models }) {
    await importCsv(page, root);
    await page.locator('[data-step="train"]').click();
    await page.getByLabel('Model id').fill('tiny-distilbert');
    await page.getByLabel('Model id').press('Tab');
    await page.getByLabel('Model source').selectOption('url');
    await page.getByLabel('Mirror base URL').fill(models.url.replace(/\/$/, ''));
    await page.getByLabel('Mirror base URL').press('Tab');
    await page.getByLabel('Device').selectOption('wasm');
    await page.getByRole('button', { name: 'Embed all texts' }).click();
    await page
      .getByTestId('embed-summary')
      .filter({ hasText: /58 embedded now/ })
      .waitFor({ timeout: 180_000 });
  },
};

/**
 * Runs the three visitors against the build in `dist`. `serveDist` is
 * tests/e2e/ship-server.ts' (loaded by the caller through Vite); `browser` a
 * launched Chromium. Returns bytes per visitor: app (by folder) and model files.
 */
export async function firstVisit({ root, dist, serveDist, browser }) {
  const out = {};
  for (const [name, flow] of Object.entries(FLOWS)) {
    const site = await serveDist('/app/', { root: dist });
    const models = await serveDist('/models/', {
      root: join(root, 'tests/fixtures/models'),
      headers: { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' },
    });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(site.url);
      // Saved for offline use: the worker installed and (old builds) the runtimes saved too.
      const badge = page.getByTestId('offline-status');
      await badge
        .and(page.locator('[data-status="ready"]'))
        .waitFor({ timeout: 180_000 })
        .catch(async (e) => {
          const state = await badge.getAttribute('data-status', { timeout: 1000 }).catch(() => 'no badge');
          throw new Error(
            `${name}: the app was not saved for offline use (badge: ${state}; page errors: ${errors.join(' | ') || 'none'}): ${e.message}`,
          );
        });
      await flow(page, { root, models });
      await quiet([site, models]);
      const by = (dir) => sum(site.requests.filter((r) => r.path.startsWith(`/app/${dir}`)));
      out[name] = { app: sum(site.requests), ort: by('ort/'), tfjs: by('tfjs/'), models: sum(models.requests) };
    } finally {
      await context.close();
      await site.close();
      await models.close();
    }
  }
  return out;
}
