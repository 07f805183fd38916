// Issue 16: encoder presets and the hybrid in real Chromium. No real model
// can be downloaded here, so the presets' model ids are served from the
// mirror by the generated tiny models (the BGE id by tiny-bert, whose [CLS]
// vector differs from its mean, the DistilBERT id by tiny-distilbert), routed
// in the page; what is tested is the app's side: recipe → cache key →
// exactly the missing vectors computed. Then Compare runs end to end on
// hybrid features (tiny-distilbert beside TF-IDF).
import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { freshApp, mockConfig, mockReset, MOCK_URL, setupProject, SENTIMENT_RULES, storedEmbeddings } from './helpers';

const SHOTS = process.env.SHOTS_DIR ?? 'test-results/encoders';
const CSV = 'tests/fixtures/data/tiny-sentiment.csv';
const ALIASES: Record<string, string> = { 'Xenova/bge-small-en-v1.5': 'tiny-bert', 'Xenova/distilbert-base-uncased': 'tiny-distilbert' };

/** Serves the presets' ids from the tiny models' folders, as a mirror holding them would. */
async function routePresets(page: Page): Promise<string[]> {
  const served: string[] = [];
  for (const [id, tiny] of Object.entries(ALIASES)) {
    await page.context().route(`${MOCK_URL}/models/${id}/**`, async (route) => {
      const rel = decodeURIComponent(new URL(route.request().url()).pathname).slice(`/models/${id}/`.length);
      served.push(`${id}/${rel}`);
      try {
        await route.fulfill({
          status: 200,
          body: readFileSync(`tests/fixtures/models/${tiny}/${rel}`),
          headers: { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' },
        });
      } catch {
        await route.fulfill({ status: 404, headers: { 'access-control-allow-origin': '*' } });
      }
    });
  }
  return served;
}

/** Vector count per stored embedding key (raw IndexedDB, through the shared reader). */
async function storedCounts(page: Page): Promise<Record<string, number>> {
  return Object.fromEntries(Object.entries(await storedEmbeddings(page)).map(([key, byHash]) => [key, Object.keys(byHash).length]));
}

async function embedAll(page: Page, summary: RegExp): Promise<void> {
  await page.getByRole('button', { name: 'Embed all texts' }).click();
  // The sentence is read as a person sees it: line breaks in the template's source are only spaces.
  const text = async () => ((await page.getByTestId('embed-summary').textContent()) ?? '').replace(/\s+/g, ' ');
  await expect.poll(text, { timeout: 120_000 }).toMatch(summary);
}

test('presets: the recipe is in the key, and switching re-embeds only what the new key lacks', async ({ page }) => {
  test.setTimeout(300_000);
  const served = await routePresets(page);
  await freshApp(page);
  await page.getByTestId('file-input').setInputFiles(CSV);
  await page.getByRole('button', { name: /Import 58 texts/ }).click();
  await page.locator('[data-step="train"]').click();

  await test.step('a new project starts on TF-IDF; a sentence encoder on MiniLM, the reason one click away; then BGE small', async () => {
    await expect(page.getByLabel('Encoder kind')).toHaveValue('tfidf');
    await page.getByLabel('Encoder kind').selectOption('transformers');
    await expect(page.getByLabel('Model preset')).toHaveValue('minilm');
    await expect(page.getByLabel('Model id')).toHaveValue('Xenova/all-MiniLM-L6-v2');
    await page.getByText(/^Why all-MiniLM-L6-v2 is the default/).click();
    await expect(page.getByTestId('preset-why')).toContainText('trailed TF-IDF');
    await page.getByLabel('Model preset').selectOption('bge-small');
    await expect(page.getByLabel('Model id')).toHaveValue('Xenova/bge-small-en-v1.5');
    const facts = page.getByTestId('preset-facts');
    for (const t of ['384 dimensions', 'English', 'up to 512 tokens', '34 MB (q8)', 'CLS pooling, L2-normalised', 'Good for'])
      await expect(facts).toContainText(t);
    await page.getByLabel('Model source').selectOption('url');
    await page.getByLabel('Mirror base URL').fill(`${MOCK_URL}/models`);
    await page.getByLabel('Mirror base URL').press('Tab');
    await page.getByLabel('Device').selectOption('wasm');
    await page.screenshot({ path: `${SHOTS}/presets.png`, fullPage: true });
  });

  await test.step('BGE: every text embedded once, with rates', async () => {
    await embedAll(
      page,
      /58 distinct texts: 0 cached, 58 embedded now \([\d,]+ texts\/s · [\d,]+ tokens\/s · padding ×\d\.\d\d · on wasm\)/,
    );
    expect(served).toContain('Xenova/bge-small-en-v1.5/onnx/model_quantized.onnx');
    await expect(page.getByTestId('embed-facts')).toContainText('precision: q8');
    expect(await storedCounts(page)).toEqual({ 'emb-v1|Xenova/bge-small-en-v1.5|q8|cls|l2': 58 });
  });

  await test.step('DistilBERT: a new key, so all again; back to BGE: nothing', async () => {
    await page.getByLabel('Model preset').selectOption('distilbert');
    await expect(page.getByLabel('Model id')).toHaveValue('Xenova/distilbert-base-uncased');
    await expect(page.getByTestId('preset-facts')).toContainText('mean pooling, L2-normalised');
    await embedAll(page, /58 distinct texts: 0 cached, 58 embedded now/);
    await page.getByLabel('Model preset').selectOption('bge-small');
    await embedAll(page, /58 distinct texts: 58 cached, 0 embedded now\.\s*$/);
    expect(await storedCounts(page)).toEqual({
      'emb-v1|Xenova/bge-small-en-v1.5|q8|cls|l2': 58,
      'emb-v1|Xenova/distilbert-base-uncased|q8|mean|l2': 58,
    });
  });

  await test.step("a custom recipe starts from the preset's and keys its own vectors", async () => {
    await page.getByLabel('Model preset').selectOption('custom');
    await expect(page.getByLabel('Pooling')).toHaveValue('cls');
    await page.getByLabel('Prefix').fill('query: ');
    await page.getByLabel('Prefix').press('Tab');
    await embedAll(page, /0 cached, 58 embedded now/);
    expect(Object.keys(await storedCounts(page))).toContain('emb-v1|Xenova/bge-small-en-v1.5|q8|cls|l2|pquery: ');
    await page.screenshot({ path: `${SHOTS}/custom.png`, fullPage: true });
  });

  await test.step('fp16 that cannot run falls back to fp32 on WebGPU, says so, and keys the vectors by fp32', async () => {
    // SwiftShader has no shader-f16 (and the tiny model no fp16 file): either way the load must fall back.
    await page.getByLabel('Device').selectOption('webgpu');
    await page.getByLabel('Precision', { exact: true }).selectOption('fp16');
    await embedAll(page, /0 cached, 58 embedded now .*on webgpu/);
    await expect(page.getByTestId('embed-note')).toContainText(/fp16 on webgpu failed \(.+\), so fp32 on webgpu is used instead\./);
    await expect(page.getByTestId('embed-facts')).toContainText('precision: fp32');
    await page.getByRole('region', { name: 'Encoder' }).screenshot({ path: `${SHOTS}/fallback.png` });
    expect(Object.keys(await storedCounts(page))).toContain('emb-v1|Xenova/bge-small-en-v1.5|fp32|cls|l2|pquery: ');
    await page.getByLabel('Device').selectOption('wasm');
    await page.getByLabel('Precision', { exact: true }).selectOption('auto');
  });

  await test.step('the choice survives a reload and its vectors are reused', async () => {
    await page.reload();
    await page.locator('[data-step="train"]').click();
    await expect(page.getByLabel('Model preset')).toHaveValue('custom');
    await expect(page.getByLabel('Prefix')).toHaveValue('query: ');
    await embedAll(page, /58 cached, 0 embedded now/);
  });
});

test('hybrid features: tiny encoder beside TF-IDF, end to end in Compare', async ({ page }) => {
  test.setTimeout(420_000);
  await mockReset();
  await mockConfig({ models: ['mock-model'], rules: SENTIMENT_RULES, flip: 0.3, seed: 5 });
  await setupProject(page, { path: '/?tfjs=wasm' });

  await page.locator('[data-step="teacher"]').click();
  await page.getByRole('button', { name: 'Start labeling' }).click();
  await expect(page.getByTestId('teacher-state')).toHaveText('Done', { timeout: 90_000 });

  await page.locator('[data-step="train"]').click();
  await page.getByLabel('Encoder kind').selectOption('hybrid');
  await page.getByLabel('Model id').fill('tiny-distilbert');
  await page.getByLabel('Model id').press('Tab');
  await expect(page.getByLabel('Model preset')).toHaveValue('custom');
  await page.getByLabel('Model source').selectOption('url');
  await page.getByLabel('Mirror base URL').fill(`${MOCK_URL}/models`);
  await page.getByLabel('Mirror base URL').press('Tab');
  await page.getByLabel('Device').selectOption('wasm');
  await embedAll(
    page,
    /58 distinct texts: 0 cached, 58 embedded now .*Beside them, TF-IDF fitted on 34 training-pool texts: [\d,]+ columns\./,
  );
  await page.getByRole('region', { name: 'Encoder' }).screenshot({ path: `${SHOTS}/hybrid-encoder.png` });

  await page.locator('[data-step="compare"]').click();
  await page.getByRole('button', { name: 'Run comparison' }).click();
  const table = page.getByTestId('comparison-table');
  await expect(table).toBeVisible({ timeout: 300_000 });
  const names = (await table.locator('tbody tr td .cond').allTextContents()).join('\n');
  expect(names).toContain('Student on 34 LLM labels');
  expect(names).toContain('Student on 34 human labels');
  expect(names).toContain('TF-IDF baseline on 34 LLM labels');
  await expect(table).toContainText('tiny-distilbert + TF-IDF');
  await page.screenshot({ path: `${SHOTS}/hybrid-compare.png`, fullPage: true });

  // The main student chose the sentence vector's weight by cross-validation, with C.
  const search = await page.evaluate(
    () =>
      new Promise<{ name: string; key: string; scales?: number[]; chosen: { scale?: number } }[]>((resolve, reject) => {
        const open = indexedDB.open('surrogate');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('models', 'readonly').objectStore('models').getAll();
          all.onsuccess = () => {
            open.result.close();
            resolve(
              (
                all.result as { name: string; extra: { embeddingKey: string; search: { scales?: number[]; chosen: { scale?: number } } } }[]
              ).map((m) => ({ name: m.name, key: m.extra.embeddingKey, scales: m.extra.search?.scales, chosen: m.extra.search?.chosen })),
            );
          };
        };
      }),
  );
  const main = search.find((m) => m.name === 'Student on 34 LLM labels')!;
  expect(main.key).toMatch(/^hyb-v1\|emb-v1\|tiny-distilbert\|q8\|mean\|l2\|tfidf-v2\|/);
  expect(main.scales).toEqual([1, 0.5, 2]);
  expect([1, 0.5, 2]).toContain(main.chosen.scale);
  const baseline = search.find((m) => m.name.startsWith('TF-IDF baseline'))!;
  expect(baseline.key).toMatch(/^tfidf-v2\|/);
  expect(baseline.scales).toBeUndefined();

  await page.locator('[data-step="export"]').click();
  await expect(page.getByTestId('methods')).toHaveValue(
    /we encoded each text with tiny-distilbert \(mean pooling, L2-normalised\) concatenated with TF-IDF/,
  );
});

test('before embedding, the expected size of the vectors beside the space the browser allows, and a plain warning when it will not fit', async ({
  page,
}) => {
  // A browser with only 60 kB left for this site (the real estimate, made small).
  await page.addInitScript(() => {
    const real = navigator.storage.estimate.bind(navigator.storage);
    navigator.storage.estimate = async () => ({ ...(await real()), usage: 1_000, quota: 61_000 });
  });
  await freshApp(page);
  await page.getByTestId('file-input').setInputFiles(CSV);
  await page.getByRole('button', { name: /Import 58 texts/ }).click();
  await page.locator('[data-step="train"]').click();
  await page.getByLabel('Encoder kind').selectOption('transformers');
  const plan = page.getByTestId('storage-plan');
  // MiniLM, as BGE small: 58 texts × 384 values × 4 bytes, with the index: ~90 KB, more than the 60 kB left.
  await expect(plan).toContainText(
    'Embedding all 58 texts stores up to 90 KB of vectors in this browser (58 × 384 values × 4 bytes, with their index)',
  );
  await expect(plan).toContainText('the browser lets this site use 59 KB more');
  await expect(plan).toContainText(
    'That will not fit: embedding would stop when the space runs out (every vector stored by then is kept).',
  );
  await expect(plan).toHaveClass(/error/);
  // Half precision: ~47 KB, which fits, and so small that nothing needs saying.
  await page.getByLabel('Store vectors at half precision').check();
  await expect(plan).toHaveCount(0);
});
